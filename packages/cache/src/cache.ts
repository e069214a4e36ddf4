import type { CachedStatus } from "@reports/contracts";

/** What `subscribe` returns: call it to stop; `ready` says whether events will flow. */
export type Unsubscribe = (() => void) & {
  /**
   * Resolves true once events for this subscription are being received (subscribe, await ready,
   * then read the current status: no event is lost in between), false when they cannot be (Redis down).
   */
  ready: Promise<boolean>;
};

/**
 * The status cache in front of the database: versioned, so an older status never overwrites
 * a newer one, and a status event stream for subscriptions. A cache failure is a miss, never an error.
 */
export interface StatusCache {
  /** The cached status, or null on a miss (or when the cache is unavailable). */
  get(requestId: string): Promise<CachedStatus | null>;
  /** Writes unless the entry already holds this version or a newer one; returns whether it wrote. */
  set(status: CachedStatus): Promise<boolean>;
  /**
   * Write-through `set` plus a status event to every subscriber of the request, in any process.
   * The event goes out even when the entry was already as new (a refill may have won the race);
   * listeners never see a version lower than one they have already seen.
   */
  publish(status: CachedStatus): Promise<void>;
  subscribe(requestId: string, listener: (status: CachedStatus) => void): Unsubscribe;
  /**
   * Drops the entries of requests that no longer exist (the retention job deleted them), so none answers from the
   * cache until its TTL. A failure is logged, not thrown: a TTL still ends the entry.
   */
  forget(requestIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
