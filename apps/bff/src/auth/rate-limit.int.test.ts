import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { silentLogger } from "@reports/logger";
import { Redis } from "ioredis";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createRateLimit, RATE_SYNC_MS } from "./rate-limit";

describe("per-owner rate limit", () => {
  const redis = new Redis("redis://127.0.0.1:6379");
  afterAll(() => redis.disconnect());

  const keyPrefix = `test-${randomUUID()}:`;
  const synced = () => sleep(RATE_SYNC_MS * 3);
  // the windows are the clock's minutes: a test that counts within one starts clear of a minute's turn
  beforeEach(async () => {
    const toTurn = 60_000 - (Date.now() % 60_000);
    if (toTurn < 2_000) await sleep(toTurn + 50);
  });

  it("is shared through Redis by every BFF replica, per owner, each learning the others' count", async () => {
    const owner = `owner-${randomUUID()}`;
    const [a, b] = [1, 2].map(() => createRateLimit({ perMinute: 4, redis, keyPrefix, logger: silentLogger() }));
    if (!a || !b) throw new Error("no limiters");
    expect([await a(owner), await a(owner), await a(owner)]).toEqual([null, null, null]);
    await synced();
    expect(await b(owner)).toBeNull(); // the 4th of the minute
    expect(await b(owner)).toBeGreaterThan(0);
    await synced();
    expect(await a(owner)).toBeGreaterThan(0); // a learnt of b's
    expect(await a(`other-${randomUUID()}`)).toBeNull();
  });

  it("takes a tRPC batch's calls as that many points", async () => {
    const owner = `owner-${randomUUID()}`;
    const limit = createRateLimit({ perMinute: 10, redis, keyPrefix, logger: silentLogger() });
    expect(await limit(owner, 8)).toBeNull();
    expect(await limit(owner, 3)).toBeGreaterThan(0);
    expect(await limit(owner, 2)).toBeNull();
  });

  it("judges a busy owner's requests without a round trip each, and counts them all in Redis", async () => {
    const owner = `owner-${randomUUID()}`;
    const client = new Redis("redis://127.0.0.1:6379");
    const pipelines = vi.spyOn(client, "pipeline");
    try {
      const limit = createRateLimit({ perMinute: 1_000, redis: client, keyPrefix, logger: silentLogger() });
      const waits = await Promise.all(Array.from({ length: 200 }, () => limit(owner)));
      expect(waits.every((w) => w === null)).toBe(true);
      await synced();
      expect(pipelines.mock.calls.length).toBeLessThanOrEqual(3);
      const [key] = await redis.keys(`${keyPrefix}rate:${owner}:*`);
      expect(Number(await redis.get(key as string))).toBe(200);
      expect(await redis.pttl(key as string)).toBeGreaterThan(60_000);
    } finally {
      client.disconnect();
    }
  });

  it("counts each deployment (REDIS_PREFIX) apart on a shared Redis", async () => {
    const owner = `owner-${randomUUID()}`;
    const other = `test-${randomUUID()}:`;
    const limit = createRateLimit({ perMinute: 1, redis, keyPrefix, logger: silentLogger() });
    const otherLimit = createRateLimit({ perMinute: 1, redis, keyPrefix: other, logger: silentLogger() });
    expect(await limit(owner)).toBeNull();
    expect(await limit(owner)).toBeGreaterThan(0);
    expect(await otherLimit(owner)).toBeNull();
    await synced();
    expect(await redis.keys(`${keyPrefix}rate:${owner}:*`)).toHaveLength(1);
    expect(await redis.keys(`${other}rate:${owner}:*`)).toHaveLength(1);
  });

  it("lets requests through when Redis is unreachable, counting them in this process", async () => {
    const down = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    down.on("error", () => {});
    const owner = `owner-${randomUUID()}`;
    const limit = createRateLimit({ perMinute: 2, redis: down, keyPrefix, logger: silentLogger() });
    expect(await limit(owner)).toBeNull();
    expect(await limit(owner)).toBeNull();
    expect(await limit(owner)).toBeGreaterThan(0);
    down.disconnect();
  });

  it("counts in this process without Redis", async () => {
    const limit = createRateLimit({ perMinute: 2, keyPrefix, logger: silentLogger() });
    const owner = `owner-${randomUUID()}`;
    expect([await limit(owner), await limit(owner)]).toEqual([null, null]);
    expect(await limit(owner)).toBeGreaterThan(0);
  });
});
