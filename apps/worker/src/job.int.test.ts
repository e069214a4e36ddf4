import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { type CachedStatus, inputKey, type ReportSpec } from "@reports/contracts";
import { sampleSpec } from "@reports/contracts/testing";
import { toCachedStatus } from "@reports/db";
import { reportRequests } from "@reports/db/schema";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { createMemoryQueue } from "@reports/queue";
import { createRenderPool, type RenderPool } from "@reports/renderers";
import { testPng } from "@reports/renderers/testing";
import { createS3Storage } from "@reports/storage";
import { createTestBucket, type TestBucket } from "@reports/storage/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import * as XLSX from "xlsx";
import type { WorkerDeps } from "./deps";
import { processReport } from "./job";
import { createWorkerMetrics } from "./metrics";
import { testWorkerDeps } from "./testing";

let database: TestDatabase;
let bucket: TestBucket;
let renderer: RenderPool;
let deps: WorkerDeps;

beforeAll(async () => {
  [database, bucket] = await Promise.all([createTestDatabase(), createTestBucket(inject("s3"))]);
  renderer = createRenderPool({ maxThreads: 1, timeoutMs: 30_000 });
  deps = testWorkerDeps({ db: database.db, storage: bucket.storage, renderer });
});

afterAll(async () => {
  await renderer.close();
  await Promise.all([bucket.drop(), database.drop()]);
});

/** Storage no request can reach: every upload fails as retryable (STORAGE_FAILED). */
const unreachable = () =>
  createS3Storage({ bucket: "nowhere", endpoint: "http://127.0.0.1:1", accessKeyId: "x", secretAccessKey: "x" });

async function readBack(key: string): Promise<Buffer> {
  const stream = await bucket.storage.get(key);
  if (!stream) throw new Error(`no object ${key}`);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

describe("processReport", () => {
  it("renders, uploads to reports/{id}.xlsx, marks done and updates the cache", async () => {
    const row = await deps.repo.create(sampleSpec({ rows: 20 }));
    expect(await processReport(deps, { requestId: row.requestId, attempt: 1 })).toBe("done");
    const done = await deps.repo.findById(row.requestId);
    expect(done).toMatchObject({
      status: "done",
      fileKey: `reports/${row.requestId}.xlsx`,
      attempts: 1,
      claimToken: null,
    });
    expect(await deps.cache.get(row.requestId)).toMatchObject({ status: "done", version: done?.version });
    const book = XLSX.read(await readBack(`reports/${row.requestId}.xlsx`));
    const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(book.Sheets.Orders as XLSX.WorkSheet);
    expect(rows).toHaveLength(20);
    expect(rows[0]).toMatchObject({ Order: 1, Customer: "Zażółć gęślą jaźń", Amount: 12.35 });
  });

  it("publishes progress while rows are left to render, never for the last of them (done follows)", async () => {
    const published: CachedStatus[] = [];
    const cache = {
      ...deps.cache,
      publish: (status: CachedStatus) => {
        published.push(status);
        return deps.cache.publish(status);
      },
    };
    const seen = async (rows: number) => {
      published.length = 0;
      const row = await deps.repo.create(sampleSpec({ rows }));
      expect(await processReport({ ...deps, cache }, { requestId: row.requestId, attempt: 1 })).toBe("done");
      return published.map((s) => (s.progress === undefined ? s.status : s.progress));
    };
    expect(await seen(20)).toEqual(["processing", "done"]);
    // the renderer reports every 10,000 rows: 40 % at once, 80 % only if half a second has passed by then
    expect((await seen(25_000)).join()).toMatch(/^processing,40,(80,)?done$/);
  });

  it("changes nothing for a second message of a done request", async () => {
    const row = await deps.repo.create(sampleSpec());
    await processReport(deps, { requestId: row.requestId, attempt: 1 });
    const done = await deps.repo.findById(row.requestId);
    await bucket.storage.delete(`reports/${row.requestId}.xlsx`);
    expect(await processReport(deps, { requestId: row.requestId, attempt: 1 })).toBe("skipped");
    expect(await deps.repo.findById(row.requestId)).toEqual(done);
    expect(await bucket.storage.head(`reports/${row.requestId}.xlsx`)).toBeNull();
  });

  it("processes a message for a request in error", async () => {
    const row = await deps.repo.create(sampleSpec({ format: "pdf" }));
    const claim = await deps.repo.claim(row.requestId, { leaseMs: 1_000 });
    if (!claim) throw new Error("not claimed");
    await deps.repo.fail(claim, "STORAGE_FAILED", "the bucket was away");
    expect(await processReport(deps, { requestId: row.requestId, attempt: 2 })).toBe("done");
    expect(await deps.repo.findById(row.requestId)).toMatchObject({ status: "done", attempts: 2, errorType: null });
    expect((await bucket.storage.head(`reports/${row.requestId}.pdf`))?.size).toBeGreaterThan(1_000);
  });

  it("skips an unknown request", async () => {
    expect(await processReport(deps, { requestId: crypto.randomUUID(), attempt: 1 })).toBe("skipped");
  });

  it("ends in error with RENDER_TIMEOUT when the render takes too long", async () => {
    const slow = createRenderPool({ maxThreads: 1, timeoutMs: 200 });
    try {
      const row = await deps.repo.create(sampleSpec({ format: "pdf", rows: 20_000 }));
      expect(await processReport({ ...deps, renderer: slow }, { requestId: row.requestId, attempt: 1 })).toBe("error");
      expect(await deps.repo.findById(row.requestId)).toMatchObject({ status: "error", errorType: "RENDER_TIMEOUT" });
      expect(await deps.cache.get(row.requestId)).toMatchObject({ status: "error", error: { type: "RENDER_TIMEOUT" } });
    } finally {
      await slow.close();
    }
  });

  it("ends in error with INVALID_SPEC when the stored spec no longer validates", async () => {
    const row = await deps.repo.create(sampleSpec());
    const broken = { ...sampleSpec(), tables: [] };
    await database.db.update(reportRequests).set({ spec: broken }).where(eq(reportRequests.requestId, row.requestId));
    expect(await processReport(deps, { requestId: row.requestId, attempt: 1 })).toBe("error");
    expect(await deps.repo.findById(row.requestId)).toMatchObject({ status: "error", errorType: "INVALID_SPEC" });
  });

  it("ends in error with INVALID_SPEC, without retrying, when a stored cell no longer fits its column", async () => {
    const spec = sampleSpec({ rows: 3 });
    const row = await deps.repo.create(spec);
    const [first, ...rest] = spec.tables[0]?.rows ?? [];
    const broken = { ...spec, tables: [{ ...spec.tables[0], rows: [{ ...first, paid: "yes" }, ...rest] }] };
    await database.db
      .update(reportRequests)
      .set({ spec: broken as never })
      .where(eq(reportRequests.requestId, row.requestId));
    expect(await processReport(deps, { requestId: row.requestId, attempt: 1 })).toBe("error");
    expect(await deps.repo.findById(row.requestId)).toMatchObject({
      status: "error",
      errorType: "INVALID_SPEC",
      attempts: 1,
      errorMessage: expect.stringContaining('column "paid"'),
    });
  });
});

describe("a report with a logo", () => {
  const withLogo = (key: string) => ({
    ...sampleSpec({ rows: 3 }),
    layout: { logo: { key, contentType: "image/png" as const }, footer: { center: "Page {{page}} of {{pages}}" } },
  });

  it("reads the logo from storage and puts it in the file", async () => {
    const key = `logos/${randomUUID()}.png`;
    await bucket.storage.put(key, testPng(120, 40), { contentType: "image/png" });
    const row = await deps.repo.create(withLogo(key));
    expect(await processReport(deps, { requestId: row.requestId, attempt: 1 })).toBe("done");
    const file = await readBack(`reports/${row.requestId}.xlsx`);
    const media = XLSX.CFB.read(file, { type: "buffer" }).FullPaths.filter((p: string) => p.includes("xl/media/"));
    expect(media).toEqual(["Root Entry/xl/media/logo.png"]);
  });

  it("fails for good, without retrying, when the logo is missing or is not the image it claims", async () => {
    const missing = await deps.repo.create(withLogo(`logos/${randomUUID()}.png`));
    expect(await processReport(deps, { requestId: missing.requestId, attempt: 1 })).toBe("error");
    expect(await deps.repo.findById(missing.requestId)).toMatchObject({
      status: "error",
      errorType: "INVALID_SPEC",
      attempts: 1,
    });
    const key = `logos/${randomUUID()}.png`;
    await bucket.storage.put(key, Buffer.from("<svg/> is not a PNG"), { contentType: "image/png" });
    const fake = await deps.repo.create(withLogo(key));
    expect(await processReport(deps, { requestId: fake.requestId, attempt: 1 })).toBe("error");
    expect(await deps.repo.findById(fake.requestId)).toMatchObject({ status: "error", errorType: "INVALID_SPEC" });
  });
});

describe("a streamed report (rows in object storage)", () => {
  /** Stores the spec's rows as the BFF does (gzipped JSON Lines, one object per table) and creates the request. */
  async function createStreamed(spec: ReportSpec) {
    const input = { prefix: `inputs/${randomUUID()}`, counts: spec.tables.map((t) => t.rows.length) };
    for (const [t, table] of spec.tables.entries()) {
      const lines = table.rows.map((row) => `${JSON.stringify(row)}\n`).join("");
      await bucket.storage.put(inputKey(input, t), gzipSync(lines), { contentType: "application/jsonl" });
    }
    const outline = { ...spec, tables: spec.tables.map((t) => ({ ...t, rows: [] })) };
    return { row: await deps.repo.create(outline, { input }), input };
  }

  it("renders the stored rows and removes them once the report is done", async () => {
    const spec = sampleSpec({ rows: 4_500 }); // more than two chunks
    const { row, input } = await createStreamed(spec);
    expect(row.rowCount).toBe(4_500);
    expect(await processReport(deps, { requestId: row.requestId, attempt: 1 })).toBe("done");
    const book = XLSX.read(await readBack(`reports/${row.requestId}.xlsx`));
    const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(book.Sheets.Orders as XLSX.WorkSheet);
    expect(rows).toHaveLength(4_500);
    expect(rows[4_499]).toMatchObject({ Order: 4_500, Customer: "Customer 4500" });
    expect(await bucket.keys(input.prefix)).toEqual([]);
  });

  it("streams a streamed report's file into the upload, and sends an inline report's file whole", async () => {
    const bodies: string[] = [];
    const storage = {
      ...deps.storage,
      put: (key: string, body: Parameters<WorkerDeps["storage"]["put"]>[1], options: { contentType: string }) => {
        if (key.startsWith("reports/")) bodies.push(body instanceof Uint8Array ? "whole" : "stream");
        return deps.storage.put(key, body, options);
      },
    };
    const { row: streamed } = await createStreamed(sampleSpec({ rows: 50 }));
    const inline = await deps.repo.create(sampleSpec({ rows: 50 }));
    const pdf = await deps.repo.create(sampleSpec({ rows: 50, format: "pdf" }));
    for (const { requestId } of [streamed, inline, pdf]) {
      expect(await processReport({ ...deps, storage }, { requestId, attempt: 1 })).toBe("done");
    }
    expect(bodies).toEqual(["stream", "whole", "whole"]);
    const rows = (book: XLSX.WorkBook) => XLSX.utils.sheet_to_json(book.Sheets.Orders as XLSX.WorkSheet);
    const [a, b] = await Promise.all([streamed, inline].map((r) => readBack(`reports/${r.requestId}.xlsx`)));
    expect(rows(XLSX.read(a))).toEqual(rows(XLSX.read(b)));
    expect((await readBack(`reports/${pdf.requestId}.pdf`)).subarray(0, 5).toString()).toBe("%PDF-");
  });

  it("fails without retrying when the stored rows are gone, and keeps nothing half-done", async () => {
    const { row, input } = await createStreamed(sampleSpec({ rows: 10 }));
    await bucket.storage.delete(inputKey(input, 0));
    expect(await processReport(deps, { requestId: row.requestId, attempt: 1 })).toBe("error");
    expect(await deps.repo.findById(row.requestId)).toMatchObject({
      status: "error",
      errorType: "STORAGE_FAILED",
      attempts: 1,
    });
  });
});

describe("a cancelled report", () => {
  it("is never rendered when it was cancelled while queued", async () => {
    const row = await deps.repo.create(sampleSpec());
    await deps.repo.cancel(row.requestId, null);
    expect(await processReport(deps, { requestId: row.requestId, attempt: 1 })).toBe("skipped");
    expect(await bucket.keys(`reports/${row.requestId}`)).toEqual([]);
  });

  it("stops rendering at the next progress tick after it is cancelled, and keeps no file", async () => {
    const row = await deps.repo.create(sampleSpec({ rows: 150_000 }));
    const outcome = processReport(deps, { requestId: row.requestId, attempt: 1 });
    for (let i = 0; i < 200 && (await deps.repo.findStatus(row.requestId))?.status !== "processing"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const started = Date.now();
    const cancelled = await deps.repo.cancel(row.requestId, null); // what the API does: the row, then the cache
    if (!cancelled) throw new Error("not cancelled");
    await deps.cache.publish(toCachedStatus(cancelled));
    expect(await outcome).toBe("cancelled");
    expect(Date.now() - started).toBeLessThan(deps.settings.leaseMs / 3); // before any lease renewal
    expect(await deps.repo.findById(row.requestId)).toMatchObject({ status: "cancelled", fileKey: null });
    expect(await bucket.keys(`reports/${row.requestId}`)).toEqual([]);
  });
});

describe("retries and dead letters", () => {
  it("releases a retryable failure to queued with the last error, then succeeds on a later attempt", async () => {
    const queue = createMemoryQueue();
    const flaky = { ...deps, queue, storage: unreachable() };
    const row = await deps.repo.create(sampleSpec());
    expect(await processReport(flaky, { requestId: row.requestId, attempt: 1 })).toBe("retrying");
    expect(await deps.repo.findById(row.requestId)).toMatchObject({
      status: "queued",
      attempts: 1,
      errorType: null,
      lastErrorType: "STORAGE_FAILED",
    });
    await vi.waitFor(async () => expect((await queue.depth()).ready).toBe(1), { timeout: 2_000 });
    expect(await processReport({ ...deps, queue }, { requestId: row.requestId, attempt: 2 })).toBe("done");
    expect(await deps.repo.findById(row.requestId)).toMatchObject({ status: "done", attempts: 2, completions: 1 });
    await queue.close();
  });

  it("dead-letters a retryable failure after the last attempt", async () => {
    const queue = createMemoryQueue();
    const flaky = { ...deps, queue, storage: unreachable() };
    const row = await deps.repo.create(sampleSpec());
    const outcomes: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      outcomes.push(await processReport(flaky, { requestId: row.requestId, attempt }));
    }
    expect(outcomes).toEqual(["retrying", "retrying", "error"]);
    expect(await deps.repo.findById(row.requestId)).toMatchObject({
      status: "error",
      errorType: "STORAGE_FAILED",
      attempts: 3,
    });
    expect(queue.deadLetters().map((d) => d.info)).toEqual([
      { reason: "attempts-exhausted", errorType: "STORAGE_FAILED", attempts: 3 },
    ]);
    await queue.close();
  });

  it("never retries a fatal failure", async () => {
    const queue = createMemoryQueue();
    const row = await deps.repo.create(sampleSpec());
    await database.db
      .update(reportRequests)
      .set({ spec: { ...sampleSpec(), format: "docx" } as never })
      .where(eq(reportRequests.requestId, row.requestId));
    expect(await processReport({ ...deps, queue }, { requestId: row.requestId, attempt: 1 })).toBe("error");
    expect(await deps.repo.findById(row.requestId)).toMatchObject({
      status: "error",
      errorType: "INVALID_SPEC",
      attempts: 1,
    });
    expect(queue.deadLetters().map((d) => d.info.reason)).toEqual(["fatal"]);
    expect((await queue.depth()).ready).toBe(0);
    await queue.close();
  });

  it("releases the request and republishes its message when shutdown aborts the render", async () => {
    const queue = createMemoryQueue();
    const row = await deps.repo.create(sampleSpec({ format: "pdf", rows: 3_000 }));
    const shutdown = new AbortController();
    const running = processReport(
      { ...deps, queue },
      { requestId: row.requestId, attempt: 1 },
      { signal: shutdown.signal },
    );
    await vi.waitFor(async () => expect((await deps.repo.findById(row.requestId))?.status).toBe("processing"));
    shutdown.abort(new Error("shutting down"));
    expect(await running).toBe("released");
    expect(await deps.repo.findById(row.requestId)).toMatchObject({
      status: "queued",
      claimToken: null,
      lastErrorType: null,
    });
    expect((await queue.depth()).ready).toBe(1);
    await queue.close();
  });

  it("gives up on a request whose attempts never finished (a worker died each time)", async () => {
    const queue = createMemoryQueue();
    const row = await deps.repo.create(sampleSpec());
    await database.db.update(reportRequests).set({ attempts: 3 }).where(eq(reportRequests.requestId, row.requestId));
    expect(await processReport({ ...deps, queue }, { requestId: row.requestId, attempt: 4 })).toBe("error");
    expect(await deps.repo.findById(row.requestId)).toMatchObject({ status: "error", errorType: "INTERNAL" });
    await queue.close();
  });
});

describe("the per-owner cap", () => {
  it("parks an owner's report while another of theirs renders, and publishes it again when that one ends", async () => {
    const queue = createMemoryQueue();
    const owner = `acme-${randomUUID()}`;
    const first = await deps.repo.create(sampleSpec({ format: "pdf", rows: 20_000 }), { owner });
    const second = await deps.repo.create(sampleSpec({ rows: 1 }), { owner });
    const other = await deps.repo.create(sampleSpec({ rows: 1 }), { owner: `other-${randomUUID()}` });
    const running = processReport({ ...deps, queue }, { requestId: first.requestId, attempt: 1 });
    await vi.waitFor(async () => expect((await deps.repo.findStatus(first.requestId))?.status).toBe("processing"), {
      timeout: 30_000,
      interval: 50,
    });

    expect(await processReport({ ...deps, queue }, { requestId: second.requestId, attempt: 1 })).toBe("parked");
    expect(await deps.repo.findStatus(second.requestId)).toMatchObject({ status: "queued", attempts: 0 });
    expect((await queue.depth()).ready).toBe(0);
    // another owner is not held back by the cap (its render may wait for this test's one thread)
    expect(await processReport({ ...deps, queue }, { requestId: other.requestId, attempt: 1 })).toBe("done");

    expect(await running).toBe("done");
    expect((await queue.depth()).ready).toBe(1);
    expect(await processReport({ ...deps, queue }, { requestId: second.requestId, attempt: 1 })).toBe("done");
    await queue.close();
  });
});

describe("a redelivered message for a request another claim holds", () => {
  it("comes back just after the lease, instead of waiting for the sweeper", async () => {
    const queue = createMemoryQueue();
    const row = await deps.repo.create(sampleSpec());
    await deps.repo.claim(row.requestId, { leaseMs: 1_000 });
    expect(
      await processReport({ ...deps, queue }, { requestId: row.requestId, attempt: 1 }, { redelivered: true }),
    ).toBe("skipped");
    expect((await queue.depth()).ready).toBe(0);
    await vi.waitFor(async () => expect((await queue.depth()).ready).toBe(1), { timeout: 3_000 });
    expect(await processReport({ ...deps, queue }, { requestId: row.requestId, attempt: 1 })).toBe("done");
    await queue.close();
  });
});

describe("metrics", () => {
  it("counts queue wait, retries and dead letters", async () => {
    const metrics = createWorkerMetrics();
    const queue = createMemoryQueue();
    const flaky = { ...deps, queue, metrics, storage: unreachable() };
    const row = await deps.repo.create(sampleSpec());
    for (let attempt = 1; attempt <= 3; attempt++) await processReport(flaky, { requestId: row.requestId, attempt });
    const text = await metrics.registry.metrics();
    expect(text).toContain('reports_retries_total{error_type="STORAGE_FAILED"} 2');
    expect(text).toContain('reports_dead_letters_total{reason="attempts-exhausted",error_type="STORAGE_FAILED"} 1');
    expect(text).toMatch(/reports_queue_wait_seconds_count 3/);
    await queue.close();
  });
});
