import { type CachedStatus, isFinal, type ReportStatus } from "@reports/contracts";
import type { AppDeps } from "../deps";
import { getReportStatus } from "./service";

/** An SSE event id: the write it shows, and the progress within it. */
export const statusEventId = (status: ReportStatus) => `${status.updatedAt}~${status.progress ?? ""}`;

/** How often a stream re-reads the status when no event came: heals an event lost in a Redis reconnection. */
export const RECHECK_MS = 15_000;
/** How often it re-reads when the cache cannot deliver events at all (Redis down). */
export const POLL_MS = 1_000;

/** Whether `next` moves a client forward from `last`: a later write, or more progress within one write. */
export function isNewer(next: ReportStatus | CachedStatus, last: ReportStatus): boolean {
  if (next.updatedAt !== last.updatedAt) return next.updatedAt > last.updatedAt;
  if (next.status !== last.status) return isFinal(next.status);
  return (next.progress ?? -1) > (last.progress ?? -1);
}

/** A queue an event listener pushes into and one async reader waits on, with a timed wait. */
class Mailbox<T> {
  readonly #items: T[] = [];
  #wake: (() => void) | undefined;

  push(item: T): void {
    this.#items.push(item);
    this.#wake?.();
  }

  /** The next item, or undefined after `ms` or when `signal` aborts. */
  async take(ms: number, signal: AbortSignal): Promise<T | undefined> {
    if (this.#items.length === 0 && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          this.#wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal.addEventListener("abort", done, { once: true });
        this.#wake = done;
      });
    }
    return this.#items.shift();
  }
}

/**
 * Opens a live view of one report's status for `owner`: subscribes to the cache's status events,
 * waits until they flow, then reads the current status (so nothing published in between is lost).
 * Throws the same errors as `getReportStatus` (malformed id, 404 for an unknown or another owner's
 * request) before anything is streamed; the generator then yields the current status at once and
 * every newer one until a final state, or until `signal` aborts.
 *
 * @example
 * const statuses = await openStatusStream(deps, requestId, owner, signal);
 * for await (const status of statuses) send(status);
 */
export async function openStatusStream(
  deps: AppDeps,
  requestId: string,
  owner: string,
  signal: AbortSignal,
): Promise<AsyncGenerator<ReportStatus>> {
  const mailbox = new Mailbox<CachedStatus>();
  const unsubscribe = deps.cache.subscribe(requestId.toLowerCase(), (status) => mailbox.push(status));
  // a client gone before the stream is first read still releases its listener
  signal.addEventListener("abort", unsubscribe, { once: true });
  let first: ReportStatus;
  let live: boolean;
  try {
    live = await unsubscribe.ready;
    first = await getReportStatus(deps, requestId, owner);
  } catch (error) {
    unsubscribe();
    throw error;
  }

  async function* stream(): AsyncGenerator<ReportStatus> {
    try {
      let last = first;
      yield last;
      while (!isFinal(last.status) && !signal.aborted) {
        const event = await mailbox.take(live ? RECHECK_MS : POLL_MS, signal);
        if (signal.aborted) return;
        let next: ReportStatus | undefined;
        if (!event) {
          next = await getReportStatus(deps, requestId, owner);
        } else if (isNewer(event, last)) {
          // a final status is read back for its freshly signed download link
          next = isFinal(event.status) ? await getReportStatus(deps, requestId, owner) : toClientStatus(event);
          if (!isNewer(next, last)) next = toClientStatus(event);
        }
        if (next && isNewer(next, last)) {
          last = next;
          yield last;
        }
      }
    } finally {
      signal.removeEventListener("abort", unsubscribe);
      unsubscribe();
    }
  }
  return stream();
}

function toClientStatus(cached: CachedStatus): ReportStatus {
  const { fileKey: _fileKey, version: _version, owner: _owner, ...status } = cached;
  return { ...status, url: null };
}
