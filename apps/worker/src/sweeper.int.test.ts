import { sampleSpec } from "@reports/contracts/testing";
import { reportRequests } from "@reports/db/schema";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { createMemoryQueue, replayDeadLetters } from "@reports/queue";
import { createRenderPool, type RenderPool } from "@reports/renderers";
import { createTestBucket, type TestBucket } from "@reports/storage/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { WorkerDeps } from "./deps";
import { relayOnce, sweepOnce } from "./sweeper";
import { testWorkerDeps } from "./testing";

let database: TestDatabase;
let bucket: TestBucket;
let renderer: RenderPool;
let deps: WorkerDeps;

beforeAll(async () => {
  [database, bucket] = await Promise.all([createTestDatabase(), createTestBucket(inject("s3"))]);
  renderer = createRenderPool({ maxThreads: 1, minThreads: 0 }); // nothing here renders
  deps = testWorkerDeps({ db: database.db, storage: bucket.storage, renderer });
});

afterAll(async () => {
  await renderer.close();
  await Promise.all([bucket.drop(), database.drop()]);
});

describe("sweeper", () => {
  it("republishes a request whose publish was lost and one whose worker died, once", async () => {
    const queue = createMemoryQueue();
    const lost = await deps.repo.create(sampleSpec());
    const dead = await deps.repo.create(sampleSpec());
    await deps.repo.claim(dead.requestId, { leaseMs: 1_000 });
    const past = sql`now() - interval '1 hour'`;
    for (const id of [lost.requestId, dead.requestId]) {
      await database.db
        .update(reportRequests)
        .set({ enqueuedAt: past, ...(id === dead.requestId ? { leaseExpiresAt: past } : {}) })
        .where(eq(reportRequests.requestId, id));
    }
    const republished = await sweepOnce({ ...deps, queue }, { limit: 1_000 });
    expect(republished).toBeGreaterThanOrEqual(2);
    const seen: string[] = [];
    await queue.consume(async ({ message }) => {
      seen.push(message.requestId);
    });
    await vi.waitFor(() => expect(seen).toEqual(expect.arrayContaining([lost.requestId, dead.requestId])));
    expect(await sweepOnce({ ...deps, queue })).toBe(0);
    await queue.close();
  });

  it("relays a stored request the broker never confirmed, once, and gives it back when the publish fails", async () => {
    const stored = await deps.repo.create(sampleSpec());
    const down = createMemoryQueue();
    await down.close(); // a closed queue refuses every publish, like an unreachable broker
    expect(await relayOnce({ ...deps, queue: down })).toBe(0);
    expect((await deps.repo.findStatus(stored.requestId))?.enqueuedAt).toBeNull();

    const queue = createMemoryQueue();
    expect(await relayOnce({ ...deps, queue })).toBeGreaterThanOrEqual(1);
    const seen: string[] = [];
    await queue.consume(async ({ message }) => {
      seen.push(message.requestId);
    });
    await vi.waitFor(() => expect(seen).toContain(stored.requestId));
    expect((await deps.repo.findStatus(stored.requestId))?.enqueuedAt).not.toBeNull();
    expect(await relayOnce({ ...deps, queue })).toBe(0);
    await queue.close();
  });
});

describe("replay", () => {
  it("puts dead-lettered requests back to queued, republishes them and removes their dead letters", async () => {
    const queue = createMemoryQueue();
    const row = await deps.repo.create(sampleSpec());
    const claim = await deps.repo.claim(row.requestId, { leaseMs: 1_000 });
    if (!claim) throw new Error("not claimed");
    await deps.repo.fail(claim, "STORAGE_FAILED", "gone");
    await queue.deadLetter(
      { requestId: row.requestId, attempt: 1 },
      { reason: "attempts-exhausted", errorType: "STORAGE_FAILED", attempts: 1 },
    );

    const dry = await replayDeadLetters(
      { ...deps, queue },
      { ids: [row.requestId, crypto.randomUUID()], dryRun: true },
    );
    expect(dry.selected).toEqual([row.requestId]);
    expect(dry.skipped).toHaveLength(1);
    expect((await deps.repo.findById(row.requestId))?.status).toBe("error");

    const summary = await replayDeadLetters({ ...deps, queue }, { ids: [row.requestId] });
    expect(summary).toMatchObject({ replayed: [row.requestId], deadLettersRemoved: 1 });
    expect(await deps.repo.findById(row.requestId)).toMatchObject({ status: "queued", attempts: 0 });
    expect(await queue.depth()).toEqual({ ready: 1, retrying: 0, deadLettered: 0 });
    await queue.close();
  });
});
