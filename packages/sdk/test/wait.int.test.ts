import { sampleSpec } from "@reports/contracts/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as XLSX from "xlsx";
import {
  AbortError,
  ApiError,
  createReportsClient,
  ReportCancelledError,
  ReportFailedError,
  type ReportSpec,
  type ReportStatus,
  TimeoutError,
} from "../src/index";
import { startProxy, type TestProxy } from "./proxy";
import { startSystem, type TestSystem } from "./system";

let system: TestSystem;
let proxy: TestProxy;
let replicaA: string;
let replicaB: string;
let replicaWithoutRedis: string;

beforeAll(async () => {
  system = await startSystem(inject("s3"), { replicas: 3, redisDownFor: [2] });
  [replicaA, replicaB, replicaWithoutRedis] = system.replicas.map((r) => r.url) as [string, string, string];
  proxy = await startProxy(replicaB);
});

afterAll(async () => {
  await proxy?.close();
  await system?.close();
});

/** A request stored as `queued` with no message: it stays queued, so waits on it only end by timeout or abort. */
async function stuckRequest(): Promise<string> {
  const row = await system.replicas[0]?.deps.repo.create(sampleSpec({ rows: 2 }));
  if (!row) throw new Error("no replica");
  return row.requestId;
}

describe("cancel", () => {
  it("cancels a queued report; waiting on it then rejects with ReportCancelledError, over SSE and polling", async () => {
    const requestId = await stuckRequest();
    const waiting = createReportsClient({ baseUrl: replicaB })
      .waitForStatus(requestId, { transport: "sse" })
      .catch((e: unknown) => e);
    const reports = createReportsClient({ baseUrl: replicaA });
    expect(await reports.cancel(requestId)).toMatchObject({ requestId, status: "cancelled", url: null });
    const error = await waiting;
    expect(error).toBeInstanceOf(ReportCancelledError);
    expect((error as ReportCancelledError).requestId).toBe(requestId);
    await expect(reports.waitForStatus(requestId, { transport: "polling" })).rejects.toBeInstanceOf(
      ReportCancelledError,
    );
    await expect(reports.download(requestId)).rejects.toBeInstanceOf(ReportCancelledError);
    expect((await reports.cancel(requestId)).status).toBe("cancelled"); // again: the same answer
  });

  it("refuses to cancel a done report with NOT_CANCELLABLE", async () => {
    const reports = createReportsClient({ baseUrl: replicaA });
    const { requestId } = await reports.generate(sampleSpec({ rows: 2 }));
    await reports.waitForStatus(requestId);
    const error = await reports.cancel(requestId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe("NOT_CANCELLABLE");
  });
});

describe("waitForStatus over SSE", () => {
  it("gets every status a worker publishes, on another replica than the one that took the request", async () => {
    const { requestId } = await createReportsClient({ baseUrl: replicaA }).generate(sampleSpec({ rows: 25_000 }));
    const seen: ReportStatus[] = [];
    const reports = createReportsClient({ baseUrl: replicaB });
    const done = await reports.waitForStatus(requestId, { transport: "sse", onUpdate: (s) => seen.push(s) });

    expect(done).toMatchObject({ requestId, status: "done", error: null, report: { rowCount: 25_000 } });
    expect(done.url).toMatch(/^http/);
    expect(seen.at(-1)).toEqual(done);
    expect(seen.map((s) => s.status)).toContain("processing");
    const progress = seen.flatMap((s) => (s.status === "processing" && s.progress ? [s.progress] : []));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.every((p) => p > 0 && p < 100)).toBe(true);

    const file = await reports.download(requestId);
    const book = XLSX.read(new Uint8Array(await file.arrayBuffer()));
    expect(XLSX.utils.sheet_to_json(book.Sheets.Orders as XLSX.WorkSheet)).toHaveLength(25_000);
  });

  it("answers at once with the current status when the report is already done", async () => {
    const reports = createReportsClient({ baseUrl: replicaB });
    const { requestId } = await reports.generate(sampleSpec({ rows: 3 }));
    await reports.waitForStatus(requestId, { transport: "sse" });
    const seen: string[] = [];
    const started = performance.now();
    const again = await reports.waitForStatus(requestId, { transport: "sse", onUpdate: (s) => seen.push(s.status) });
    expect(again.status).toBe("done");
    expect(seen).toEqual(["done"]);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("still streams from a replica whose Redis is down, reading the status from the database", async () => {
    const { requestId } = await createReportsClient({ baseUrl: replicaA }).generate(sampleSpec({ rows: 3 }));
    const seen: string[] = [];
    const reports = createReportsClient({ baseUrl: replicaWithoutRedis });
    const done = await reports.waitForStatus(requestId, { transport: "sse", onUpdate: (s) => seen.push(s.status) });
    expect(done.status).toBe("done");
    expect(done.url).toMatch(/^http/);
    expect(seen.at(-1)).toBe("done");
  });

  it("resolves at an earlier state when asked to", async () => {
    const reports = createReportsClient({ baseUrl: replicaA });
    const requestId = await stuckRequest();
    await expect(reports.waitForStatus(requestId, { until: "queued" })).resolves.toMatchObject({ status: "queued" });
  });
});

describe("waitForStatus when SSE is not available", () => {
  it.each([
    ["buffers the stream", "buffer"],
    ["refuses the stream", "refuse"],
  ] as const)("polls instead when a proxy %s", async (_name, mode) => {
    proxy.streams = mode;
    proxy.seen.length = 0;
    const reports = createReportsClient({ baseUrl: proxy.url });
    const requestId = await stuckRequest();
    const waiting = reports.waitForStatus(requestId, { sseStartTimeoutMs: 200, intervalMs: 50 });
    // queued for the worker only once the stream has had its chance: the status must come by polling
    setTimeout(() => void system.queue.publish({ requestId, attempt: 1 }), 400);
    expect((await waiting).status).toBe("done");
    expect(proxy.seen.some((r) => r.startsWith("GET /trpc/reports.onStatus"))).toBe(true);
    expect(proxy.seen.filter((r) => r.startsWith("GET /trpc/reports.status")).length).toBeGreaterThan(0);
  });

  it("rejects when told to use SSE only and the stream never comes", async () => {
    proxy.streams = "buffer";
    const reports = createReportsClient({ baseUrl: proxy.url });
    const requestId = await stuckRequest();
    const error = await reports
      .waitForStatus(requestId, { transport: "sse", sseStartTimeoutMs: 200 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "NetworkError" });
  });
});

describe("waitForStatus errors", () => {
  it.each(["sse", "polling"] as const)(
    "rejects with ReportFailedError for a report that fails (%s)",
    async (transport) => {
      const reports = createReportsClient({ baseUrl: replicaB });
      // a spec the API would refuse, stored directly: the worker fails it as INVALID_SPEC
      const bad = { ...sampleSpec({ rows: 1 }), tables: [] } as unknown as ReportSpec;
      const row = await system.replicas[0]?.deps.repo.create(bad as never);
      if (!row) throw new Error("no replica");
      await system.queue.publish({ requestId: row.requestId, attempt: 1 });
      const error = await reports.waitForStatus(row.requestId, { transport }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReportFailedError);
      expect(error).toMatchObject({ requestId: row.requestId, type: "INVALID_SPEC", status: { status: "error" } });
      expect((error as ReportFailedError).message).toContain("tables");
    },
  );

  it.each(["sse", "polling"] as const)("rejects with TimeoutError carrying the last status (%s)", async (transport) => {
    const reports = createReportsClient({ baseUrl: replicaA });
    const requestId = await stuckRequest();
    const started = performance.now();
    const error = await reports.waitForStatus(requestId, { timeoutMs: 400, transport }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ requestId, timeoutMs: 400, lastStatus: { status: "queued" } });
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it("rejects with AbortError when the signal aborts, its reason as the cause", async () => {
    const reports = createReportsClient({ baseUrl: replicaB });
    const requestId = await stuckRequest();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("user left the page")), 200);
    const error = await reports.waitForStatus(requestId, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toMatchObject({ message: "user left the page" });
  });

  it.each(["sse", "polling"] as const)(
    "rejects with ApiError NOT_FOUND for an unknown request (%s)",
    async (transport) => {
      const reports = createReportsClient({ baseUrl: replicaA });
      const error = await reports
        .waitForStatus("2f1a5c3e-8d4b-4c6a-9e7f-0a1b2c3d4e5f", { transport })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ code: "NOT_FOUND", status: 404, type: "https://reports.dev/problems/not-found" });
    },
  );
});

describe("generate, getStatus and download", () => {
  it("names the fields of a spec the API refuses", async () => {
    const reports = createReportsClient({ baseUrl: replicaA });
    const spec = sampleSpec({ rows: 1 });
    const error = await reports
      .generate({
        ...spec,
        tables: [{ ...spec.tables[0], name: "Orders", rows: [{ amount: "12 euros" }] }],
      } as ReportSpec)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "VALIDATION_FAILED", status: 400, httpStatus: 400 });
    expect((error as ApiError).errors.map((e) => e.path)).toContain("tables[0].rows[0].amount");
    expect((error as ApiError).detail).toMatch(/^The request is not valid: tables\[0\]\.rows\[0\]\.amount: /);
  });

  it("retries a generate whose answer was lost, and the idempotency key makes it one report", async () => {
    proxy.streams = "pass";
    proxy.dropAnswers(1);
    proxy.seen.length = 0;
    const reports = createReportsClient({ baseUrl: proxy.url, retry: { baseDelayMs: 50 } });
    const { requestId } = await reports.generate(sampleSpec({ rows: 2, title: `lost answer ${Date.now()}` }));
    expect(proxy.seen.filter((r) => r.startsWith("POST /trpc/reports.generate"))).toHaveLength(2);
    const rows = await system.database.db.query.reportRequests.findMany({
      where: (r, { like }) => like(r.title, "lost answer %"),
    });
    expect(rows.map((r) => r.requestId)).toEqual([requestId]);
  });

  it("does not retry a generate sent without an idempotency key", async () => {
    proxy.dropAnswers(1);
    proxy.seen.length = 0;
    const reports = createReportsClient({ baseUrl: proxy.url, retry: { baseDelayMs: 50 } });
    const error = await reports.generate(sampleSpec({ rows: 2 }), { idempotencyKey: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "NetworkError" });
    expect(proxy.seen.filter((r) => r.startsWith("POST /trpc/reports.generate"))).toHaveLength(1);
  });

  it("refuses to download a report that is not done", async () => {
    const reports = createReportsClient({ baseUrl: replicaA });
    const error = await reports.download(await stuckRequest()).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ApiError", code: "NOT_READY", status: 409 });
  });
});
