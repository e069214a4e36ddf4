import { trpcServer } from "@hono/trpc-server";
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { type RequestIdVariables, requestId } from "hono/request-id";
import { adminPageRoutes } from "./admin-page";
import { corsPolicy } from "./cors";
import type { AppDeps } from "./deps";
import { docsRoutes } from "./docs";
import { ApiError, ClientGoneError, internalError, toProblem } from "./errors";
import { healthRoutes, RETRY_AFTER_SECONDS } from "./health";
import { isNdjson } from "./ndjson";
import { openApiDocument } from "./openapi";
import { restRoutes } from "./rest";
import { statusEventRoutes } from "./status-events-route";
import { appRouter } from "./trpc";
import { isUnavailable } from "./unavailable";

export type AppEnv = { Variables: RequestIdVariables & { deps: AppDeps; owner: string; admin: boolean } };

/**
 * The HTTP exchange's id is its trace id: `X-Request-Id` on the answer (the header proxies already
 * know), `traceId` and `instance` in problem bodies and tRPC errors, `traceId` on every log line of the
 * request. A report's `requestId` is another thing: log lines about a report carry both.
 */
const traceIdOf = (c: { get(key: "requestId"): string }) => c.get("requestId");

function problemResponse(error: ApiError, id: string): Response {
  const retryAfter = error.retryAfterSeconds ?? (error.status === 503 ? RETRY_AFTER_SECONDS : undefined);
  return new Response(JSON.stringify(toProblem(error, id)), {
    status: error.status,
    headers: {
      "Content-Type": "application/problem+json",
      "X-Request-Id": id,
      ...(retryAfter === undefined ? {} : { "Retry-After": String(retryAfter) }),
    },
  });
}

/**
 * The BFF as a Hono app: REST routes, tRPC at `/trpc`, health. Pure of I/O set-up:
 * everything with a side effect comes in through `deps`.
 *
 * @example
 * const app = createApp(deps);
 * serve({ fetch: app.fetch, port: 3000 });
 */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();

  app.use(requestId());
  // before authentication: a browser's preflight carries no credentials
  app.use(corsPolicy(deps.settings.corsOrigins, deps.logger));
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    // answers built elsewhere (tRPC's) lack the header the requestId middleware set on the context
    if (!c.res.headers.has("X-Request-Id")) c.header("X-Request-Id", traceIdOf(c));
    const seconds = (performance.now() - started) / 1000;
    const route = c.req.routePath;
    deps.metrics.requests.inc({ method: c.req.method, route, status: c.res.status });
    deps.metrics.latency.observe({ method: c.req.method, route }, seconds);
    if (deps.settings.logRequests) {
      const fields = { traceId: traceIdOf(c), method: c.req.method, route, status: c.res.status };
      deps.logger.info({ ...fields, ms: Math.round(seconds * 1000) }, "request");
    }
  });
  app.use(async (c, next) => {
    // every line the request's work logs carries its trace id; service code adds the report's requestId
    c.set("deps", { ...deps, logger: deps.logger.child({ traceId: traceIdOf(c) }) });
    await next();
  });
  const jsonBodyLimit = bodyLimit({
    maxSize: deps.settings.maxBodyBytes,
    onError: (c) =>
      problemResponse(
        new ApiError("PAYLOAD_TOO_LARGE", `The body is over the limit of ${deps.settings.maxBodyBytes} bytes.`),
        traceIdOf(c),
      ),
  });
  // a streamed report's rows go to storage as they arrive, under their own limit (MAX_UPLOAD_BYTES)
  // (and a GET has no body: looking for one would build the whole fetch Request on every status read)
  app.use((c, next) =>
    c.req.method === "GET" || (c.req.path === "/generate" && isNdjson(c.req.header("content-type")))
      ? next()
      : jsonBodyLimit(c, next),
  );

  app.route("/", healthRoutes());

  // who is calling, and whether they are over their rate: every report route, REST and tRPC
  const authenticated = createMiddleware<AppEnv>(async (c, next) => {
    const { owner, admin } = await deps.authenticate(c.req.header("authorization"));
    c.set("owner", owner);
    c.set("admin", admin);
    const waitSeconds = await deps.rateLimit(owner);
    if (waitSeconds !== null) {
      throw new ApiError("RATE_LIMITED", `Too many requests; try again in ${waitSeconds} s.`, undefined, waitSeconds);
    }
    await next();
  });
  for (const path of ["/generate", "/render", "/status/*", "/reports/*", "/trpc/*"]) app.use(path, authenticated);

  app.use(
    "/trpc/*",
    trpcServer({
      endpoint: "/trpc",
      router: appRouter,
      createContext: (_opts, c) => ({
        deps: c.get("deps"),
        traceId: traceIdOf(c),
        owner: c.get("owner") as string,
        admin: c.get("admin") as boolean,
      }),
      onError: ({ error, path, ctx }) => {
        if (error.code === "INTERNAL_SERVER_ERROR")
          (ctx?.deps ?? deps).logger.error({ err: error.cause ?? error, path }, "trpc error");
      },
    }),
  );

  app.route(
    "/",
    docsRoutes(() => openApiDocument(app)),
  );
  app.route("/", adminPageRoutes());
  app.route("/", restRoutes());
  app.route("/", statusEventRoutes());

  app.notFound((c) =>
    problemResponse(new ApiError("NOT_FOUND", `No route ${c.req.method} ${c.req.path}.`), traceIdOf(c)),
  );

  app.onError((error, c) => {
    const id = traceIdOf(c);
    const log = deps.logger.child({ traceId: id });
    if (error instanceof ApiError) return problemResponse(error, id);
    // a client that left is not an outage (its ECONNRESET would read as one): nobody reads this answer
    if (error instanceof ClientGoneError || c.req.raw.signal.aborted) {
      log.info({ path: c.req.path }, "client closed the request");
      return problemResponse(new ApiError("VALIDATION_FAILED", "The request was closed before it was read."), id);
    }
    if (isUnavailable(error)) {
      log.error({ err: error, path: c.req.path }, "a backing service is unavailable");
      return problemResponse(
        new ApiError("UNAVAILABLE", "A service Reports depends on is unavailable; try again shortly."),
        id,
      );
    }
    if (error instanceof HTTPException && error.status === 415) {
      return problemResponse(
        new ApiError(
          "UNSUPPORTED_MEDIA_TYPE",
          "Send the report spec as JSON (Content-Type: application/json), or stream it as JSON Lines (application/x-ndjson) to /generate.",
        ),
        id,
      );
    }
    if (error instanceof HTTPException && error.status < 500) {
      return problemResponse(new ApiError("VALIDATION_FAILED", error.message || "Bad request."), id);
    }
    log.error({ err: error, path: c.req.path }, "unhandled error");
    return problemResponse(internalError(), id);
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
