import type { Logger } from "@reports/logger";
import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";

/** A per-owner or per-address limit over a one-minute window. */
export interface LimiterOptions {
  perMinute: number;
  /** Shared by every BFF replica; without it, each process counts alone. */
  redis?: Redis;
  /** Prefix of the limiter's Redis keys (REDIS_PREFIX); its own name follows it. */
  keyPrefix: string;
  logger: Logger;
}

/**
 * Takes `points` (a request's procedure calls; 1 by default) from `owner`'s budget: resolves with the seconds
 * to wait when that is over its rate (nothing of the request runs), or null when the request may go on.
 */
export type RateLimit = (owner: string, points?: number) => Promise<number | null>;

/**
 * Per-owner rate limiting over a one-minute window: shared through Redis when given (every BFF replica counts
 * against one budget), else in this process. A request is judged here, without a round trip: see
 * {@link sharedMinuteLimit}. A Redis failure lets requests through (each replica counting alone meanwhile): a slow
 * cache must not fail the API.
 */
export function createRateLimit(options: LimiterOptions): RateLimit {
  if (options.perMinute <= 0) return async () => null;
  if (options.redis) return sharedMinuteLimit({ ...options, redis: options.redis });
  const memory = new RateLimiterMemory({ points: options.perMinute, duration: 60 });
  return async (owner, points = 1) => {
    try {
      await memory.consume(owner, points);
      return null;
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
      throw outcome;
    }
  };
}

/** How often a replica sends what it counted to Redis and learns what the others did. */
export const RATE_SYNC_MS = 50;

interface OwnerMinute {
  /** The minute (ms since the epoch ÷ 60,000) the counts are of. */
  minute: number;
  /** The shared count as Redis last gave it (this replica's sent points included). */
  shared: number;
  /** Points taken here and not yet sent. */
  pending: number;
  /** Points sent and not yet answered (counted, so that a slow answer lets nothing more through). */
  sending: number;
  /** When Redis last gave the shared count (0: never this minute). */
  syncedAt: number;
  /** A sync of this owner under way, which requests wait for. */
  syncing?: Promise<void> | undefined;
}

/**
 * A fixed one-minute window per owner whose count lives in Redis (`{prefix}rate:{owner}:{minute}`), judged in this
 * process from the shared count Redis last gave. The points taken here go to Redis every `RATE_SYNC_MS`, all owners
 * in one pipeline (`INCRBY`, whose answer is the shared count, and `PEXPIRE`); a request waits for a round trip only
 * when its owner's shared count here is older than that (its first request in a while). The price: a replica learns
 * of the others' requests up to `RATE_SYNC_MS` late, so together they may let through a few requests over the limit
 * (at most what the others take in that time). rate-limiter-flexible's Redis limiter makes a round trip for every
 * request: ~40 µs of the BFF's CPU per cached status read, which costs ~70 without it.
 */
function sharedMinuteLimit(options: LimiterOptions & { redis: Redis }): RateLimit {
  const owners = new Map<string, OwnerMinute>();
  let timer: NodeJS.Timeout | undefined;
  let current = 0;
  let warned = false;
  const keyOf = (owner: string, minute: number) => `${options.keyPrefix}rate:${owner}:${minute}`;

  /** Sends the pending points of `states` (adding 0 to learn a count) and keeps the shared counts Redis answers. */
  const sync = async (states: ReadonlyArray<[string, OwnerMinute]>): Promise<void> => {
    const batch = states.map(([owner, state]) => ({ owner, state, points: state.pending }));
    const pipeline = options.redis.pipeline();
    for (const { owner, state, points } of batch) {
      state.pending -= points;
      state.sending += points;
      pipeline.incrby(keyOf(owner, state.minute), points).pexpire(keyOf(owner, state.minute), 120_000);
    }
    const at = Date.now();
    let answered = 0;
    try {
      const results = (await pipeline.exec()) ?? [];
      for (const { state, points } of batch) {
        const [error, shared] = results[answered * 2] ?? [new Error("no answer from Redis")];
        if (error) throw error;
        state.shared = Math.max(state.shared, Number(shared));
        state.sending -= points;
        state.syncedAt = at;
        answered++;
      }
      warned = false;
    } catch (error) {
      // unanswered, the points stay counted here: requests go on, judged by this replica alone meanwhile
      for (const { state, points } of batch.slice(answered)) {
        state.shared += points;
        state.sending -= points;
        state.syncedAt = at;
      }
      if (!warned) options.logger.warn({ err: error }, "rate limit unavailable in Redis; counting in this process");
      warned = true;
    }
  };

  const flushSoon = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      void sync([...owners].filter(([, state]) => state.pending > 0));
    }, RATE_SYNC_MS);
    timer.unref();
  };

  return async (owner, points = 1) => {
    const minute = Math.floor(Date.now() / 60_000);
    if (minute !== current) {
      // a new minute: the last one's counts are forgotten (their keys expire in Redis), once sent
      current = minute;
      for (const [name, other] of owners) if (other.pending === 0 && other.sending === 0) owners.delete(name);
    }
    let state = owners.get(owner);
    if (state?.minute !== minute) {
      state = { minute, shared: 0, pending: 0, sending: 0, syncedAt: 0 };
      owners.set(owner, state);
    }
    while (state.syncing) await state.syncing;
    if (Date.now() - state.syncedAt > RATE_SYNC_MS) {
      const syncing = sync([[owner, state]]);
      state.syncing = syncing;
      await syncing;
      state.syncing = undefined;
    }
    if (state.shared + state.sending + state.pending + points > options.perMinute) return secondsLeft(Date.now());
    state.pending += points;
    flushSoon();
    return null;
  };
}

/** Whole seconds to the next minute (at least 1). */
const secondsLeft = (now: number) => Math.max(1, Math.ceil((60_000 - (now % 60_000)) / 1000));

/** Failed authentications per client address: refused cheaply (no key lookup) once over the limit. */
export interface AuthFailureLimit {
  /** The seconds `address` must wait before trying again, or null when it may try. */
  blockedFor(address: string): Promise<number | null>;
  /** Counts one failed authentication from `address`. */
  failed(address: string): Promise<void>;
}

/**
 * `perMinute` failed authentications per client address over a one-minute window (0: unlimited), in Redis when
 * given; like the owner limit, a Redis failure lets requests through.
 */
export function createAuthFailureLimit(options: LimiterOptions): AuthFailureLimit {
  if (options.perMinute <= 0) return { blockedFor: async () => null, failed: async () => {} };
  const base = { points: options.perMinute, duration: 60, keyPrefix: `${options.keyPrefix}authfail` };
  const memory = new RateLimiterMemory(base);
  const limiter = options.redis
    ? new RateLimiterRedis({ ...base, storeClient: options.redis, insuranceLimiter: memory })
    : memory;
  return {
    async blockedFor(address) {
      try {
        const state = await limiter.get(address);
        if (!state || state.consumedPoints < options.perMinute) return null;
        return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
      } catch (error) {
        options.logger.warn({ err: error }, "auth failure limiter unavailable; request let through");
        return null;
      }
    },
    async failed(address) {
      await limiter.penalty(address, 1).catch((error: unknown) => {
        options.logger.warn({ err: error }, "auth failure limiter unavailable; failure not counted");
      });
    },
  };
}
