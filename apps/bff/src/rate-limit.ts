import type { Logger } from "@reports/logger";
import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";

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
export function createRateLimit(options: { perMinute: number; redis?: Redis; logger: Logger }): RateLimit {
  if (options.perMinute <= 0) return async () => null;
  const base = { points: options.perMinute, duration: 60, keyPrefix: "reports:rate" };
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
