import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRedisCache, type StatusCache } from "@reports/cache";
import { inputKeys, type ReportSpec, type StoredInput } from "@reports/contracts";
import { sampleSpec } from "@reports/contracts/testing";
import {
  createReportRepository,
  createRetentionRepository,
  createWebhookRepository,
  type DbHandle,
  toCachedStatus,
} from "@reports/db";
import { idempotencyKeys, reportEvents, reportRequests, webhookDeliveries } from "@reports/db/schema";
import { TEST_DRIVERS } from "@reports/db/testing";
import { silentLogger } from "@reports/logger";
import { createLocalStorage, type Storage } from "@reports/storage";
import { createTestBucket } from "@reports/storage/testing";
import { count } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { RetentionSettings } from "./env";
import { retainOnce } from "./retention";

const DAY = 86_400_000;
const settings: RetentionSettings = {
  filesMs: 7 * DAY,
  requestsMs: 30 * DAY,
  unreferencedInputsMs: 70 * 60_000, // UPLOAD_TIMEOUT_MS's 10 minutes and the hour's margin
  intervalMs: 60_000,
  batch: 2, // small, so every step runs several batches
  maxRunMs: 60_000,
};
const withWebhook = (): ReportSpec => ({
  ...sampleSpec(),
  webhook: { url: "https://hooks.example.com/reports", secret: "s".repeat(32) },
});

/** Where files go: S3 (s3rver) beside PostgreSQL as in the distributed mode, a directory beside PGlite as embedded. */
const STORAGES: Record<string, () => Promise<{ storage: Storage; drop(): Promise<void> }>> = {
  PostgreSQL: async () => {
    const bucket = await createTestBucket(inject("s3"));
    return { storage: bucket.storage, drop: bucket.drop };
  },
  PGlite: async () => {
    const dir = await mkdtemp(join(tmpdir(), "reports-retention-"));
    const storage = createLocalStorage({
      directory: dir,
      publicBaseUrl: "http://127.0.0.1:1",
      signingSecret: "x".repeat(32),
    });
    return { storage, drop: () => rm(dir, { recursive: true, force: true }) };
  },
};
const REDIS_URL = "redis://127.0.0.1:6379";

describe.each(TEST_DRIVERS)("retention on %s", (name, open) => {
  let handle: DbHandle & { drop?: () => Promise<void> };
  let storage: Storage;
  let dropStorage: () => Promise<void>;
  let cache: StatusCache;
  const keyPrefix = `test:retention:${randomUUID()}:`;

  beforeAll(async () => {
    handle = await open();
    const opened = await (STORAGES[name] as () => ReturnType<(typeof STORAGES)[string]>)();
    storage = opened.storage;
    dropStorage = opened.drop;
    cache = createRedisCache({ url: REDIS_URL, keyPrefix });
  });
  afterAll(async () => {
    await (handle.drop ? handle.drop() : handle.close());
    await dropStorage();
    await cache.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  async function counts() {
    const n = async (
      table: typeof reportRequests | typeof reportEvents | typeof webhookDeliveries | typeof idempotencyKeys,
    ) => (await handle.db.select({ n: count() }).from(table))[0]?.n ?? 0;
    return {
      requests: await n(reportRequests),
      events: await n(reportEvents),
      webhookDeliveries: await n(webhookDeliveries),
      idempotencyKeys: await n(idempotencyKeys),
    };
  }

  it("expires files after RETAIN_FILES, deletes finished requests after RETAIN_REQUESTS, in the database and in storage", async () => {
    const repo = createReportRepository(handle.db);
    const hooks = createWebhookRepository(handle.db);
    const deps = { db: handle.db, storage, cache, logger: silentLogger() };
    const put = (key: string) => storage.put(key, Buffer.from("data"), { contentType: "application/octet-stream" });
    const exists = async (key: string) => (await storage.head(key)) !== null;

    const done = async (spec: ReportSpec = sampleSpec()) => {
      const row = await repo.create(spec);
      const claim = await repo.claim(row.requestId, { leaseMs: 60_000 });
      if (!claim) throw new Error("not claimed");
      const key = `reports/${row.requestId}.xlsx`;
      await put(key);
      const finished = await repo.complete(claim, key);
      if (!finished) throw new Error("not completed");
      await hooks.enqueue(finished);
      // as the worker's publish and the BFF's reads leave it
      await cache.set(toCachedStatus(finished));
      return { ...finished, key };
    };
    const doneA = await done(withWebhook());
    const doneB = await done();
    const doneC = await done();
    const input: StoredInput = { prefix: `inputs/${crypto.randomUUID()}`, counts: [3, 2] };
    for (const key of inputKeys(input)) await put(key);
    const failed = await repo.create(sampleSpec(), { input });
    const failedClaim = await repo.claim(failed.requestId, { leaseMs: 60_000 });
    if (!failedClaim) throw new Error("not claimed");
    await repo.fail(failedClaim, "RENDER_FAILED", "boom");
    const cancelled = await repo.create(sampleSpec());
    await repo.cancel(cancelled.requestId, null);
    const queued = await repo.create(sampleSpec());
    const processing = await repo.create(sampleSpec());
    await repo.claim(processing.requestId, { leaseMs: 60_000 });
    const keyed = await repo.createIdempotent(sampleSpec(), {
      owner: "acme",
      key: "k-1",
      bodyHash: "h",
      ttlMs: DAY,
    });
    const files = [doneA.key, doneB.key, doneC.key, ...inputKeys(input)];

    const before = await counts();
    expect(before).toEqual({ requests: 8, events: expect.any(Number), webhookDeliveries: 1, idempotencyKeys: 1 });

    // today: nothing is old enough
    const now = new Date();
    expect(await retainOnce(deps, settings, { now })).toMatchObject({
      filesExpired: 0,
      requestsDeleted: 0,
      keysDeleted: 0,
    });
    expect(await counts()).toEqual(before);

    // 8 days on: the files of done reports are gone, their requests answer expired; the idempotency key expired
    const week = new Date(now.getTime() + 8 * DAY);
    expect(await retainOnce(deps, settings, { now: week })).toMatchObject({
      filesExpired: 3,
      requestsDeleted: 0,
      objectsDeleted: 3,
      keysDeleted: 1,
      cutShort: false,
    });
    const afterWeek = await counts();
    expect(afterWeek).toMatchObject({ requests: 8, webhookDeliveries: 1, idempotencyKeys: 0 });
    for (const key of [doneA.key, doneB.key, doneC.key]) expect(await exists(key)).toBe(false);
    for (const key of inputKeys(input)) expect(await exists(key)).toBe(true);
    const expired = await repo.findStatus(doneA.requestId);
    expect(expired).toMatchObject({ status: "expired", fileKey: null, expiredAt: week });
    expect(expired && toCachedStatus(expired)).toMatchObject({
      status: "expired",
      expiredAt: week.toISOString(),
      fileKey: null,
    });
    // the cache was told, so no cached `done` keeps handing out a link
    expect((await deps.cache.get(doneA.requestId))?.status).toBe("expired");
    expect(await repo.findStatus(keyed.row.requestId)).toMatchObject({ status: "queued" });

    // 31 days on: finished requests are deleted with their events, deliveries and stored inputs
    const month = new Date(now.getTime() + 31 * DAY);
    expect(await retainOnce(deps, settings, { now: month })).toMatchObject({
      filesExpired: 0,
      requestsDeleted: 5,
      objectsDeleted: 2,
    });
    const afterMonth = await counts();
    expect(afterMonth).toMatchObject({ requests: 3, webhookDeliveries: 0, idempotencyKeys: 0 });
    for (const key of files) expect(await exists(key)).toBe(false);
    // the cache forgot them: a deleted request answers 404, not a cached `expired` for the rest of its TTL
    for (const { requestId } of [doneA, doneB, doneC, failed, cancelled]) expect(await cache.get(requestId)).toBeNull();
    const left = await handle.db
      .select({ id: reportRequests.requestId, status: reportRequests.status })
      .from(reportRequests);
    expect(left.map((r) => r.id).sort()).toEqual([queued.requestId, processing.requestId, keyed.row.requestId].sort());
    // what is left still has its history, and nothing else does
    const events = await handle.db.select({ id: reportEvents.requestId }).from(reportEvents);
    expect(new Set(events.map((e) => e.id))).toEqual(new Set(left.map((r) => r.id)));
    console.log(JSON.stringify({ driver: name, before, afterWeek, afterMonth }));
  });

  it("runs one retention at a time: another holder's lease makes a run step aside", async () => {
    const retention = createRetentionRepository(handle.db);
    const deps = { db: handle.db, storage, cache, logger: silentLogger() };
    expect(await retention.takeLease("retention", "other-worker", 60_000)).toBe(true);
    expect(await retainOnce(deps, settings)).toBeNull();
    await retention.releaseLease("retention", "other-worker");
    expect(await retainOnce(deps, settings)).not.toBeNull();
  });

  it("removes stored inputs no request references once older than the upload timeout and its margin", async () => {
    const repo = createReportRepository(handle.db);
    const deps = { db: handle.db, storage, cache, logger: silentLogger() };
    const stored = async (counts: number[]) => {
      const input: StoredInput = { prefix: `inputs/${randomUUID()}`, counts };
      for (const key of inputKeys(input)) {
        await storage.put(key, Buffer.from("{}\n"), { contentType: "application/jsonl" });
      }
      return input;
    };
    // a queued streamed report, and one done (its input stays until the request goes)
    const queued = await stored([2, 1]);
    await repo.create(sampleSpec(), { input: queued });
    const kept = await stored([3]);
    const keptRow = await repo.create(sampleSpec(), { input: kept });
    const claim = await repo.claim(keptRow.requestId, { leaseMs: 60_000 });
    if (!claim) throw new Error("not claimed");
    await repo.complete(claim, `reports/${keptRow.requestId}.xlsx`);
    // uploads whose BFF died before the request's row: two tables stored, and one
    const orphans = [await stored([1, 4]), await stored([5])];
    const inputs = async () => {
      const keys: string[] = [];
      for await (const object of storage.list("inputs/")) keys.push(object.key);
      return keys.sort();
    };
    const referenced = [...inputKeys(queued), ...inputKeys(kept)].sort();
    const before = await inputs();
    expect(before).toEqual([...referenced, ...orphans.flatMap(inputKeys)].sort());

    // within the upload timeout and its margin, an unreferenced input may still become a request
    const now = new Date();
    const soon = await retainOnce(deps, settings, { now: new Date(now.getTime() + 60 * 60_000) });
    expect(soon).toMatchObject({ orphansDeleted: 0, inputsAfter: null, cutShort: false });
    expect(await inputs()).toEqual(before);

    // past it, only the inputs of requests are left (in batches of 2: several lists and lookups)
    const later = await retainOnce(deps, settings, {
      now: new Date(now.getTime() + settings.unreferencedInputsMs + 60_000),
    });
    expect(later).toMatchObject({ orphansDeleted: 3, requestsDeleted: 0, inputsAfter: null, cutShort: false });
    const after = await inputs();
    expect(after).toEqual(referenced);
    console.log(
      JSON.stringify({
        driver: name,
        inputsBefore: before.length,
        inputsAfter: after.length,
        orphansDeleted: later?.orphansDeleted,
      }),
    );
  });
});
