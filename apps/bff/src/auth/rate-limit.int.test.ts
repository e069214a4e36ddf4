import { randomUUID } from "node:crypto";
import { silentLogger } from "@reports/logger";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createRateLimit } from "./rate-limit";

describe("per-owner rate limit", () => {
  const redis = new Redis("redis://127.0.0.1:6379");
  afterAll(() => redis.disconnect());

  it("is shared through Redis by every BFF replica, per owner", async () => {
    const owner = `owner-${randomUUID()}`;
    const replicas = [1, 2].map(() => createRateLimit({ perMinute: 4, redis, logger: silentLogger() }));
    const waits: Array<number | null> = [];
    for (let i = 0; i < 6; i++) waits.push(await (replicas[i % 2] as (o: string) => Promise<number | null>)(owner));
    expect(waits.slice(0, 4)).toEqual([null, null, null, null]);
    expect(waits[4]).toBeGreaterThan(0);
    expect(await (replicas[0] as (o: string) => Promise<number | null>)(`other-${randomUUID()}`)).toBeNull();
    await redis.del(`reports:rate:${owner}`);
  });

  it("lets requests through when Redis is unreachable", async () => {
    const down = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    down.on("error", () => {});
    const limit = createRateLimit({ perMinute: 100, redis: down, logger: silentLogger() });
    expect(await limit(`owner-${randomUUID()}`)).toBeNull();
    down.disconnect();
  });
});
