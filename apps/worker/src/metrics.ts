import { Counter, Histogram, Registry } from "prom-client";

/** The worker's Prometheus metrics, in a registry of its own (several workers may share a test process). */
export function createWorkerMetrics() {
  const registry = new Registry();
  return {
    registry,
    webhookDeliveries: new Counter({
      name: "reports_webhook_deliveries_total",
      help: "Webhook delivery attempts by outcome (delivered, retrying, failed)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    jobs: new Counter({
      name: "reports_jobs_total",
      help: "Report messages handled, by outcome",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    queueWaitSeconds: new Histogram({
      name: "reports_queue_wait_seconds",
      help: "Time from a request's last publish to its claim",
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
      registers: [registry],
    }),
    retries: new Counter({
      name: "reports_retries_total",
      help: "Attempts that failed and were scheduled again, by error type",
      labelNames: ["error_type"] as const,
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: "reports_dead_letters_total",
      help: "Requests dead-lettered, by reason and error type",
      labelNames: ["reason", "error_type"] as const,
      registers: [registry],
    }),
    renderSeconds: new Histogram({
      name: "reports_render_seconds",
      help: "Render time by format",
      labelNames: ["format"] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
  };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
