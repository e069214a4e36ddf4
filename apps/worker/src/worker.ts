import type { WorkerDeps } from "./deps";
import { processReport } from "./job";

/**
 * Consumes the queue and runs each report through {@link processReport}.
 * Returns a stop function: it stops taking messages and waits for those in progress.
 *
 * @example
 * const worker = await startWorker(deps);
 * process.once("SIGTERM", () => worker.stop());
 */
export async function startWorker(deps: WorkerDeps): Promise<{ stop(): Promise<void> }> {
  const consumer = await deps.queue.consume(
    async ({ message }) => {
      await processReport(deps, message);
      return "ack";
    },
    { prefetch: deps.settings.concurrency },
  );
  deps.logger.info({ concurrency: deps.settings.concurrency }, "worker consuming");
  return { stop: () => consumer.close() };
}
