import { randomUUID } from "node:crypto";
import type { CachedStatus } from "@reports/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StatusCache } from "./cache";
import { deleteKeys, REDIS_URL, statusAt } from "./fixtures";
import { createMemoryCache } from "./memory";
import { createRedisCache } from "./redis";

/** Resolves with the events a listener got once `count` have arrived, or rejects after `ms`. */
function collect(cache: StatusCache, requestId: string, count: number, ms = 3_000) {
  const events: CachedStatus[] = [];
  let unsubscribe: ReturnType<StatusCache["subscribe"]> | undefined;
  const done = new Promise<CachedStatus[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`got ${events.length} of ${count} events`)), ms);
    unsubscribe = cache.subscribe(requestId, (status) => {
      events.push(status);
      if (events.length === count) {
        clearTimeout(timer);
        resolve(events);
      }
    });
  });
  if (!unsubscribe) throw new Error("subscribe did not return");
  return { events, done, unsubscribe };
}

interface Replicas {
  /** The cache a worker publishes through. */
  writer: StatusCache;
  /** Another process's cache (a second BFF replica), or the same one in-process. */
  reader: StatusCache;
  close(): Promise<void>;
}

const drivers: Array<[string, () => Promise<Replicas>]> = [
  [
    "Redis",
    async () => {
      const keyPrefix = `test:${randomUUID()}:`;
      const writer = createRedisCache({ url: REDIS_URL, keyPrefix });
      const reader = createRedisCache({ url: REDIS_URL, keyPrefix });
      return {
        writer,
        reader,
        async close() {
          await Promise.all([writer.close(), reader.close()]);
          await deleteKeys(keyPrefix);
        },
      };
    },
  ],
  [
    "memory",
    async () => {
      const cache = createMemoryCache();
      return { writer: cache, reader: cache, close: () => cache.close() };
    },
  ],
];

describe.each(drivers)("status cache on %s", (_name, open) => {
  let replicas: Replicas;
  let cache: StatusCache;

  beforeAll(async () => {
    replicas = await open();
    cache = replicas.writer;
  });
  afterAll(async () => {
    await replicas.close();
  });

  it("misses with null for a request it has never seen", async () => {
    expect(await cache.get(randomUUID())).toBeNull();
  });

  it("returns what was set", async () => {
    const status = statusAt(randomUUID(), 1, "queued");
    expect(await cache.set(status)).toBe(true);
    expect(await cache.get(status.requestId)).toEqual(status);
  });

  it("never lets an older or equal version overwrite a newer one", async () => {
    const id = randomUUID();
    expect(await cache.set(statusAt(id, 3, "done"))).toBe(true);

    expect(await cache.set(statusAt(id, 2, "processing"))).toBe(false);
    expect(await cache.set({ ...statusAt(id, 3, "error"), error: { type: "INTERNAL", message: "x" } })).toBe(false);
    expect(await cache.get(id)).toMatchObject({ version: 3, status: "done" });

    expect(await cache.set(statusAt(id, 4, "queued"))).toBe(true);
    expect(await cache.get(id)).toMatchObject({ version: 4, status: "queued" });
  });

  it("forgets deleted requests at once, for every replica, and leaves the others", async () => {
    const [gone, alsoGone, kept] = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of [gone, alsoGone, kept]) await cache.set(statusAt(id, 5, "done"));

    await cache.forget([gone, alsoGone]);

    expect(await replicas.reader.get(gone)).toBeNull();
    expect(await replicas.reader.get(alsoGone)).toBeNull();
    expect(await replicas.reader.get(kept)).toMatchObject({ version: 5 });
    await expect(cache.forget([])).resolves.toBeUndefined();
  });

  it("keeps the highest version when 20 writers race", async () => {
    const id = randomUUID();
    const versions = Array.from({ length: 20 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);

    const written = await Promise.all(versions.map((v) => cache.set(statusAt(id, v))));

    expect(written.some(Boolean)).toBe(true);
    expect((await cache.get(id))?.version).toBe(20);
    // The writer of version 20 always wins; any other write that succeeded came before it.
    expect(written[versions.indexOf(20)]).toBe(true);
  });

  it("publishes through the cache and to a subscriber of another replica", async () => {
    const id = randomUUID();
    const { done, unsubscribe } = collect(replicas.reader, id, 1);
    expect(await unsubscribe.ready).toBe(true);

    await cache.publish(statusAt(id, 2, "done"));

    expect(await done).toEqual([statusAt(id, 2, "done")]);
    expect(await replicas.reader.get(id)).toEqual(statusAt(id, 2, "done"));
    unsubscribe();
  });

  it("still sends the event when the entry was already as new (a refill won the race)", async () => {
    const id = randomUUID();
    await cache.set(statusAt(id, 3, "done"));
    const { done, unsubscribe } = collect(replicas.reader, id, 1);
    await unsubscribe.ready;

    await cache.publish(statusAt(id, 3, "done"));

    expect((await done).map((s) => s.version)).toEqual([3]);
    unsubscribe();
  });

  it("gives each listener only increasing versions, and only of its own request", async () => {
    const id = randomUUID();
    const { events, done, unsubscribe } = collect(replicas.reader, id, 3);
    const other = collect(replicas.reader, randomUUID(), 1);
    await Promise.all([unsubscribe.ready, other.unsubscribe.ready]);

    for (const v of [2, 1, 2, 4, 3]) await cache.publish(statusAt(id, v));
    await cache.publish(statusAt(id, 5, "done"));

    await done;
    expect(events.map((s) => s.version)).toEqual([2, 4, 5]);
    expect(other.events).toEqual([]);
    unsubscribe();
    other.unsubscribe();
  });

  it("stops delivering to a listener once it unsubscribes", async () => {
    const id = randomUUID();
    const stays = collect(replicas.reader, id, 2);
    const leaves = collect(replicas.reader, id, 2);
    await Promise.all([stays.unsubscribe.ready, leaves.unsubscribe.ready]);

    await cache.publish(statusAt(id, 1, "queued"));
    await expect.poll(() => leaves.events.length).toBe(1);
    leaves.unsubscribe();
    await cache.publish(statusAt(id, 2, "processing"));

    await stays.done;
    expect(leaves.events.map((s) => s.version)).toEqual([1]);
    stays.unsubscribe();
  });

  it("keeps delivering to the other listeners when one throws", async () => {
    const id = randomUUID();
    const throws = replicas.reader.subscribe(id, () => {
      throw new Error("broken SSE stream");
    });
    const { done, unsubscribe } = collect(replicas.reader, id, 1);
    await Promise.all([throws.ready, unsubscribe.ready]);

    await cache.publish(statusAt(id, 1));

    expect(await done).toHaveLength(1);
    throws();
    unsubscribe();
  });
});
