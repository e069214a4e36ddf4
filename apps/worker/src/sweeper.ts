import { withAdvisoryLock } from "@reports/db";
import type { WorkerDeps } from "./deps";

/** Advisory lock key of the sweeper: one sweep at a time across every worker replica. */
export const SWEEPER_LOCK_KEY = 0x5e3e9e;

/**
 * Republishes requests no message will bring to a worker: `queued` ones whose publish was lost (the BFF
 * died between insert and publish) and `processing` ones whose worker died (lease expired). A duplicate
 * message is harmless: the claim lets one worker through. Returns how many it republished, or null when
 * another replica holds the lock.
 */
export async function sweepOnce(
  deps: WorkerDeps,
  options: { staleAfterMs?: number; limit?: number } = {},
): Promise<number | null> {
  let republished = 0;
  const staleAfterMs = options.staleAfterMs ?? deps.settings.sweep.staleAfterMs;
  const locked = await withAdvisoryLock(deps.db, SWEEPER_LOCK_KEY, async (repo) => {
    const stranded = await repo.findStranded({ staleAfterMs, limit: options.limit ?? 500 });
    for (const request of stranded) {
      await deps.queue.publish({ requestId: request.requestId, attempt: request.attempts + 1 });
      await repo.markEnqueued(request.requestId);
      republished++;
    }
  });
  if (republished > 0) deps.logger.warn({ republished }, "sweeper republished stranded requests");
  return locked ? republished : null;
}

/**
 * Runs {@link sweepOnce} every `settings.sweep.intervalMs` until stopped.
 *
 * @example
 * const sweeper = startSweeper(deps);
 * process.once("SIGTERM", () => sweeper.stop());
 */
export function startSweeper(deps: WorkerDeps): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = sweepOnce(deps).catch((err) => deps.logger.error({ err }, "sweep failed"));
  }, deps.settings.sweep.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
