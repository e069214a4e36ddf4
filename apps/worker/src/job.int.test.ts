import { createMemoryCache } from "@reports/cache";
import { sampleSpec } from "@reports/contracts/testing";
import { createReportRepository } from "@reports/db";
import { reportRequests } from "@reports/db/schema";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createRenderPool, type RenderPool } from "@reports/renderers";
import { createTestBucket, type TestBucket } from "@reports/storage/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as XLSX from "xlsx";
import type { WorkerDeps } from "./deps";
import { processReport } from "./job";

let database: TestDatabase;
let bucket: TestBucket;
let renderer: RenderPool;
let deps: WorkerDeps;

beforeAll(async () => {
  [database, bucket] = await Promise.all([createTestDatabase(), createTestBucket(inject("s3"))]);
  renderer = createRenderPool({ maxThreads: 1, timeoutMs: 30_000 });
  deps = {
    repo: createReportRepository(database.db),
    queue: createMemoryQueue(),
    storage: bucket.storage,
    cache: createMemoryCache(),
    renderer,
    logger: silentLogger(),
    settings: { leaseMs: 30_000, concurrency: 1 },
  };
});

afterAll(async () => {
  await renderer.close();
  await Promise.all([bucket.drop(), database.drop()]);
});

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
    const broken = { ...row.spec, tables: [] };
    await database.db.update(reportRequests).set({ spec: broken }).where(eq(reportRequests.requestId, row.requestId));
    expect(await processReport(deps, { requestId: row.requestId, attempt: 1 })).toBe("error");
    expect(await deps.repo.findById(row.requestId)).toMatchObject({ status: "error", errorType: "INVALID_SPEC" });
  });
});
