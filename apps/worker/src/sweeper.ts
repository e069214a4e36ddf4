import type { RequestToPublish } from "@reports/db";
import type { WorkerDeps } from "./deps";

/** Requests one pass takes at most; the next pass takes the rest. */
const BATCH = 500;

/**
 * Publishes what the relay, the sweeper or the end of an owner's render took (already marked enqueued in the
 * database, outside any transaction now). A `queued` request whose publish fails goes back to the relay; a
 * `processing` one waits for the next sweep. Returns how many went out.
 */
export async function publishTaken(deps: WorkerDeps, taken: RequestToPublish[]): Promise<number> {
  const failed: string[] = [];
  for (const [i, request] of taken.entries()) {
    try {
      await deps.queue.publish({ requestId: request.requestId, attempt: request.attempts + 1 });
    } catch (err) {
      // the broker is away: the rest would fail the same way
      deps.logger.warn({ err, requestId: request.requestId }, "republish failed; will try again");
      failed.push(...taken.slice(i).flatMap((t) => (t.status === "queued" ? [t.requestId] : [])));
      break;
    }
  }
  await deps.repo.markUnpublished(failed);
  return taken.length - taken.filter((t) => failed.includes(t.requestId)).length;
}

/**
 * The relay: publishes stored `queued` requests whose message no broker confirmed (the BFF's publish failed or
 * timed out while the broker was away). The stored row is the outbox; each pass takes a batch in one statement,
 * so replicas never take the same request. Returns how many it published.
 */
export async function relayOnce(deps: WorkerDeps, options: { afterMs?: number } = {}): Promise<number> {
  const taken = await deps.repo.takeUnpublished({
    olderThanMs: options.afterMs ?? deps.settings.relay.afterMs,
    limit: BATCH,
  });
  const published = await publishTaken(deps, taken);
  if (published > 0) deps.logger.info({ published }, "relay published stored requests");
  return published;
}

/**
 * Republishes requests no message will bring to a worker: `queued` ones whose message was lost and
 * `processing` ones whose worker died (lease expired). A duplicate message is harmless: the claim lets one
 * worker through. Returns how many it republished.
 */
export async function sweepOnce(
  deps: WorkerDeps,
  options: { staleAfterMs?: number; limit?: number } = {},
): Promise<number> {
  const taken = await deps.repo.takeStranded({
    staleAfterMs: options.staleAfterMs ?? deps.settings.sweep.staleAfterMs,
    limit: options.limit ?? BATCH,
  });
  const republished = await publishTaken(deps, taken);
  if (republished > 0) deps.logger.warn({ republished }, "sweeper republished stranded requests");
  return republished;
}

/** Runs `pass` every `intervalMs`, one pass at a time, until stopped. */
function every(intervalMs: number, pass: () => Promise<unknown>, onError: (err: unknown) => void) {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    running ??= pass()
      .catch(onError)
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/**
 * Runs {@link relayOnce} every `settings.relay.intervalMs` and {@link sweepOnce} every
 * `settings.sweep.intervalMs` until stopped.
 *
 * @example
 * const sweeper = startSweeper(deps);
 * process.once("SIGTERM", () => sweeper.stop());
 */
export function startSweeper(deps: WorkerDeps): { stop(): Promise<void> } {
  const stopRelay = every(
    deps.settings.relay.intervalMs,
    () => relayOnce(deps),
    (err) => deps.logger.error({ err }, "relay failed"),
  );
  const stopSweep = every(
    deps.settings.sweep.intervalMs,
    () => sweepOnce(deps),
    (err) => deps.logger.error({ err }, "sweep failed"),
  );
  return {
    async stop() {
      await Promise.all([stopRelay(), stopSweep()]);
    },
  };
}
