import { createRoute, z } from "@hono/zod-openapi";
import { RETRY_AFTER_SECONDS } from "../http/problem";
import { NO_AUTH, openApiRouter } from "./openapi";

const dependencyState = z.enum(["ok", "unavailable"]);
const readiness = z
  .object({
    status: z.enum(["ready", "unavailable"]).openapi({ description: "`ready` when every dependency answered." }),
    dependencies: z
      .object({
        database: dependencyState.openapi({ description: "PostgreSQL (or the embedded PGlite)." }),
        queue: dependencyState.openapi({ description: "RabbitMQ (or the in-process queue)." }),
        storage: dependencyState.openapi({ description: "The S3 bucket (or the local file directory)." }),
      })
      .openapi({ description: "Each dependency's answer to a probe." }),
  })
  .openapi("Readiness");

export const healthzRoute = createRoute({
  method: "get",
  path: "/healthz",
  operationId: "getLiveness",
  tags: ["health"],
  summary: "The process is up",
  description: "Answers while the process runs; checks nothing else (a liveness probe).",
  security: NO_AUTH,
  responses: {
    200: {
      description: "Up.",
      content: {
        "application/json": {
          schema: z.object({ status: z.literal("ok").openapi({ description: "Always `ok`." }) }).openapi("Liveness"),
        },
      },
    },
  },
});

export const readyzRoute = createRoute({
  method: "get",
  path: "/readyz",
  operationId: "getReadiness",
  tags: ["health"],
  summary: "The database, the queue and the storage are reachable",
  description: "Probes each dependency; a 503 names the one that did not answer (a readiness probe).",
  security: NO_AUTH,
  responses: {
    200: { description: "Ready.", content: { "application/json": { schema: readiness } } },
    503: {
      description: "Not ready; `dependencies` names what is unavailable.",
      headers: { "Retry-After": { description: "Seconds to wait before asking again.", schema: { type: "integer" } } },
      content: { "application/json": { schema: readiness } },
    },
  },
});

/** `/healthz` and `/readyz`: no key needed. (`/metrics` is on a port of its own: `metricsApp`.) */
export function healthRoutes() {
  const app = openApiRouter();

  app.openapi(healthzRoute, (c) => c.json({ status: "ok" as const }, 200));

  app.openapi(readyzRoute, async (c) => {
    const deps = c.get("deps");
    const probes = {
      database: () => deps.repo.ping(),
      queue: () => deps.queue.depth(),
      storage: () => deps.storage.head("readyz-probe"),
    };
    const results = await Promise.all(
      Object.entries(probes).map(async ([name, probe]) => {
        try {
          await probe();
          return [name, "ok"] as const;
        } catch (error) {
          deps.logger.warn({ err: error, dependency: name }, "not ready");
          return [name, "unavailable"] as const;
        }
      }),
    );
    // the broker is reported but not required: stored requests wait for it in the outbox (the relay sends them)
    const ready = results.every(([name, state]) => state === "ok" || name === "queue");
    const body = {
      status: ready ? ("ready" as const) : ("unavailable" as const),
      dependencies: Object.fromEntries(results) as z.infer<typeof readiness>["dependencies"],
    };
    return ready ? c.json(body, 200) : c.json(body, 503, { "Retry-After": String(RETRY_AFTER_SECONDS) });
  });

  return app;
}
