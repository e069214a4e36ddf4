import { type ServerType, serve } from "@hono/node-server";
import { Hono } from "hono";
import type { WorkerDeps } from "./deps";

/** The worker's probes and metrics: `/healthz` (up), `/readyz` (database and queue reachable), `/metrics`. */
export function healthApp(deps: Pick<WorkerDeps, "repo" | "queue" | "metrics">, isDraining: () => boolean) {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    if (isDraining()) return c.json({ status: "draining" }, 503);
    try {
      await Promise.all([deps.repo.ping(), deps.queue.depth()]);
      return c.json({ status: "ready" });
    } catch {
      return c.json({ status: "unavailable" }, 503);
    }
  });
  app.get("/metrics", async (c) =>
    c.text(await deps.metrics.registry.metrics(), 200, {
      "Content-Type": deps.metrics.registry.contentType,
    }),
  );
  return app;
}

/** Serves {@link healthApp}; resolves with the server once it listens. */
export function serveHealth(app: Hono, options: { port: number; host: string }): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () => resolve(server));
    server.once("error", reject);
  });
}
