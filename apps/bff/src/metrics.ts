import { Hono } from "hono";
import { Counter, Registry } from "prom-client";
import { RequestMeter } from "./request-meter";

/** The API's Prometheus metrics, in a registry of its own (several apps may share a test process). */
export function createApiMetrics() {
  const registry = new Registry();
  return {
    registry,
    /** `reports_http_requests_total` and `reports_http_request_duration_seconds`. */
    http: new RequestMeter(registry),
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
