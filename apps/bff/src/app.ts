import { trpcServer } from "@hono/trpc-server";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { authenticated } from "./auth/middleware";
import { type AppEnv, traceIdOf } from "./context";
import type { AppDeps } from "./deps";
import { answerHeaders } from "./http/answer-headers";
import { corsPolicy } from "./http/cors";
import { ApiError, ClientGoneError, internalError } from "./http/errors";
import { problemResponse, RETRY_AFTER_SECONDS } from "./http/problem";
import { traceIds } from "./http/trace";
import { isUnavailable } from "./http/unavailable";
import { isNdjson } from "./reports/ndjson";
import { adminPageRoutes } from "./routes/admin-page";
import { definitionRoutes } from "./routes/definitions";
import { docsRoutes } from "./routes/docs";
import { healthRoutes } from "./routes/health";
import { openApiDocument } from "./routes/openapi";
import { reportRoutes } from "./routes/reports";
import { statusEventRoutes } from "./routes/status-events";
import { appRouter } from "./trpc/router";

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

  app.use(traceIds());
  // no answer, preflights included, is to be sniffed into another type (an error rendered as HTML, a download run
  // as a script); every answer names its exchange
  app.use(answerHeaders((c) => ({ "X-Content-Type-Options": "nosniff", "X-Request-Id": traceIdOf(c) })));
  // before authentication: a browser's preflight carries no credentials
  app.use(corsPolicy(deps.settings.corsOrigins, deps.logger));
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = c.req.routePath;
    deps.metrics.http.record(c.req.method, route, c.res.status, seconds);
    if (deps.settings.logRequests) {
      const fields = { ...traceFieldsOf(c), method: c.req.method, route, status: c.res.status };
      deps.logger.info({ ...fields, ms: Math.round(seconds * 1000) }, "request");
    }
  });
  app.use(async (c, next) => {
    // every line the request's work logs carries its trace id; service code adds the report's requestId
    c.set("deps", { ...deps, logger: deps.logger.child(traceFieldsOf(c)) });
    await next();
  });
  const tooLarge = (c: Context<AppEnv>) =>
    problemResponse(
      new ApiError("PAYLOAD_TOO_LARGE", `The body is over the limit of ${deps.settings.maxBodyBytes} bytes.`),
      traceIdOf(c),
    );
  const jsonBodyLimit = bodyLimit({ maxSize: deps.settings.maxBodyBytes, onError: tooLarge });
  // a streamed report's rows go to storage as they arrive, under their own limit (MAX_UPLOAD_BYTES)
  // (and a GET has no body: looking for one would build the whole fetch Request on every status read)
  app.use(async (c, next) => {
    if (c.req.method === "GET" || (c.req.path === "/generate" && isNdjson(c.req.header("content-type")))) {
      return next();
    }
    // A declared length is judged without touching the body: Hono's bodyLimit asks for the body stream first, which
    // makes @hono/node-server build a whole fetch Request where the route would read the body straight from the
    // socket (measured: 2.6 -> 1.7 ms of the BFF's CPU per POST /generate); Node's parser never reads past the
    // declared length. A chunked body is counted as it is read.
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      return Number(length) > deps.settings.maxBodyBytes ? tooLarge(c) : next();
    }
    return jsonBodyLimit(c, next);
  });

  app.route("/", healthRoutes());

  for (const path of ["/generate", "/render", "/status/*", "/reports/*", "/definitions", "/definitions/*", "/logos"]) {
    app.use(path, authenticated(deps));
  }
  app.use("/trpc/*", authenticated(deps));

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
      // a refusal that says when to come back (a busy render queue, a stream cap) says it in Retry-After, as on REST
      responseMeta: ({ errors }) => {
        const seconds = errors
          .map(({ cause }) =>
            cause instanceof ApiError
              ? (cause.retryAfterSeconds ?? (cause.status === 503 ? RETRY_AFTER_SECONDS : undefined))
              : undefined,
          )
          .find((s) => s !== undefined);
        return seconds === undefined ? {} : { headers: new Headers({ "Retry-After": String(seconds) }) };
      },
      onError: ({ error, path, ctx, req }) => {
        if (error.code !== "INTERNAL_SERVER_ERROR") return;
        const log = (ctx?.deps ?? deps).logger;
        // a client that left is not a failure of ours (nobody reads this answer)
        if (error.cause instanceof ClientGoneError || req.signal.aborted)
          log.info({ path }, "client closed the request");
        else log.error({ err: error.cause ?? error, path }, "trpc error");
      },
    }),
  );

  app.route(
    "/",
    docsRoutes(() => openApiDocument(app)),
  );
  app.route("/", adminPageRoutes());
  app.route("/", reportRoutes());
  app.route("/", definitionRoutes());
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

/** Our trace id, and the client's own request id when it sent a well-formed one. */
function traceFieldsOf(c: Context<AppEnv>) {
  const clientRequestId = c.get("clientRequestId");
  return { traceId: traceIdOf(c), ...(clientRequestId ? { clientRequestId } : {}) };
}

export type App = ReturnType<typeof createApp>;
