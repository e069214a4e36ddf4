import { randomUUID } from "node:crypto";
import { createRedisCache } from "@reports/cache";
import { sampleSpec } from "@reports/contracts/testing";
import { createDb, createReportRepository, toCachedStatus } from "@reports/db";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { silentLogger } from "@reports/logger";
import { createTestQueue, type TestQueue } from "@reports/queue/testing";
import { createTestBucket, type TestBucket } from "@reports/storage/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApp } from "./app";
import { type AppDeps, createApiDeps } from "./deps";
import { bffSettings } from "./env";
import { metricsApp } from "./metrics";

let database: TestDatabase;
let queue: TestQueue;
let bucket: TestBucket;
let deps: AppDeps;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  [database, queue, bucket] = await Promise.all([
    createTestDatabase(),
    createTestQueue(),
    createTestBucket(inject("s3")),
  ]);
  deps = createApiDeps(
    {
      db: database.db,
      queue,
      storage: bucket.storage,
      cache: createRedisCache({ url: "redis://127.0.0.1:6379", keyPrefix: `test-${randomUUID()}:` }),
      logger: silentLogger(),
    },
    bffSettings.parse({ MAX_BODY_BYTES: String(256 * 1024), DOWNLOAD_URL_TTL_SECONDS: "60", LOG_REQUESTS: "false" }),
  );
  app = createApp(deps);
});

afterAll(async () => {
  await deps.cache.close();
  await Promise.all([queue.destroy(), bucket.drop(), database.drop()]);
});

const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
  });

async function problemOf(res: Response) {
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as {
    code: string;
    status: number;
    detail: string;
    traceId?: string;
    instance?: string;
    errors?: Array<{ path: string }>;
  };
  expect(body.status).toBe(res.status);
  expect(body.traceId).toBe(res.headers.get("x-request-id"));
  expect(body.instance).toBe(`urn:reports:trace:${body.traceId}`);
  return body;
}

describe("POST /generate", () => {
  it("stores the request, queues it and answers 201 with its id", async () => {
    const before = await queue.depth();
    const res = await postJson("/generate", sampleSpec({ rows: 5 }));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { requestId: string; status: string; createdAt: string };
    expect(body.status).toBe("queued");
    expect(Number.isNaN(Date.parse(body.createdAt))).toBe(false);
    expect(res.headers.get("location")).toBe(`/status/${body.requestId}`);
    expect(await deps.repo.findById(body.requestId)).toMatchObject({ status: "queued", rowCount: 5 });
    await expect.poll(async () => (await queue.depth()).ready).toBe(before.ready + 1);
  });

  it("answers 400 naming the field of a value that does not fit its column", async () => {
    const spec = sampleSpec({ rows: 2 });
    const rows = spec.tables[0]?.rows ?? [];
    rows[1] = { ...rows[1], amount: "12 euros" };
    const res = await postJson("/generate", spec);
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem.code).toBe("VALIDATION_FAILED");
    expect(problem.errors?.map((e) => e.path)).toEqual(["tables[0].rows[1].amount"]);
  });

  it("answers 400 naming a missing or unknown format", async () => {
    const { format: _format, ...noFormat } = sampleSpec();
    const missing = await problemOf(await postJson("/generate", noFormat));
    expect(missing.errors?.map((e) => e.path)).toContain("format");
    const wrong = await problemOf(await postJson("/generate", { ...sampleSpec(), format: "docx" }));
    expect(wrong.errors?.map((e) => e.path)).toContain("format");
  });

  it("answers 400 for a body that is not JSON", async () => {
    const res = await postJson("/generate", "{ not json");
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe("VALIDATION_FAILED");
  });

  it("answers 415 for a body that is not sent as JSON", async () => {
    const res = await app.request("/generate", {
      method: "POST",
      body: "format=xlsx",
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(415);
    expect((await problemOf(res)).code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers 413 for a body over the limit, by its declared length before reading it", async () => {
    const declared = await app.request("/generate", {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json", "content-length": String(10 * 1024 * 1024 * 1024) },
    });
    expect(declared.status).toBe(413);
    expect((await problemOf(declared)).code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("answers 413 for a body over the limit", async () => {
    const res = await postJson("/generate", sampleSpec({ rows: 5_000 }));
    expect(res.status).toBe(413);
    expect((await problemOf(res)).code).toBe("PAYLOAD_TOO_LARGE");
  });
});

describe("GET /status/:requestId", () => {
  it("returns a queued request from the database and fills the cache", async () => {
    const row = await deps.repo.create(sampleSpec({ rows: 3, format: "pdf" }));
    const res = await app.request(`/status/${row.requestId}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      requestId: row.requestId,
      status: "queued",
      report: { format: "pdf", title: row.title, fileName: row.fileName, rowCount: 3 },
      url: null,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      error: null,
    });
    expect(await deps.cache.get(row.requestId)).toMatchObject({ status: "queued", version: 1 });
  });

  it("reads the cache before the database", async () => {
    const row = await deps.repo.create(sampleSpec());
    await deps.cache.set({ ...toCachedStatus(row), status: "processing", version: 2 });
    const body = (await (await app.request(`/status/${row.requestId}`)).json()) as { status: string };
    expect(body.status).toBe("processing");
  });

  it("gives a done report a download link that works and names the file", async () => {
    const row = await deps.repo.create(sampleSpec());
    const claim = await deps.repo.claim(row.requestId, { leaseMs: 10_000 });
    if (!claim) throw new Error("not claimed");
    const key = `reports/${row.requestId}.xlsx`;
    await bucket.storage.put(key, Buffer.from("file bytes"), { contentType: "application/octet-stream" });
    await deps.repo.complete(claim, key);
    const body = (await (await app.request(`/status/${row.requestId}`)).json()) as { status: string; url: string };
    expect(body.status).toBe("done");
    const download = await fetch(body.url);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe("file bytes");
    expect(download.headers.get("content-disposition")).toContain("filename*=UTF-8''Sales");
  });

  it("shows a done report's warnings on REST and tRPC, and none on a clean one", async () => {
    const warning = { code: "MISSING_GLYPHS" as const, message: "1 cell: U+E000", codePoints: ["U+E000"], cells: 1 };
    const [warned, clean] = await Promise.all([deps.repo.create(sampleSpec()), deps.repo.create(sampleSpec())]);
    for (const [row, warnings] of [
      [warned, [warning]],
      [clean, []],
    ] as const) {
      const claim = await deps.repo.claim(row.requestId, { leaseMs: 10_000 });
      if (!claim) throw new Error("not claimed");
      await deps.repo.complete(claim, `reports/${row.requestId}.pdf`, warnings);
    }
    const rest = (await (await app.request(`/status/${warned.requestId}`)).json()) as { warnings?: unknown };
    expect(rest.warnings).toEqual([warning]);
    const input = encodeURIComponent(JSON.stringify({ requestId: warned.requestId }));
    const trpc = (await (await app.request(`/trpc/reports.status?input=${input}`)).json()) as {
      result: { data: { warnings?: unknown } };
    };
    expect(trpc.result.data.warnings).toEqual([warning]);
    expect(await (await app.request(`/status/${clean.requestId}`)).json()).not.toHaveProperty("warnings");
  });

  it("shows an error report's type and message", async () => {
    const row = await deps.repo.create(sampleSpec());
    const claim = await deps.repo.claim(row.requestId, { leaseMs: 10_000 });
    if (!claim) throw new Error("not claimed");
    await deps.repo.fail(claim, "RENDER_FAILED", "the table could not be laid out");
    const body = (await (await app.request(`/status/${row.requestId}`)).json()) as {
      status: string;
      error: unknown;
      url: unknown;
    };
    expect(body).toMatchObject({
      status: "error",
      url: null,
      error: { type: "RENDER_FAILED", message: "the table could not be laid out" },
    });
  });

  it("answers 404 for an unknown id", async () => {
    const res = await app.request(`/status/${randomUUID()}`);
    expect(res.status).toBe(404);
    expect((await problemOf(res)).code).toBe("NOT_FOUND");
  });

  it("answers 400 for a malformed id", async () => {
    const res = await app.request("/status/not-a-uuid");
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem.code).toBe("MALFORMED_ID");
    expect(problem.errors?.[0]?.path).toBe("requestId");
  });
});

describe("tRPC at /trpc", () => {
  it("generates and reads a status through the same service", async () => {
    const res = await postJson("/trpc/reports.generate", sampleSpec({ rows: 2 }));
    expect(res.status).toBe(200);
    const { result } = (await res.json()) as { result: { data: { requestId: string; status: string } } };
    expect(result.data.status).toBe("queued");
    const input = encodeURIComponent(JSON.stringify({ requestId: result.data.requestId }));
    const status = await app.request(`/trpc/reports.status?input=${input}`);
    expect(((await status.json()) as { result: { data: { status: string } } }).result.data.status).toBe("queued");
  });

  it("carries the error catalog's code and the field list in error data", async () => {
    const res = await postJson("/trpc/reports.generate", { ...sampleSpec(), title: "" });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as {
      error: { message: string; data: { code: string; errors: Array<{ path: string }> } };
    };
    expect(error.data.code).toBe("VALIDATION_FAILED");
    expect(error.data.errors.map((e) => e.path)).toEqual(["title"]);
    // one readable line, not zod's issue list as JSON
    expect(error.message).toMatch(/^The request is not valid: title: /);
  });

  it("answers NOT_FOUND with code NOT_FOUND for an unknown id", async () => {
    const input = encodeURIComponent(JSON.stringify({ requestId: randomUUID() }));
    const res = await app.request(`/trpc/reports.status?input=${input}`);
    expect(res.status).toBe(404);
    const { error } = (await res.json()) as { error: { data: { code: string } } };
    expect(error.data.code).toBe("NOT_FOUND");
  });
});

describe("the rest", () => {
  it("answers /healthz", async () => {
    const res = await app.request("/healthz");
    expect(res.status).toBe(200);
  });

  it("answers an unknown route with a problem 404", async () => {
    const res = await app.request("/nope");
    expect(res.status).toBe(404);
    expect((await problemOf(res)).code).toBe("NOT_FOUND");
  });

  it("answers 201 and keeps the row for the relay when the queue is down; a retry with the same key publishes it", async () => {
    const down = await createTestQueue();
    await down.destroy();
    const broken = createApp({ ...deps, queue: down });
    const post = (app: typeof broken) =>
      app.request("/generate", {
        method: "POST",
        body: JSON.stringify(sampleSpec()),
        headers: { "content-type": "application/json", "idempotency-key": `outbox-${randomUUID()}` },
      });
    const request = new Request("http://localhost/generate", {
      method: "POST",
      body: JSON.stringify(sampleSpec()),
      headers: { "content-type": "application/json", "idempotency-key": `outbox-${randomUUID()}` },
    });
    const res = await broken.request(request.clone());
    expect(res.status).toBe(201);
    const { requestId } = (await res.json()) as { requestId: string };
    // stored, and not known to be enqueued: the relay's to send
    expect(await deps.repo.findStatus(requestId)).toMatchObject({ status: "queued", enqueuedAt: null });
    expect((await broken.request(`/status/${requestId}`)).status).toBe(200);
    expect((await post(broken)).status).toBe(201);

    const retried = await app.request(request.clone());
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as { requestId: string }).requestId).toBe(requestId);
    expect((await deps.repo.findStatus(requestId))?.enqueuedAt).not.toBeNull();
  });

  it("keeps the API ready when only the queue is down", async () => {
    const down = await createTestQueue();
    await down.destroy();
    const res = await createApp({ ...deps, queue: down }).request("/readyz");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { dependencies: Record<string, string> }).dependencies).toMatchObject({
      database: "ok",
      queue: "unavailable",
    });
  });
});

describe("when a backing service is down", () => {
  it("answers GET /status from PostgreSQL when Redis is unreachable", async () => {
    const row = await deps.repo.create(sampleSpec());
    const noRedis = createRedisCache({
      url: "redis://127.0.0.1:1",
      redisOptions: { connectTimeout: 200, maxRetriesPerRequest: 0, enableOfflineQueue: false },
    });
    try {
      const res = await createApp({ ...deps, cache: noRedis }).request(`/status/${row.requestId}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe("queued");
    } finally {
      await noRedis.close();
    }
  });

  it("answers 503 with Retry-After, on REST and tRPC, when PostgreSQL is unreachable", async () => {
    const gone = createDb("postgres://postgres@127.0.0.1:1/reports", { maxConnections: 1 });
    try {
      const broken = createApp({ ...deps, repo: createReportRepository(gone.db) });
      const rest = await broken.request(`/status/${randomUUID()}`);
      expect(rest.status).toBe(503);
      expect(rest.headers.get("retry-after")).toBe("5");
      expect((await problemOf(rest)).code).toBe("UNAVAILABLE");
      const input = encodeURIComponent(JSON.stringify({ requestId: randomUUID() }));
      const trpc = await broken.request(`/trpc/reports.status?input=${input}`);
      expect(trpc.status).toBe(503);
      const { error } = (await trpc.json()) as { error: { data: { code: string } } };
      expect(error.data.code).toBe("UNAVAILABLE");
      const ready = await broken.request("/readyz");
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { dependencies: Record<string, string> }).dependencies).toMatchObject({
        database: "unavailable",
        queue: "ok",
      });
    } finally {
      await gone.close();
    }
  });

  it("is ready when the database, the queue and the storage answer, and says which one is not", async () => {
    const res = await app.request("/readyz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: "ready",
      dependencies: { database: "ok", queue: "ok", storage: "ok" },
    });
  });
});

describe("GET /metrics", () => {
  it("is not on the API's port", async () => {
    expect((await app.request("/metrics")).status).toBe(404);
  });

  it("counts requests by route and status, reports created, and status reads by cache outcome, on its own app", async () => {
    await postJson("/generate", sampleSpec());
    await app.request(`/status/${randomUUID()}`);
    const text = await (await metricsApp(deps.metrics).request("/metrics")).text();
    expect(text).toMatch(/reports_http_requests_total\{method="POST",route="\/generate",status="201"\} \d+/);
    expect(text).toMatch(/reports_created_total\{format="xlsx"\} \d+/);
    expect(text).toMatch(/reports_status_reads_total\{cache="miss"\} \d+/);
    expect(text).toContain("reports_http_request_duration_seconds_bucket");
  });
});
