import { Hono } from "hono";
import { Counter, Histogram, Registry } from "prom-client";

/** The API's Prometheus metrics, in a registry of its own (several apps may share a test process). */
export function createApiMetrics() {
  const registry = new Registry();
  return {
    registry,
    requests: new Counter({
      name: "reports_http_requests_total",
      help: "HTTP requests by route and status",
      labelNames: ["method", "route", "status"] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: "reports_http_request_duration_seconds",
      help: "HTTP request latency by route",
      labelNames: ["method", "route"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    reportsCreated: new Counter({
      name: "reports_created_total",
      help: "Reports accepted by format",
      labelNames: ["format"] as const,
      registers: [registry],
    }),
    statusReads: new Counter({
      name: "reports_status_reads_total",
      help: "Status reads by cache outcome",
      labelNames: ["cache"] as const,
      registers: [registry],
    }),
  };
}
export type ApiMetrics = ReturnType<typeof createApiMetrics>;

/**
 * `GET /metrics` in Prometheus text, as an app of its own: the BFF serves it on `METRICS_PORT`, never on the API's
 * port, so the public API does not show its traffic, routes and error rates to anyone.
 *
 * @example
 * serve({ fetch: metricsApp(deps.metrics).fetch, port: 9465, hostname: "0.0.0.0" });
 */
export function metricsApp(metrics: Pick<ApiMetrics, "registry">) {
  const app = new Hono();
  app.get("/metrics", async (c) =>
    c.text(await metrics.registry.metrics(), 200, { "Content-Type": metrics.registry.contentType }),
  );
  return app;
}
