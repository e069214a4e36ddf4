import { randomUUID } from "node:crypto";
import { silentLogger } from "@reports/logger";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createRateLimit } from "./rate-limit";

describe("per-owner rate limit", () => {
  const redis = new Redis("redis://127.0.0.1:6379");
  afterAll(() => redis.disconnect());

  const keyPrefix = `test-${randomUUID()}:`;

  it("is shared through Redis by every BFF replica, per owner", async () => {
    const owner = `owner-${randomUUID()}`;
    const replicas = [1, 2].map(() => createRateLimit({ perMinute: 4, redis, keyPrefix, logger: silentLogger() }));
    const waits: Array<number | null> = [];
    for (let i = 0; i < 6; i++) waits.push(await (replicas[i % 2] as (o: string) => Promise<number | null>)(owner));
    expect(waits.slice(0, 4)).toEqual([null, null, null, null]);
    expect(waits[4]).toBeGreaterThan(0);
    expect(await (replicas[0] as (o: string) => Promise<number | null>)(`other-${randomUUID()}`)).toBeNull();
    await redis.del(`${keyPrefix}rate:${owner}`);
  });

  it("counts each deployment (REDIS_PREFIX) apart on a shared Redis", async () => {
    const owner = `owner-${randomUUID()}`;
    const other = `test-${randomUUID()}:`;
    const limit = createRateLimit({ perMinute: 1, redis, keyPrefix, logger: silentLogger() });
    const otherLimit = createRateLimit({ perMinute: 1, redis, keyPrefix: other, logger: silentLogger() });
    expect(await limit(owner)).toBeNull();
    expect(await limit(owner)).toBeGreaterThan(0);
    expect(await otherLimit(owner)).toBeNull();
    expect(await redis.exists(`${keyPrefix}rate:${owner}`, `${other}rate:${owner}`)).toBe(2);
    await redis.del(`${keyPrefix}rate:${owner}`, `${other}rate:${owner}`);
  });

  it("lets requests through when Redis is unreachable", async () => {
    const down = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    down.on("error", () => {});
    const limit = createRateLimit({ perMinute: 100, redis: down, keyPrefix, logger: silentLogger() });
    expect(await limit(`owner-${randomUUID()}`)).toBeNull();
    down.disconnect();
  });
});
