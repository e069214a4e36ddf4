import { sampleSpec } from "@reports/contracts/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminRepository, createWorkerRegistry, parseAdminCursor } from "./admin";
import type { DbHandle } from "./client";
import { createReportRepository } from "./repository";
import { reportRequests, workerHeartbeats } from "./schema";
import { TEST_DRIVERS } from "./testing";

describe.each(TEST_DRIVERS)("the dashboard's reads on %s", (_name, open) => {
  let handle: DbHandle & { drop?: () => Promise<void> };
  let repo: ReturnType<typeof createReportRepository>;
  let admin: ReturnType<typeof createAdminRepository>;

  beforeAll(async () => {
    handle = await open();
    repo = createReportRepository(handle.db);
    admin = createAdminRepository(handle.db);
  });
  afterAll(async () => {
    await (handle.drop ? handle.drop() : handle.close());
  });

  async function claimed(requestId: string) {
    const claim = await repo.claim(requestId, { leaseMs: 60_000 });
    if (!claim) throw new Error("not claimed");
    return claim;
  }

  it("records every transition in the history, whichever repository call made it", async () => {
    const row = await repo.create(sampleSpec({ title: "History" }));
    await repo.release(await claimed(row.requestId), { type: "STORAGE_FAILED", message: "S3 is down" });
    await repo.fail(await claimed(row.requestId), "STORAGE_FAILED", "S3 is still down");
    await repo.requeueFailed(row.requestId);
    await repo.complete(await claimed(row.requestId), "reports/x.xlsx");

    const history = await admin.history(row.requestId);
    expect(history.map((e) => [e.status, e.attempt, e.error?.message ?? null])).toEqual([
      ["queued", 0, null],
      ["processing", 1, null],
      ["queued", 1, "S3 is down"],
      ["processing", 2, null],
      ["error", 2, "S3 is still down"],
      ["queued", 0, null],
      ["processing", 1, null],
      ["done", 1, null],
    ]);
    // a lease renewal or a progress-free update is no transition
    expect(history.every((e, i) => i === 0 || e.at >= (history[i - 1]?.at ?? ""))).toBe(true);
  });

  it("estimates the final states' counts past the threshold, and counts the active ones exactly", async () => {
    for (let i = 0; i < 3; i++) await repo.create(sampleSpec({ title: `Estimated ${i}` }));
    await handle.db.execute(sql`analyze report_requests`);
    const exact = await admin.countsByStatus();
    const estimate = await admin.countsByStatus({ exactUpTo: 0 });
    expect(estimate.estimated).toBe(true);
    expect(estimate.counts.queued).toBe(exact.counts.queued);
    expect(estimate.counts.processing).toBe(exact.counts.processing);
  });

  it("counts by status and error type, and lists the failed for replay", async () => {
    const { counts: before } = await admin.countsByStatus();
    const failed = await repo.create(sampleSpec({ title: "Poison" }));
    await repo.fail(await claimed(failed.requestId), "INVALID_SPEC", "no tables");
    await repo.create(sampleSpec({ title: "Waiting" }));

    const { counts: after, estimated } = await admin.countsByStatus();
    expect(estimated).toBe(false);
    expect(after.error).toBe(before.error + 1);
    expect(after.queued).toBe(before.queued + 1);
    expect(Object.keys(after).sort()).toEqual(["cancelled", "done", "error", "expired", "processing", "queued"]);
    expect(await admin.errorsByType()).toContainEqual({ type: "INVALID_SPEC", count: 1 });
    expect(await admin.failedIds()).toContain(failed.requestId);
    const page = await admin.failed({ pageSize: 10 });
    expect(page.items[0]).toMatchObject({ requestId: failed.requestId, attempts: 1, error: { type: "INVALID_SPEC" } });
    expect(await admin.countFailed(10_000)).toEqual({ count: after.error, capped: false });
    expect(await admin.countFailed(0)).toEqual({ count: 0, capped: true });
  });

  it("searches by id prefix, owner or title, filters by status and pages newest first by key", async () => {
    const owner = `owner-${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await repo.create(sampleSpec({ title: `Q3 sales ${i}` }), { owner })).requestId);
    // a second apart (PGlite's clock can give two inserts the same instant), but for two created in the same
    // microsecond, told apart by id: no row is skipped or shown twice
    for (const [i, requestId] of ids.entries()) {
      const at = new Date(Date.UTC(2026, 0, 1, 0, 0, i === 2 ? 1 : i));
      await handle.db.update(reportRequests).set({ createdAt: at }).where(eq(reportRequests.requestId, requestId));
    }
    const newestFirst = [ids[4], ids[3], ...[ids[2], ids[1]].sort().reverse(), ids[0]];

    const first = await admin.requests({ search: owner, pageSize: 2 });
    expect(first.items.map((i) => i.requestId)).toEqual(newestFirst.slice(0, 2));
    const seen = [...first.items.map((i) => i.requestId)];
    for (let cursor = first.nextCursor; cursor; ) {
      const next = await admin.requests({ search: owner, pageSize: 2, cursor });
      seen.push(...next.items.map((i) => i.requestId));
      cursor = next.nextCursor;
    }
    expect(seen).toEqual(newestFirst);
    const exact = await admin.requests({ search: owner, pageSize: 5 });
    expect(exact.items).toHaveLength(5);
    expect(exact.nextCursor).toBeNull();

    // an id by its first characters, in either case, with or without its dashes
    const id = ids[2] as string;
    for (const search of [id.slice(0, 8).toUpperCase(), id.slice(0, 13), id.replaceAll("-", "").slice(0, 20), id]) {
      expect((await admin.requests({ search, pageSize: 10 })).items.map((i) => i.requestId)).toContain(id);
    }
    // a part from the middle of an id is not an id search
    expect(
      (await admin.requests({ search: id.slice(9, 13), pageSize: 50 })).items.map((i) => i.requestId),
    ).not.toContain(id);
    expect((await admin.requests({ search: "q3 SALES 1", pageSize: 10 })).items[0]?.requestId).toBe(ids[1]);
    // LIKE's wildcards are matched literally; a word shorter than a trigram matches no owner or title
    expect((await admin.requests({ search: "%%%", pageSize: 10 })).items).toEqual([]);
    expect((await admin.requests({ search: "Q3", pageSize: 10 })).items).toEqual([]);
    expect((await admin.requests({ search: owner, status: "done", pageSize: 10 })).items).toEqual([]);
  });

  it("refuses a cursor it did not make", async () => {
    expect(parseAdminCursor("not-a-cursor")).toBeNull();
    expect(parseAdminCursor(Buffer.from('["2026-12-07T05:00:00.000000Z","x"]').toString("base64url"))).toBeNull();
    await expect(admin.requests({ pageSize: 1, cursor: "bad" })).rejects.toThrow(/cursor/);
  });

  it("gives the last hour per minute with render-time percentiles of the reports done", async () => {
    const renders = [100, 200, 300, 400, 1_000];
    // all done at one instant, so that a minute's turn during the test cannot split them between two minutes
    const at = new Date();
    for (const renderMs of renders) {
      const row = await repo.create(sampleSpec());
      await repo.complete(await claimed(row.requestId), "reports/y.xlsx");
      await handle.db
        .update(reportRequests)
        .set({ startedAt: new Date(at.getTime() - renderMs), updatedAt: at })
        .where(eq(reportRequests.requestId, row.requestId));
    }
    const minutes = await admin.throughput(60);
    expect(minutes).toHaveLength(60);
    const now = minutes.find((m) => {
      const start = Date.parse(m.minute);
      return start <= at.getTime() && at.getTime() - start < 60_000;
    });
    // the last minute, or the one before it when a minute turned since `at`
    expect(minutes.slice(-2)).toContain(now);
    expect(now?.done).toBeGreaterThanOrEqual(5);
    expect(now?.renderP50Ms).toBeGreaterThanOrEqual(100);
    expect(now?.renderP95Ms).toBeGreaterThan(now?.renderP50Ms ?? Number.POSITIVE_INFINITY);
    expect(minutes.slice(0, 50).every((m) => m.done === 0 && m.renderP50Ms === null)).toBe(true);
  });

  it("shows workers that beat recently and forgets those that stopped", async () => {
    const workers = createWorkerRegistry(handle.db);
    await workers.beat({ id: "w-live", host: "box", pid: 11, concurrency: 2, inFlight: 1 });
    await workers.beat({ id: "w-old", host: "box", pid: 12, concurrency: 2, inFlight: 0 });
    await handle.db
      .update(workerHeartbeats)
      .set({ lastSeenAt: new Date(Date.now() - 120_000) })
      .where(eq(workerHeartbeats.id, "w-old"));
    await workers.beat({ id: "w-live", host: "box", pid: 11, concurrency: 2, inFlight: 2 });
    expect((await admin.workersAlive()).map((w) => [w.id, w.inFlight])).toEqual([["w-live", 2]]);
    await workers.prune(60);
    await workers.remove("w-live");
    expect(await admin.workersAlive()).toEqual([]);
    expect(await handle.db.select().from(workerHeartbeats)).toEqual([]);
  });
});
