import { randomUUID } from "node:crypto";
import type { Logger } from "@reports/logger";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteKeys, REDIS_URL, statusAt } from "./fixtures";
import { createRedisCache } from "./redis";

/** Records warnings so a test can see that failures are logged, not thrown. */
function recordingLogger() {
  const lines: Array<{ level: string; msg: string; fields: object }> = [];
  const at =
    (level: string) =>
    (fields: object, msg = "") => {
      lines.push({ level, msg, fields });
    };
  const logger = { warn: at("warn"), info: at("info"), error: at("error") } as unknown as Logger;
  return { logger, lines };
}

describe("Redis status cache", () => {
  const keyPrefix = `test:${randomUUID()}:`;
  const admin = new Redis(REDIS_URL);
  const cache = createRedisCache({ url: REDIS_URL, keyPrefix, ttlSeconds: 600 });

  afterAll(async () => {
    await cache.close();
    await deleteKeys(keyPrefix);
    admin.disconnect();
  });

  it("keeps a final entry as JSON under <prefix>status:<id> with the TTL", async () => {
    const status = statusAt(randomUUID(), 1, "done");
    await cache.set(status);

    const key = `${keyPrefix}status:${status.requestId}`;
    expect(JSON.parse((await admin.get(key)) ?? "null")).toEqual(status);
    expect(await admin.ttl(key)).toBeGreaterThan(590);
  });

  it("publishes a status with its write (one script), and an older one than it holds neither", async () => {
    const id = randomUUID();
    const listener = new Redis(REDIS_URL);
    const heard: number[] = [];
    listener.on("message", (_channel: string, message: string) => {
      const status = message.includes(id) ? (JSON.parse(message) as { version: number }) : undefined;
      if (status) heard.push(status.version);
    });
    await listener.subscribe(`${keyPrefix}status-events`);
    for (const version of [2, 1, 2, 3]) await cache.publish(statusAt(id, version));

    // 1 is older than the 2 held: neither written nor sent; the second 2 is sent again (a refill may have won)
    await expect.poll(() => heard).toEqual([2, 2, 3]);
    expect(JSON.parse((await admin.get(`${keyPrefix}status:${id}`)) ?? "null")).toMatchObject({ version: 3 });
    listener.disconnect();
  });

  it("keeps a pending entry only briefly, so a lost newer write heals from the database", async () => {
    const status = statusAt(randomUUID(), 1, "processing");
    await cache.set(status);
    const ttl = await admin.ttl(`${keyPrefix}status:${status.requestId}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it("counts a corrupt entry as a miss, and overwrites it on the next set", async () => {
    const id = randomUUID();
    const key = `${keyPrefix}status:${id}`;
    await admin.set(key, "{not json");
    expect(await cache.get(id)).toBeNull();

    await admin.set(key, JSON.stringify({ ...statusAt(id, 9), status: "exploded" }));
    expect(await cache.get(id)).toBeNull();

    await admin.set(key, "{not json");
    expect(await cache.set(statusAt(id, 1))).toBe(true);
    expect(await cache.get(id)).toEqual(statusAt(id, 1));
  });

  it("still compares and sets after Redis forgets its scripts", async () => {
    const id = randomUUID();
    await cache.set(statusAt(id, 2));
    await admin.script("FLUSH");

    expect(await cache.set(statusAt(id, 1))).toBe(false);
    expect(await cache.set(statusAt(id, 3))).toBe(true);
  });

  it("ignores a malformed event on the channel and delivers the next good one", async () => {
    const id = randomUUID();
    const got: number[] = [];
    const unsubscribe = cache.subscribe(id, (s) => got.push(s.version));
    expect(await unsubscribe.ready).toBe(true);

    await admin.publish(`${keyPrefix}status-events`, "garbage");
    await admin.publish(`${keyPrefix}status-events`, JSON.stringify({ requestId: id, version: 99 }));
    await cache.publish(statusAt(id, 1));

    await expect.poll(() => got).toEqual([1]);
    unsubscribe();
  });
});

describe("Redis status cache with Redis unreachable", () => {
  const { logger, lines } = recordingLogger();
  const down = createRedisCache({
    url: "redis://127.0.0.1:1",
    logger,
    redisOptions: { connectTimeout: 200, maxRetriesPerRequest: 0, enableOfflineQueue: false },
  });
  // Our defaults alone must bound a call, without the test's fail-fast options.
  const downWithDefaults = createRedisCache({ url: "redis://127.0.0.1:1" });

  beforeAll(async () => {
    // Let the first connection attempt fail, as in a process whose Redis went away.
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
  afterAll(async () => {
    await Promise.all([down.close(), downWithDefaults.close()]);
  });

  it("misses on get, refuses set and swallows publish, quickly and without throwing", async () => {
    const id = randomUUID();
    const started = performance.now();

    expect(await down.get(id)).toBeNull();
    expect(await down.set(statusAt(id, 1))).toBe(false);
    await expect(down.publish(statusAt(id, 2))).resolves.toBeUndefined();

    expect(performance.now() - started).toBeLessThan(250);
    expect(lines.filter((l) => l.level === "warn").length).toBeGreaterThan(0);
  });

  it("says a subscription is not ready instead of hanging", async () => {
    const unsubscribe = down.subscribe(randomUUID(), () => {});
    expect(await unsubscribe.ready).toBe(false);
    unsubscribe();
  });

  it("gives up within about a second per call with the default options", async () => {
    const id = randomUUID();
    const started = performance.now();

    expect(await downWithDefaults.get(id)).toBeNull();
    expect(await downWithDefaults.set(statusAt(id, 1))).toBe(false);

    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
