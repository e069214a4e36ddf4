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
 * Per-owner rate limiting over a one-minute window: in Redis when given (shared by every BFF replica),
 * else in this process. A Redis failure lets requests through (counted in memory meanwhile): a slow
 * cache must not fail the API.
 */
export function createRateLimit(options: LimiterOptions): RateLimit {
  if (options.perMinute <= 0) return async () => null;
  const base = { points: options.perMinute, duration: 60, keyPrefix: `${options.keyPrefix}rate` };
  const memory = new RateLimiterMemory(base);
  const limiter = options.redis
    ? new RateLimiterRedis({ ...base, storeClient: options.redis, insuranceLimiter: memory })
    : memory;
  return async (owner, points = 1) => {
    try {
      await limiter.consume(owner, points);
      return null;
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
      options.logger.warn({ err: outcome }, "rate limiter unavailable; request let through");
      return null;
    }
  };
}

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
