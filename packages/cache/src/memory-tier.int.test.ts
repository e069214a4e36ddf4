import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { startTcpProxy } from "../../../test/support/tcp-proxy";
import { deleteKeys, REDIS_URL, statusAt } from "./fixtures";
import { createRedisCache } from "./redis";

/** Polls `read` until it returns what `done` accepts, or fails after `ms`. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves once the cache receives status events (its memory answers from then on). */
async function live(cache: ReturnType<typeof createRedisCache>) {
  const stop = cache.subscribe(randomUUID(), () => undefined);
  expect(await stop.ready).toBe(true);
  stop();
}

describe("Redis status cache with statuses in memory", () => {
  const keyPrefix = `test:${randomUUID()}:`;
  const admin = new Redis(REDIS_URL);
  const cache = createRedisCache({ url: REDIS_URL, keyPrefix, memoryEntries: 100 });
  // another process: it writes and publishes, and holds nothing in memory
  const writer = createRedisCache({ url: REDIS_URL, keyPrefix });
  const keyOf = (id: string) => `${keyPrefix}status:${id}`;

  afterAll(async () => {
    await Promise.all([cache.close(), writer.close()]);
    await deleteKeys(keyPrefix);
    admin.disconnect();
  });

  it("answers a read from memory, without asking Redis", async () => {
    await live(cache);
    const id = randomUUID();
    await cache.set(statusAt(id, 1));
    // Redis changes behind the cache's back (no event): only a read that asks Redis would see it
    await admin.set(keyOf(id), JSON.stringify(statusAt(id, 5)));

    expect((await cache.get(id))?.version).toBe(1);
    expect((await writer.get(id))?.version).toBe(5);
  });

  it("forgets a request another process deleted (the retention), at once and not after memory's TTL", async () => {
    await live(cache);
    const [gone, kept] = [randomUUID(), randomUUID()];
    for (const id of [gone, kept]) await writer.publish(statusAt(id, 3, "done"));
    await eventually(
      () => cache.get(gone),
      (s) => s?.version === 3,
    );
    // held in memory now: Redis changed behind its back would not show
    await admin.set(keyOf(kept), JSON.stringify(statusAt(kept, 9, "done")));
    expect((await cache.get(kept))?.version).toBe(3);

    await writer.forget([gone]);

    expect(
      await eventually(
        () => cache.get(gone),
        (s) => s === null,
        2_000,
      ),
    ).toBeNull();
    expect(await admin.exists(keyOf(gone))).toBe(0);
    expect((await cache.get(kept))?.version).toBe(3);
  });

  it("stays exact: another process's status events replace what memory holds", async () => {
    await live(cache);
    const id = randomUUID();
    await writer.publish(statusAt(id, 1));
    expect(
      (
        await eventually(
          () => cache.get(id),
          (s) => s?.version === 1,
        )
      )?.version,
    ).toBe(1);

    await writer.publish(statusAt(id, 2, "done"));
    const seen = await eventually(
      () => cache.get(id),
      (s) => s?.version === 2,
    );
    expect(seen).toEqual(statusAt(id, 2, "done"));
  });

  it("never moves back to an older version", async () => {
    await live(cache);
    const id = randomUUID();
    await writer.publish(statusAt(id, 3));
    await eventually(
      () => cache.get(id),
      (s) => s?.version === 3,
    );
    await cache.set(statusAt(id, 2));
    expect((await cache.get(id))?.version).toBe(3);
  });

  it("drops what it holds when its event stream breaks, and serves Redis's value after", async () => {
    const proxy = await startTcpProxy({ host: "127.0.0.1", port: 6379 });
    const viaProxy = createRedisCache({
      url: `redis://127.0.0.1:${proxy.port}`,
      keyPrefix,
      memoryEntries: 100,
      redisOptions: { retryStrategy: () => 100 },
    });
    try {
      await live(viaProxy);
      const id = randomUUID();
      await viaProxy.set(statusAt(id, 1));
      expect((await viaProxy.get(id))?.version).toBe(1);

      // an event this process cannot receive: while the stream is down, memory must not answer for it
      await proxy.cut();
      await writer.publish(statusAt(id, 4));
      // the drop comes with the connection's close, which the client sees a moment after the cut (within 2 s)
      expect(
        await eventually(
          () => viaProxy.get(id),
          (s) => s === null,
          2_000,
        ),
      ).toBeNull();

      await proxy.restore();
      const after = await eventually(
        () => viaProxy.get(id),
        (s) => s?.version === 4,
      );
      expect(after?.version).toBe(4);

      // subscribed again: events reach its listeners and its memory once more
      const heard: number[] = [];
      const stop = viaProxy.subscribe(id, (status) => heard.push(status.version));
      let version = 4;
      await eventually(
        async () => {
          version += 1;
          await writer.publish(statusAt(id, version));
          return heard;
        },
        (seen) => seen.length > 0,
      );
      stop();
      const last = version;
      await eventually(
        () => viaProxy.get(id),
        (s) => s?.version === last,
      );
      // held in memory again: a change behind its back (no event) is not seen
      await admin.set(keyOf(id), JSON.stringify(statusAt(id, 99)));
      expect((await viaProxy.get(id))?.version).toBe(last);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });
});
