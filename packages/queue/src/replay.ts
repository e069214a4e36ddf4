import type { ReportQueue } from "./types";

/** Where failed requests are kept (the report repository of `@reports/db`): the source of truth of what failed. */
export interface FailedRequestStore<Row extends object = object> {
  findById(requestId: string): Promise<{ status: string } | null>;
  listFailed(limit: number): Promise<Array<{ requestId: string }>>;
  /** Back to `queued` with fresh attempts; null when the request is not in `error`. */
  requeueFailed(requestId: string): Promise<Row | null>;
  /** Which of these requests are in `error`. */
  failedAmong(requestIds: readonly string[]): Promise<ReadonlySet<string>>;
}

export interface ReplayOptions<Row extends object = object> {
  /** Only these requests; all requests in `error` when absent. */
  ids?: readonly string[];
  dryRun?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Called with each request as it was put back to `queued`, once it is republished (e.g. to tell a cache). */
  onReplayed?: (row: Row) => Promise<void> | void;
  /**
   * Leave the dead letters for one {@link pruneDeadLetters} after the last batch (a caller replaying in batches:
   * removing them per batch would read the whole dead-letter queue once per batch).
   */
  keepDeadLetters?: boolean;
}

export interface ReplaySummary {
  /** Requests in `error` that were selected. */
  selected: string[];
  /** Requests put back to `queued` and republished. */
  replayed: string[];
  /** Asked for but not in `error` (unknown, or not failed): left alone. */
  skipped: string[];
  /** Dead-letter messages removed for the replayed requests. */
  deadLettersRemoved: number;
}

/**
 * Moves failed (dead-lettered) requests back to `queued` with fresh attempts, republishes them, and
 * takes their messages out of the dead-letter queue. The database decides what is failed; the
 * dead-letter queue is cleaned after. The replay command and the dashboard both run this.
 */
export async function replayDeadLetters<Row extends object>(
  deps: {
    repo: Omit<FailedRequestStore<Row>, "failedAmong">;
    queue: Pick<ReportQueue, "publish" | "removeDeadLetters">;
  },
  options: ReplayOptions<Row> = {},
): Promise<ReplaySummary> {
  const skipped: string[] = [];
  let selected: string[];
  if (options.ids) {
    selected = [];
    for (const id of options.ids) {
      const row = await deps.repo.findById(id);
      if (row?.status === "error") selected.push(id);
      else skipped.push(id);
    }
  } else {
    selected = (await deps.repo.listFailed(Number.MAX_SAFE_INTEGER)).map((row) => row.requestId);
  }
  const summary: ReplaySummary = { selected, replayed: [], skipped, deadLettersRemoved: 0 };
  if (options.dryRun) return summary;

  for (const [i, id] of selected.entries()) {
    const row = await deps.repo.requeueFailed(id);
    if (row) {
      await deps.queue.publish({ requestId: id, attempt: 1 });
      summary.replayed.push(id);
      await options.onReplayed?.(row);
    } else {
      skipped.push(id);
    }
    options.onProgress?.(i + 1, selected.length);
  }
  if (!options.keepDeadLetters) {
    summary.deadLettersRemoved = await deps.queue.removeDeadLetters(new Set(summary.replayed));
  }
  return summary;
}

/**
 * Takes out of the dead-letter queue every message whose request is no longer in `error` (replayed, or gone), in
 * one pass over the queue; returns how many.
 */
export function pruneDeadLetters(deps: {
  repo: Pick<FailedRequestStore, "failedAmong">;
  queue: Pick<ReportQueue, "pruneDeadLetters">;
}): Promise<number> {
  return deps.queue.pruneDeadLetters((ids) => deps.repo.failedAmong(ids));
}
