import { backoffMs } from "@reports/contracts";
import type { WorkerDeps } from "./deps";
import { processReport } from "./job";

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
  const consumer = await deps.queue.consume(
    async ({ message, redelivered }) => {
      try {
        const outcome = await processReport(deps, message, { signal: shutdown.signal, redelivered });
        deps.metrics.jobs.inc({ outcome });
      } catch (err) {
        // the database or the queue failed around the job: try the message again later rather than lose it
        const delayMs = backoffMs(deps.settings.retry, message.attempt);
        deps.logger.error({ err, requestId: message.requestId, delayMs }, "job failed outside the report; retrying");
        deps.metrics.jobs.inc({ outcome: "infrastructure-error" });
        await deps.queue.retry({ ...message, attempt: message.attempt + 1 }, delayMs);
      }
    },
    { prefetch: deps.settings.concurrency },
  );
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
        }
      })();
      return stopping;
    },
  };
}
