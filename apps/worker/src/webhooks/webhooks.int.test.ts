import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type ReportSpecInput, reportSpec } from "@reports/contracts";
import { sampleSpec } from "@reports/contracts/testing";
import { createWebhookRepository } from "@reports/db";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { silentLogger } from "@reports/logger";
import { createRenderPool, type RenderPool } from "@reports/renderers";
import { verifyWebhook } from "@reports/sdk";
import { createTestBucket, type TestBucket } from "@reports/storage/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import type { WorkerDeps } from "../deps";
import { processReport } from "../job";
import { testWorkerDeps } from "../testing";
import { createWebhookDispatcher, type WebhookSettings } from "./dispatcher";

const SECRET = "a-webhook-secret-of-our-own";

interface Received {
  body: string;
  headers: IncomingMessage["headers"];
}

/** A receiver on 127.0.0.1 that answers with whatever `answer` says, and records every delivery. */
let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
let answer: (res: ServerResponse, n: number) => void = (res) => res.writeHead(204).end();

let database: TestDatabase;
let bucket: TestBucket;
let renderer: RenderPool;

const settings = (overrides: Partial<WebhookSettings> = {}): WebhookSettings => ({
  secret: undefined,
  timeoutMs: 1_000,
  maxAttempts: 3,
  baseDelayMs: 20,
  maxDelayMs: 100,
  pollMs: 50,
  sweepWindowMs: 60_000,
  allowedHosts: new Set(["127.0.0.1"]),
  urlTtlSeconds: 600,
  ...overrides,
});

function workerDeps(webhookSettings: WebhookSettings): WorkerDeps {
  const deps = testWorkerDeps(
    { db: database.db, storage: bucket.storage, renderer },
    { retry: { maxAttempts: 1, baseDelayMs: 50, maxDelayMs: 200, jitter: 0 } },
  );
  const webhooks = createWebhookDispatcher(
    { db: database.db, storage: bucket.storage, logger: silentLogger(), deliveries: deps.metrics.webhookDeliveries },
    webhookSettings,
  );
  return { ...deps, webhooks };
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const spec = (webhook: { url: string; secret?: string }, base: ReportSpecInput = sampleSpec({ rows: 3 })) =>
  reportSpec.parse({ ...base, webhook });

beforeAll(async () => {
  [database, bucket] = await Promise.all([createTestDatabase(), createTestBucket(inject("s3"))]);
  renderer = createRenderPool({ maxThreads: 1, timeoutMs: 30_000 });
  receiver = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push({ body, headers: req.headers });
      answer(res, received.length);
    });
  });
  receiver.listen(0, "127.0.0.1");
  await once(receiver, "listening");
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});

afterAll(async () => {
  receiver.closeAllConnections();
  receiver.close();
  await renderer.close();
  await Promise.all([bucket.drop(), database.drop()]);
});

beforeEach(() => {
  received = [];
  answer = (res) => res.writeHead(204).end();
});

describe("webhooks", () => {
  it("POSTs report.done, signed with the request's secret, with a download link, as soon as the report is done", async () => {
    const deps = workerDeps(settings());
    const row = await deps.repo.create(spec({ url: receiverUrl, secret: SECRET }));
    expect(await processReport(deps, { requestId: row.requestId, attempt: 1 })).toBe("done");
    const delivery = await until(() => received[0]);
    expect(delivery.headers["x-reports-event"]).toBe("report.done");
    const event = await verifyWebhook(delivery.body, delivery.headers as Record<string, string>, SECRET);
    expect(event).toMatchObject({ type: "report.done", data: { requestId: row.requestId, status: "done" } });
    expect(event.id).toBe(delivery.headers["x-reports-delivery"]);
    expect(event.data.url).toMatch(/^http/);
    expect(delivery.body).not.toContain(SECRET);
    expect(delivery.body).not.toContain("owner");
    const [recorded] = await createWebhookRepository(database.db).listFor(row.requestId);
    expect(recorded).toMatchObject({ status: "delivered", attempts: 1, lastStatusCode: 204 });
    await deps.webhooks?.stop();
  });

  it("carries the render's warnings into the database, the cache and the report.done body", async () => {
    const warning = { code: "MISSING_GLYPHS" as const, message: "1 cell: U+E000", codePoints: ["U+E000"], cells: 1 };
    // the renderer's own detection is tested with the PDF renderer; here, what the job does with its result
    const warningRenderer: RenderPool = {
      render: async (s, options) => ({ ...(await renderer.render(s, options)), warnings: [warning] }),
      threads: () => renderer.threads(),
      close: () => renderer.close(),
    };
    const deps = { ...workerDeps(settings()), renderer: warningRenderer };
    const row = await deps.repo.create(spec({ url: receiverUrl, secret: SECRET }));
    expect(await processReport(deps, { requestId: row.requestId, attempt: 1 })).toBe("done");
    expect((await deps.repo.findById(row.requestId))?.warnings).toEqual([warning]);
    expect((await deps.cache.get(row.requestId))?.warnings).toEqual([warning]);
    const delivery = await until(() => received[0]);
    const event = await verifyWebhook(delivery.body, delivery.headers as Record<string, string>, SECRET);
    expect(event.data).toMatchObject({ status: "done", warnings: [warning] });
    await deps.webhooks?.stop();
  });

  it("POSTs report.error with the error, signed with the deployment's secret when the request has none", async () => {
    const deps = workerDeps(settings({ secret: "the-deployment-secret" }));
    const bad = { ...sampleSpec(), tables: [] } as unknown as ReportSpecInput;
    const row = await deps.repo.create({ ...sampleSpec(), webhook: { url: receiverUrl } });
    // the stored spec stops validating (a template changed, say): a fatal error
    await database.db.execute(
      `update report_requests set spec = '${JSON.stringify(bad)}' where request_id = '${row.requestId}'` as never,
    );
    expect(await processReport(deps, { requestId: row.requestId, attempt: 1 })).toBe("error");
    const delivery = await until(() => received[0]);
    const event = await verifyWebhook(
      delivery.body,
      delivery.headers as Record<string, string>,
      "the-deployment-secret",
    );
    expect(event).toMatchObject({ type: "report.error", data: { status: "error", error: { type: "INVALID_SPEC" } } });
    await deps.webhooks?.stop();
  });

  it("retries a failing receiver with backoff until it answers 2xx, and gives up after the last attempt", async () => {
    answer = (res, n) => res.writeHead(n < 3 ? 500 : 200).end();
    const deps = workerDeps(settings());
    deps.webhooks?.start();
    const row = await deps.repo.create(spec({ url: receiverUrl, secret: SECRET }));
    await processReport(deps, { requestId: row.requestId, attempt: 1 });
    const hooks = createWebhookRepository(database.db);
    const delivered = await until(async () => {
      const [d] = await hooks.listFor(row.requestId);
      return d?.status === "delivered" ? d : undefined;
    });
    expect(delivered).toMatchObject({ attempts: 3, lastStatusCode: 200 });
    expect(new Set(received.map((r) => r.headers["x-reports-delivery"])).size).toBe(1); // one event, three tries

    received = [];
    answer = (res) => res.writeHead(503).end();
    const other = await deps.repo.create(spec({ url: receiverUrl }));
    await processReport(deps, { requestId: other.requestId, attempt: 1 });
    const failed = await until(async () => {
      const [d] = await hooks.listFor(other.requestId);
      return d?.status === "failed" ? d : undefined;
    });
    expect(failed).toMatchObject({ attempts: 3, lastStatusCode: 503, lastError: "HTTP 503" });
    expect(received).toHaveLength(3);
    await deps.webhooks?.stop();
  });

  it("sweeps up a done request whose event was never recorded (its worker died in between)", async () => {
    const deps = workerDeps(settings());
    const row = await deps.repo.create(spec({ url: receiverUrl, secret: SECRET }));
    const claim = await deps.repo.claim(row.requestId, { leaseMs: 30_000 });
    if (!claim) throw new Error("not claimed");
    await deps.repo.complete(claim, `reports/${row.requestId}.xlsx`); // completed, and no webhook event recorded
    await deps.webhooks?.runOnce();
    const delivery = await until(() => received[0]);
    expect(delivery.headers["x-reports-event"]).toBe("report.done");
  });

  it("refuses private, loopback, link-local and mapped addresses without the allow-list, and follows no redirect", async () => {
    const deps = workerDeps(settings({ allowedHosts: new Set() }));
    const port = new URL(receiverUrl).port;
    const hooks = createWebhookRepository(database.db);
    const urls = [
      receiverUrl,
      `http://localhost:${port}/hooks`,
      `http://[::ffff:127.0.0.1]:${port}/hooks`,
      "http://169.254.169.254/latest/meta-data/",
      "http://10.1.2.3/hooks",
    ];
    for (const url of urls) {
      const row = await deps.repo.create(spec({ url }));
      await processReport(deps, { requestId: row.requestId, attempt: 1 });
      const [settled] = await until(async () => {
        const rows = await hooks.listFor(row.requestId);
        return rows[0]?.status === "failed" ? rows : undefined;
      });
      expect(settled).toMatchObject({ attempts: 1, lastStatusCode: null });
      expect(settled?.lastError).toMatch(/address not allowed/);
    }
    expect(received).toHaveLength(0);

    answer = (res, n) => (n === 1 ? res.writeHead(302, { location: `${receiverUrl}/elsewhere` }).end() : res.end());
    const allowed = workerDeps(settings({ maxAttempts: 1 }));
    const row = await allowed.repo.create(spec({ url: receiverUrl }));
    await processReport(allowed, { requestId: row.requestId, attempt: 1 });
    const [redirected] = await until(async () => {
      const rows = await hooks.listFor(row.requestId);
      return rows[0]?.status === "failed" ? rows : undefined;
    });
    expect(redirected).toMatchObject({ lastStatusCode: 302 });
    expect(received).toHaveLength(1); // the redirect target was never asked
  });

  it("gives a silent receiver the time limit, then counts it as a failed attempt", async () => {
    answer = () => {}; // never answers
    const deps = workerDeps(settings({ timeoutMs: 300, maxAttempts: 1 }));
    const row = await deps.repo.create(spec({ url: receiverUrl }));
    await processReport(deps, { requestId: row.requestId, attempt: 1 });
    const hooks = createWebhookRepository(database.db);
    const [settled] = await until(async () => {
      const rows = await hooks.listFor(row.requestId);
      return rows[0]?.status === "failed" ? rows : undefined;
    });
    expect(settled?.lastError).toMatch(/no answer within 300 ms|aborted|timeout/i);
  });
});
