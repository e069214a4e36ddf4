import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { backoffMs, type ReportFormat, reportSpec } from "@reports/contracts";
import { createWorkerRegistry } from "@reports/db";
import type { WorkerDeps } from "./deps";
import { processReport } from "./job";

/** How often a worker says it is alive (the dashboard shows workers seen within `WORKER_ALIVE_SECONDS`). */
const HEARTBEAT_MS = 5_000;
/** Heartbeats of workers gone this long (crashed: a clean stop removes its own) are deleted. */
const FORGET_AFTER_SECONDS = 3_600;

/** Writes the worker's heartbeat now and every {@link HEARTBEAT_MS}; `stop()` removes it. Failures are only logged. */
function startHeartbeat(deps: Pick<WorkerDeps, "db" | "logger" | "settings">, inFlight: () => number) {
  const registry = createWorkerRegistry(deps.db);
  const self = { id: randomUUID(), host: hostname(), pid: process.pid, concurrency: deps.settings.concurrency };
  let beats = 0;
  const beat = async () => {
    try {
      await registry.beat({ ...self, inFlight: inFlight() });
      if (beats++ % 100 === 0) await registry.prune(FORGET_AFTER_SECONDS);
    } catch (err) {
      deps.logger.warn({ err }, "heartbeat not written");
    }
  };
  void beat();
  const timer = setInterval(beat, HEARTBEAT_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await registry.remove(self.id).catch((err: unknown) => deps.logger.warn({ err }, "heartbeat not removed"));
    },
  };
}

/**
 * Renders a one-row PDF and XLSX on each thread in the background: a thread's first PDF loads the fonts and the
 * layout code (0.45 s for one row, then 0.04 s), which a light report should not pay behind a heavy one.
 */
function warmRenderThreads(deps: Pick<WorkerDeps, "renderer" | "logger" | "settings">): void {
  const tiny = (format: ReportFormat) =>
    reportSpec.parse({
      format,
      title: "warm-up",
      tables: [{ name: "T", columns: [{ key: "a", header: "A" }], rows: [{ a: "a" }] }],
    });
  const each = (format: ReportFormat) =>
    Promise.all(Array.from({ length: deps.settings.concurrency }, () => deps.renderer.render(tiny(format))));
  each("pdf")
    .then(() => each("xlsx"))
    .catch((err: unknown) => deps.logger.debug({ err }, "render threads not warmed up"));
}

/**
 * Consumes the queue and runs each report through {@link processReport}. `stop()` stops taking
 * messages, lets renders in progress finish for `settings.drainMs`, then aborts them (their requests
 * go back to `queued`) and resolves once every handler has settled.
 *
 * @example
 * const worker = await startWorker(deps);
 * process.once("SIGTERM", () => worker.stop());
 */
export async function startWorker(deps: WorkerDeps): Promise<{ stop(): Promise<void> }> {
  const shutdown = new AbortController();
  warmRenderThreads(deps);
  let inFlight = 0;
  const consumer = await deps.queue.consume(
    async ({ message, redelivered }) => {
      inFlight++;
      try {
        const outcome = await processReport(deps, message, { signal: shutdown.signal, redelivered });
        deps.metrics.jobs.inc({ outcome });
      } catch (err) {
        // the database or the queue failed around the job: try the message again later rather than lose it
        const delayMs = backoffMs(deps.settings.retry, message.attempt);
        deps.logger.error({ err, requestId: message.requestId, delayMs }, "job failed outside the report; retrying");
        deps.metrics.jobs.inc({ outcome: "infrastructure-error" });
        await deps.queue.retry({ ...message, attempt: message.attempt + 1 }, delayMs);
      } finally {
        inFlight--;
      }
    },
    { prefetch: deps.settings.concurrency },
  );
  const heartbeat = startHeartbeat(deps, () => inFlight);
  deps.logger.info({ concurrency: deps.settings.concurrency }, "worker consuming");
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        const timer = setTimeout(() => shutdown.abort(new Error("worker shutting down")), deps.settings.drainMs);
        try {
          await consumer.close();
        } finally {
          clearTimeout(timer);
          await heartbeat.stop();
        }
      })();
      return stopping;
    },
  };
}
