import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { RequestMeter } from "./request-meter";

/** prom-client's own counter and histogram, named and bucketed as the meter's. */
function promClientMeter() {
  const registry = new Registry();
  const requests = new Counter({
    name: "reports_http_requests_total",
    help: "HTTP requests by route and status",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "reports_http_request_duration_seconds",
    help: "HTTP request latency by route",
    labelNames: ["method", "route"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    registry,
    record(method: string, route: string, status: number, seconds: number) {
      requests.inc({ method, route, status });
      latency.observe({ method, route }, seconds);
    },
  };
}

/** Each line's labels in name order, the lines sorted: the same series and values, whatever the order. */
const normalized = (text: string) =>
  text
    .split("\n")
    .map((line) => line.replace(/\{([^}]*)\}/, (_, labels: string) => `{${labels.split(",").sort().join(",")}}`))
    .sort()
    .join("\n");

describe("RequestMeter", () => {
  it("exposes what prom-client's own counter and histogram expose for the same requests", async () => {
    const ours = new Registry();
    const meter = new RequestMeter(ours);
    const theirs = promClientMeter();
    const routes = ["/status/:id", "/generate", "/trpc/*", '/odd "route"\\'];
    // bounds exactly, between them, past the last, and zero
    const seconds = [0, 0.001, 0.0010001, 0.003, 0.025, 0.7, 2.5, 2.6, 40];
    for (let i = 0; i < 500; i++) {
      const args = [
        i % 3 === 0 ? "POST" : "GET",
        routes[i % routes.length] as string,
        [200, 201, 404, 500][i % 4] as number,
        (seconds[i % seconds.length] as number) * (1 + (i % 7) / 1000),
      ] as const;
      meter.record(...args);
      theirs.record(...args);
    }
    const text = await ours.metrics();
    expect(normalized(text)).toBe(normalized(await theirs.registry.metrics()));
    expect(text).toMatch(/reports_http_requests_total\{method="GET",route="\/status\/:id",status="200"\} \d+/);
  });

  it("exposes no series before any request, and forgets them on a reset", async () => {
    const registry = new Registry();
    const meter = new RequestMeter(registry);
    expect(await registry.metrics()).not.toMatch(/_bucket|_total\{/);
    meter.record("GET", "/healthz", 200, 0.0001);
    expect(await registry.metrics()).toContain(
      'reports_http_requests_total{method="GET",route="/healthz",status="200"} 1',
    );
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain("/healthz");
  });
});
