import { createRedisCache } from "@reports/cache";
import { sampleSpec } from "@reports/contracts/testing";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from "@reports/queue/testing";
import { createReportsClient } from "@reports/sdk";
import { createTestBucket, type TestBucket } from "@reports/storage/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { download, pdfText, xlsxRows } from "../support/files";
import { freePort, type RunningProcess, startProcess } from "../support/processes";

describe("distributed mode: a BFF and a worker process on PostgreSQL, RabbitMQ, Redis and S3", () => {
  let database: TestDatabase;
  let bucket: TestBucket;
  let bff: RunningProcess;
  let worker: RunningProcess;
  let baseUrl: string;
  const prefix = uniquePrefix("e2e");
  const REDIS_URL = "redis://127.0.0.1:6379";

  beforeAll(async () => {
    const s3 = inject("s3");
    [database, bucket] = await Promise.all([createTestDatabase(), createTestBucket(s3)]);
    const port = await freePort();
    const env = {
      DATABASE_URL: database.url,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
      QUEUE_PREFIX: prefix,
      REDIS_URL,
      REDIS_PREFIX: `${prefix}:`,
      S3_BUCKET: bucket.bucket,
      S3_ENDPOINT: s3.endpoint,
      AWS_REGION: s3.region,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      PORT: String(port),
      RENDER_THREADS: "1",
    };
    worker = startProcess("apps/worker/src/main.ts", env);
    bff = startProcess("apps/bff/src/main.ts", env);
    await Promise.all([worker.waitForLog("worker consuming"), bff.waitForLog("bff listening")]);
    baseUrl = `http://127.0.0.1:${port}`;
  }, 120_000);

  afterAll(async () => {
    await Promise.all([bff?.stop(), worker?.stop()]);
    await deleteTopology(prefix);
    await Promise.all([bucket?.drop(), database?.drop()]);
  });

  const reports = () => createReportsClient({ baseUrl });

  async function generate(spec: unknown): Promise<string> {
    const res = await fetch(`${baseUrl}/generate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(spec),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { requestId: string }).requestId;
  }

  it("turns a 1,000-row spec into an XLSX that holds the submitted values", async () => {
    const spec = sampleSpec({ format: "xlsx", rows: 1_000 });
    const requestId = await generate(spec);
    const status = await reports().waitForStatus(requestId, { timeoutMs: 60_000 });
    expect(status).toMatchObject({ status: "done", error: null, report: { format: "xlsx", rowCount: 1_000 } });
    const { bytes } = await download(status.url as string);
    const rows = xlsxRows(bytes, "Orders");
    expect(rows).toHaveLength(1_000);
    expect(rows[0]).toMatchObject({ Order: 1, Customer: "Zażółć gęślą jaźń", Amount: 12.35, Paid: true });
    expect(rows[999]).toMatchObject({ Order: 1_000, Customer: "Customer 1000", Paid: false });
  });

  it("turns a 1,000-row spec into a PDF whose text holds the submitted values", async () => {
    const spec = sampleSpec({ format: "pdf", rows: 1_000 });
    const requestId = await generate(spec);
    const status = await reports().waitForStatus(requestId, { timeoutMs: 90_000 });
    expect(status.status).toBe("done");
    const { bytes, response } = await download(status.url as string);
    expect(response.headers.get("content-disposition")).toContain(".pdf");
    const { text, pages } = await pdfText(bytes);
    expect(pages).toBeGreaterThan(10);
    expect(text).toContain("Sales — Łódź & Привет");
    expect(text).toContain("Zażółć gęślą jaźń");
    expect(text).toContain("Customer 1000");
  });

  it("keeps the status in Redis and the database in agreement once done", async () => {
    const requestId = await generate(sampleSpec({ rows: 3 }));
    const status = await reports().waitForStatus(requestId, { timeoutMs: 30_000 });
    expect(status.status).toBe("done");
    const [row] = await database.db.query.reportRequests.findMany({ where: (r, { eq }) => eq(r.requestId, requestId) });
    expect(row).toMatchObject({ status: "done", fileKey: `reports/${requestId}.xlsx`, attempts: 1 });
    // the worker's final status, under this deployment's REDIS_PREFIX and nowhere else
    const ours = createRedisCache({ url: REDIS_URL, keyPrefix: `${prefix}:` });
    const unprefixed = createRedisCache({ url: REDIS_URL });
    try {
      expect(await ours.get(requestId)).toMatchObject({ status: "done", version: row?.version });
      expect(await unprefixed.get(requestId)).toBeNull();
    } finally {
      await Promise.all([ours.close(), unprefixed.close()]);
    }
  });
});
