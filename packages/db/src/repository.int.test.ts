import { sampleSpec } from "@reports/contracts/testing";
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKeyRepository } from "./api-keys";
import { toCachedStatus } from "./cached-status";
import type { DbHandle } from "./client";
import { createReportRepository, IdempotencyKeyReusedError } from "./repository";
import { reportRequests } from "./schema";
import { TEST_DRIVERS } from "./testing";

describe.each(TEST_DRIVERS)("report repository on %s", (_name, open) => {
  let handle: DbHandle & { drop?: () => Promise<void> };
  let repo: ReturnType<typeof createReportRepository>;
  const lease = { leaseMs: 60_000 };

  beforeAll(async () => {
    handle = await open();
    repo = createReportRepository(handle.db);
  });
  afterAll(async () => {
    await (handle.drop ? handle.drop() : handle.close());
  });

  it("stores a request as queued with its summary", async () => {
    const row = await repo.create(sampleSpec({ rows: 4, format: "pdf" }));
    expect(row).toMatchObject({ status: "queued", format: "pdf", rowCount: 4, attempts: 0, version: 1 });
    expect(row.fileName).toBe("Sales — Łódź & Привет.pdf");
    expect((await repo.findById(row.requestId))?.spec.tables[0]?.rows).toHaveLength(4);
  });

  it("lets exactly one of five concurrent claims win", async () => {
    const row = await repo.create(sampleSpec());
    const claims = await Promise.all(Array.from({ length: 5 }, () => repo.claim(row.requestId, lease)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    const won = claims.find(Boolean);
    expect(won?.row).toMatchObject({ status: "processing", attempts: 1, version: 2 });
  });

  it("completes only with the token of the current claim", async () => {
    const row = await repo.create(sampleSpec());
    const claim = await repo.claim(row.requestId, lease);
    if (!claim) throw new Error("not claimed");
    expect(await repo.complete({ ...claim, token: crypto.randomUUID() }, "reports/x.xlsx")).toBeNull();
    const done = await repo.complete(claim, `reports/${row.requestId}.xlsx`);
    expect(done).toMatchObject({ status: "done", fileKey: `reports/${row.requestId}.xlsx`, claimToken: null });
  });

  it("never claims a done request again", async () => {
    const row = await repo.create(sampleSpec());
    const claim = await repo.claim(row.requestId, lease);
    if (!claim) throw new Error("not claimed");
    const done = await repo.complete(claim, "reports/a.xlsx");
    expect(await repo.claim(row.requestId, lease)).toBeNull();
    expect(await repo.findById(row.requestId)).toMatchObject({ status: "done", version: done?.version });
  });

  it("claims an error request again and clears the old error", async () => {
    const row = await repo.create(sampleSpec());
    const first = await repo.claim(row.requestId, lease);
    if (!first) throw new Error("not claimed");
    expect(await repo.fail(first, "RENDER_FAILED", "boom")).toMatchObject({
      status: "error",
      errorType: "RENDER_FAILED",
    });
    const second = await repo.claim(row.requestId, lease);
    expect(second?.row).toMatchObject({ status: "processing", attempts: 2, errorType: null, errorMessage: null });
  });

  it("takes over a processing request only once its lease has expired", async () => {
    const row = await repo.create(sampleSpec());
    const first = await repo.claim(row.requestId, lease);
    if (!first) throw new Error("not claimed");
    expect(await repo.claim(row.requestId, lease)).toBeNull();
    await handle.db
      .update(reportRequests)
      .set({ leaseExpiresAt: sql`now() - interval '1 second'` })
      .where(eq(reportRequests.requestId, row.requestId));
    const second = await repo.claim(row.requestId, lease);
    expect(second).not.toBeNull();
    expect(await repo.renew(first, lease)).toBe(false);
    expect(await repo.complete(first, "reports/stale.xlsx")).toBeNull();
    expect(second && (await repo.renew(second, lease))).toBe(true);
  });

  it("maps a row to the client status without internals", async () => {
    const row = await repo.create(sampleSpec({ rows: 2 }));
    const status = toCachedStatus(row);
    expect(status).toMatchObject({
      requestId: row.requestId,
      status: "queued",
      error: null,
      fileKey: null,
      version: 1,
    });
    expect(status.report).toEqual({ format: "xlsx", title: row.title, fileName: row.fileName, rowCount: 2 });
    expect(Date.parse(status.createdAt)).toBeGreaterThan(0);
  });

  it("keeps a render's warnings with the done request, and shows none when there were none", async () => {
    const warning = {
      code: "MISSING_GLYPHS" as const,
      message: "1 cell has characters no embedded font can draw: U+E000",
      codePoints: ["U+E000"],
      cells: 1,
    };
    const [warned, clean] = await Promise.all([repo.create(sampleSpec()), repo.create(sampleSpec())]);
    const [warnedClaim, cleanClaim] = await Promise.all([
      repo.claim(warned.requestId, lease),
      repo.claim(clean.requestId, lease),
    ]);
    if (!warnedClaim || !cleanClaim) throw new Error("not claimed");
    expect(toCachedStatus(warnedClaim.row)).not.toHaveProperty("warnings");
    const done = await repo.complete(warnedClaim, "reports/w.pdf", [warning]);
    expect(done?.warnings).toEqual([warning]);
    expect(toCachedStatus(done ?? warned).warnings).toEqual([warning]);
    expect((await repo.findById(warned.requestId))?.warnings).toEqual([warning]);
    const cleanDone = await repo.complete(cleanClaim, "reports/c.pdf", []);
    expect(cleanDone?.warnings).toBeNull();
    expect(toCachedStatus(cleanDone ?? clean)).not.toHaveProperty("warnings");
  });
  it("releases a claim back to queued, keeping the last error", async () => {
    const row = await repo.create(sampleSpec());
    const claim = await repo.claim(row.requestId, lease);
    if (!claim) throw new Error("not claimed");
    const released = await repo.release(claim, { type: "STORAGE_FAILED", message: "S3 answered 503" });
    expect(released).toMatchObject({
      status: "queued",
      claimToken: null,
      errorType: null,
      lastErrorType: "STORAGE_FAILED",
      lastErrorMessage: "S3 answered 503",
      attempts: 1,
    });
    expect(await repo.release(claim, null)).toBeNull();
    const again = await repo.claim(row.requestId, lease);
    expect(again?.row.attempts).toBe(2);
  });

  it("counts completions, so a double completion would show", async () => {
    const row = await repo.create(sampleSpec());
    const claim = await repo.claim(row.requestId, lease);
    if (!claim) throw new Error("not claimed");
    expect((await repo.complete(claim, "reports/a.xlsx"))?.completions).toBe(1);
    expect(await repo.complete(claim, "reports/a.xlsx")).toBeNull();
    expect((await repo.findById(row.requestId))?.completions).toBe(1);
  });

  it("requeues a failed request with fresh attempts, and nothing else", async () => {
    const row = await repo.create(sampleSpec());
    expect(await repo.requeueFailed(row.requestId)).toBeNull();
    const claim = await repo.claim(row.requestId, lease);
    if (!claim) throw new Error("not claimed");
    await repo.fail(claim, "STORAGE_FAILED", "gone");
    expect((await repo.listFailed()).map((f) => f.requestId)).toContain(row.requestId);
    expect(await repo.requeueFailed(row.requestId)).toMatchObject({ status: "queued", attempts: 0, errorType: null });
    expect((await repo.listFailed()).map((f) => f.requestId)).not.toContain(row.requestId);
  });

  it("takes stranded requests once: queued without a recent publish, or processing with an expired lease", async () => {
    const fresh = await repo.create(sampleSpec());
    const lost = await repo.create(sampleSpec());
    const dead = await repo.create(sampleSpec());
    const alive = await repo.create(sampleSpec());
    await repo.claim(dead.requestId, lease);
    await repo.claim(alive.requestId, lease);
    const past = sql`now() - interval '10 minutes'`;
    for (const id of [fresh.requestId, lost.requestId, dead.requestId, alive.requestId]) {
      await repo.markEnqueued(id);
    }
    for (const id of [lost.requestId, dead.requestId, alive.requestId]) {
      await handle.db.update(reportRequests).set({ enqueuedAt: past }).where(eq(reportRequests.requestId, id));
    }
    await handle.db
      .update(reportRequests)
      .set({ leaseExpiresAt: past })
      .where(eq(reportRequests.requestId, dead.requestId));
    const stranded = (await repo.takeStranded({ staleAfterMs: 60_000, limit: 100 })).map((s) => s.requestId);
    expect(stranded).toContain(lost.requestId);
    expect(stranded).toContain(dead.requestId);
    expect(stranded).not.toContain(alive.requestId);
    expect(stranded).not.toContain(fresh.requestId);
    // taking marks them enqueued: a second sweeper right after finds nothing of them
    const again = (await repo.takeStranded({ staleAfterMs: 60_000, limit: 100 })).map((s) => s.requestId);
    expect(again).not.toContain(lost.requestId);
    expect(again).not.toContain(dead.requestId);
  });

  it("marks requests published at once as enqueued together, each of them and no other", async () => {
    const rows = await Promise.all(Array.from({ length: 30 }, () => repo.create(sampleSpec())));
    const other = await repo.create(sampleSpec());
    await Promise.all(rows.map((row) => repo.markEnqueued(row.requestId)));
    const marked = await handle.db
      .select({ id: reportRequests.requestId, enqueuedAt: reportRequests.enqueuedAt })
      .from(reportRequests)
      .where(inArray(reportRequests.requestId, [...rows.map((row) => row.requestId), other.requestId]));
    const byId = new Map(marked.map((m) => [m.id, m.enqueuedAt]));
    for (const row of rows) expect(byId.get(row.requestId)).toBeInstanceOf(Date);
    expect(byId.get(other.requestId)).toBeNull();
  });

  it("gives the relay queued requests no broker confirmed, each to one taker", async () => {
    const unpublished = await repo.create(sampleSpec());
    const published = await repo.create(sampleSpec());
    await repo.markEnqueued(published.requestId);
    const cancelled = await repo.create(sampleSpec());
    await repo.cancel(cancelled.requestId, null);
    const takers = await Promise.all([1, 2, 3].map(() => repo.takeUnpublished({ olderThanMs: 0, limit: 100 })));
    const taken = takers.flat().map((t) => t.requestId);
    expect(taken.filter((id) => id === unpublished.requestId)).toEqual([unpublished.requestId]);
    expect(taken).not.toContain(published.requestId);
    expect(taken).not.toContain(cancelled.requestId);
    await repo.markUnpublished([unpublished.requestId]);
    expect((await repo.takeUnpublished({ olderThanMs: 0, limit: 100 })).map((t) => t.requestId)).toContain(
      unpublished.requestId,
    );
    expect(await repo.takeUnpublished({ olderThanMs: 60_000, limit: 100 })).toEqual([]);
  });

  it("makes one request per idempotency key, replays it for the same body, refuses another body", async () => {
    const spec = sampleSpec();
    const key = { owner: "acme", key: `k-${crypto.randomUUID()}`, bodyHash: "h1", ttlMs: 60_000 };
    const results = await Promise.all([1, 2, 3].map(() => repo.createIdempotent(spec, key)));
    const ids = new Set(results.map((r) => r.row.requestId));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(results[0]?.row.owner).toBe("acme");
    await expect(repo.createIdempotent(spec, { ...key, bodyHash: "h2" })).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
    const otherOwner = await repo.createIdempotent(spec, { ...key, owner: "globex" });
    expect(otherOwner.replayed).toBe(false);
    expect(otherOwner.row.requestId).not.toBe(results[0]?.row.requestId);
  });

  it("stores the same request under an idempotency key as without one, and answers the same summary", async () => {
    const spec = {
      ...sampleSpec({ rows: 3 }),
      webhook: { url: "https://hooks.example.com/r", secret: "s3cr3t-value" },
    };
    const options = {
      owner: "acme",
      input: { prefix: "inputs/x", counts: [40, 2] },
      definition: { name: "sales", version: 3 },
    };
    const plain = await repo.create(spec, options);
    const keyed = await repo.createIdempotent(spec, {
      ...options,
      key: `k-${crypto.randomUUID()}`,
      bodyHash: "h",
      ttlMs: 60_000,
    });
    expect(keyed.replayed).toBe(false);
    const differ = ["requestId", "createdAt", "updatedAt"] as const;
    const without = (row: object) =>
      Object.fromEntries(Object.entries(row).filter(([k]) => !differ.includes(k as never)));
    expect(without(keyed.row)).toEqual(without(plain));
    expect(keyed.row.createdAt).toBeInstanceOf(Date);
    expect(keyed.row).toMatchObject({ rowCount: 42, webhookUrl: "https://hooks.example.com/r", definitionVersion: 3 });
    expect(without((await repo.findById(keyed.row.requestId)) ?? {})).toEqual(
      without((await repo.findById(plain.requestId)) ?? {}),
    );
  });

  it("stores a caller's spec JSON as given, but never one that holds a webhook and its secret", async () => {
    const key = () => ({ owner: "acme", key: `k-${crypto.randomUUID()}`, bodyHash: "h", ttlMs: 60_000 });
    const plain = sampleSpec({ rows: 2 });
    const given = await repo.createIdempotent(plain, { ...key(), specJson: JSON.stringify(plain) });
    expect((await repo.findById(given.row.requestId))?.spec).toEqual(plain);
    const hooked = { ...plain, webhook: { url: "https://hooks.example.com/r", secret: "never-in-the-spec" } };
    const withHook = await repo.createIdempotent(hooked, { ...key(), specJson: JSON.stringify(hooked) });
    const stored = await repo.findById(withHook.row.requestId);
    expect(stored?.spec).toEqual(plain);
    expect(JSON.stringify(stored?.spec)).not.toContain("never-in-the-spec");
    expect(stored?.webhookSecret).toBe("never-in-the-spec");
  });

  it("forgets an expired idempotency key", async () => {
    const key = { owner: "acme", key: `k-${crypto.randomUUID()}`, bodyHash: "h1", ttlMs: 1 };
    const first = await repo.createIdempotent(sampleSpec(), key);
    await new Promise((r) => setTimeout(r, 20));
    const second = await repo.createIdempotent(sampleSpec(), { ...key, bodyHash: "h2" });
    expect(second.replayed).toBe(false);
    expect(second.row.requestId).not.toBe(first.row.requestId);
  });

  it("stores API keys hashed, finds their owner, and forgets revoked ones", async () => {
    const keys = createApiKeyRepository(handle.db);
    const { id, key, prefix } = await keys.create({ owner: "acme", name: "ci" });
    expect(key).toMatch(/^rpt_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(prefix)).toBe(true);
    expect(await keys.ownerOf(key)).toBe("acme");
    expect(await keys.ownerOf(`${key}x`)).toBeNull();
    const listed = await keys.list("acme");
    expect(listed.find((k) => k.id === id)).toMatchObject({ name: "ci", prefix, revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(key);
    expect(await keys.revoke(id)).toBe(true);
    expect(await keys.revoke(id)).toBe(false);
    expect(await keys.ownerOf(key)).toBeNull();
  });
});
