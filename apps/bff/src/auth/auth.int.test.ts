import { randomUUID } from "node:crypto";
import { createMemoryCache } from "@reports/cache";
import { sampleSpec } from "@reports/contracts/testing";
import { toCachedStatus } from "@reports/db";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createTestBucket, type TestBucket } from "@reports/storage/testing";
import type { LambdaContext } from "hono/aws-lambda";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as XLSX from "xlsx";
import { createApp } from "../app";
import { createApiDeps } from "../deps";
import { bffEnv, bffSettings } from "../env";
import { lambdaHandler } from "../lambda-handler";

const [database, bucket]: [TestDatabase, TestBucket] = await Promise.all([
  createTestDatabase(),
  createTestBucket(inject("s3")),
]);
afterAll(async () => {
  await Promise.all([bucket.drop(), database.drop()]);
});

function system(settings: Record<string, string>) {
  const queue = createMemoryQueue();
  const deps = createApiDeps(
    { db: database.db, queue, storage: bucket.storage, cache: createMemoryCache(), logger: silentLogger() },
    bffSettings.parse({ LOG_REQUESTS: "false", ...settings }),
  );
  return { deps, queue, app: createApp(deps) };
}

const post = (app: ReturnType<typeof createApp>, body: unknown, headers: Record<string, string> = {}) =>
  app.request("/generate", {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
  });

async function codeOf(res: Response) {
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  return ((await res.json()) as { code: string }).code;
}

describe("AUTH_MODE=apikey", () => {
  const { app, deps } = system({ AUTH_MODE: "apikey" });
  let acme: string;
  let globex: string;
  beforeAll(async () => {
    acme = (await deps.keys.create({ owner: "acme" })).key;
    globex = (await deps.keys.create({ owner: "globex" })).key;
  });
  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  it("answers 401 without a key, with a wrong key and with a revoked key", async () => {
    expect((await post(app, sampleSpec())).status).toBe(401);
    expect(await codeOf(await post(app, sampleSpec(), as("rpt_nope")))).toBe("UNAUTHORIZED");
    const uncached = system({ AUTH_MODE: "apikey", API_KEY_CACHE_SECONDS: "0" }).app;
    const { id, key } = await deps.keys.create({ owner: "acme", name: "old" });
    expect((await post(uncached, sampleSpec(), as(key))).status).toBe(201);
    await deps.keys.revoke(id);
    expect((await post(uncached, sampleSpec(), as(key))).status).toBe(401);
    expect((await app.request("/trpc/reports.status?input=%7B%7D")).status).toBe(401);
  });

  it("remembers a known key for API_KEY_CACHE_SECONDS, then asks the database again", async () => {
    const cached = system({ AUTH_MODE: "apikey", API_KEY_CACHE_SECONDS: "1" }).app;
    const { id, key } = await deps.keys.create({ owner: "acme", name: "cached" });
    expect((await post(cached, sampleSpec(), as(key))).status).toBe(201);
    await deps.keys.revoke(id);
    expect((await post(cached, sampleSpec(), as(key))).status).toBe(201); // still remembered
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await post(cached, sampleSpec(), as(key))).status).toBe(401);
  });

  it("keeps each owner's reports to that owner: another owner's id is a 404 on REST and tRPC", async () => {
    const res = await post(app, sampleSpec(), as(acme));
    const { requestId } = (await res.json()) as { requestId: string };
    expect((await deps.repo.findById(requestId))?.owner).toBe("acme");
    expect((await app.request(`/status/${requestId}`, { headers: as(acme) })).status).toBe(200);
    const other = await app.request(`/status/${requestId}`, { headers: as(globex) });
    expect(other.status).toBe(404);
    expect(await codeOf(other)).toBe("NOT_FOUND");
    const input = encodeURIComponent(JSON.stringify({ requestId }));
    expect((await app.request(`/trpc/reports.status?input=${input}`, { headers: as(globex) })).status).toBe(404);
    expect((await app.request(`/reports/${requestId}/download`, { headers: as(globex) })).status).toBe(404);
  });

  it("leaves health and readiness open", async () => {
    expect((await app.request("/healthz")).status).toBe(200);
  });
});

describe("AUTH_MODE=jwt (HS256)", () => {
  const secret = "a-test-secret-that-is-long-enough-for-hs256";
  const { app } = system({ AUTH_MODE: "jwt", JWT_SECRET: secret, JWT_ISSUER: "https://id.example" });
  const token = (claims: Record<string, unknown>, expiresIn = "5m") =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("https://id.example")
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(new TextEncoder().encode(secret));

  it("takes the owner from the sub claim", async () => {
    const res = await post(app, sampleSpec(), { authorization: `Bearer ${await token({ sub: "acme" })}` });
    expect(res.status).toBe(201);
  });

  it("refuses an expired token, a token without the claim, and one signed with another secret", async () => {
    const expired = await new SignJWT({ sub: "acme" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("https://id.example")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(secret));
    const forged = await new SignJWT({ sub: "acme" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("https://id.example")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(`${secret}-other`));
    for (const t of [expired, await token({ name: "no sub" }), forged]) {
      const res = await post(app, sampleSpec(), { authorization: `Bearer ${t}` });
      expect(res.status).toBe(401);
    }
  });

  it("refuses to start in production without authentication, and jwt without a key", () => {
    const base = { DATABASE_URL: "postgres://x", RABBITMQ_URL: "amqp://x", S3_BUCKET: "b" };
    const prod = bffEnv.safeParse({ ...base, NODE_ENV: "production" });
    expect(prod.success).toBe(false);
    expect(prod.error?.issues.map((i) => i.path.join("."))).toContain("AUTH_MODE");
    expect(bffEnv.safeParse({ ...base, NODE_ENV: "production", AUTH_MODE: "apikey" }).success).toBe(true);
    expect(bffEnv.safeParse({ ...base, AUTH_MODE: "jwt" }).success).toBe(false);
  });
});

describe("Idempotency-Key", () => {
  const { app, queue } = system({});

  it("returns the original request for the same key and body, without queueing it again", async () => {
    const key = { "idempotency-key": `order-${randomUUID()}` };
    const spec = sampleSpec();
    const first = await post(app, spec, key);
    expect(first.status).toBe(201);
    const again = await post(app, spec, key);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const [a, b] = [(await first.json()) as { requestId: string }, (await again.json()) as { requestId: string }];
    expect(b.requestId).toBe(a.requestId);
    expect((await queue.depth()).ready).toBe(1);
  });

  it("answers 422 for the same key with another body", async () => {
    const key = { "idempotency-key": `order-${randomUUID()}` };
    expect((await post(app, sampleSpec({ rows: 1 }), key)).status).toBe(201);
    const other = await post(app, sampleSpec({ rows: 2 }), key);
    expect(other.status).toBe(422);
    expect(await codeOf(other)).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("makes one request from concurrent duplicates", async () => {
    const key = { "idempotency-key": `order-${randomUUID()}` };
    const spec = sampleSpec();
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(app, spec, key)));
    const ids = new Set(
      await Promise.all(answers.map(async (r) => ((await r.json()) as { requestId: string }).requestId)),
    );
    expect(ids.size).toBe(1);
    expect(answers.filter((r) => r.status === 201)).toHaveLength(1);
  });

  it("carries the key through tRPC as idempotencyKey", async () => {
    const body = { ...sampleSpec(), idempotencyKey: `trpc-${randomUUID()}` };
    const call = () =>
      app.request("/trpc/reports.generate", {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
    const ids = await Promise.all(
      [call(), call()].map(
        async (p) => ((await (await p).json()) as { result: { data: { requestId: string } } }).result.data.requestId,
      ),
    );
    expect(ids[0]).toBe(ids[1]);
  });
});

describe("limits and rate limits", () => {
  it("answers 413 LIMIT_EXCEEDED naming what is over a limit", async () => {
    const { app } = system({ MAX_ROWS: "10", MAX_COLUMNS: "3", MAX_STRING_LENGTH: "5" });
    const res = await post(app, sampleSpec({ rows: 11 }));
    expect(res.status).toBe(413);
    const body = (await res.json()) as { code: string; errors: Array<{ path: string; message: string }> };
    expect(body.code).toBe("LIMIT_EXCEEDED");
    const paths = body.errors.map((e) => e.path);
    expect(paths).toContain("tables");
    expect(paths).toContain("tables[0].columns");
    expect(paths).toContain("tables[0].rows[0].customer");
  });

  it("answers 429 with Retry-After past the per-owner rate", async () => {
    const { app } = system({ RATE_LIMIT_PER_MINUTE: "3" });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await app.request(`/status/${randomUUID()}`)).status);
    expect(statuses).toEqual([404, 404, 404, 429]);
    const limited = await app.request(`/status/${randomUUID()}`);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await codeOf(limited)).toBe("RATE_LIMITED");
  });
});

describe("GET /reports/:requestId/download", () => {
  const { app, deps } = system({});

  it("answers 409 until the report is done, then redirects to a fresh link", async () => {
    const row = await deps.repo.create(sampleSpec());
    const early = await app.request(`/reports/${row.requestId}/download`);
    expect(early.status).toBe(409);
    expect(await codeOf(early)).toBe("NOT_READY");
    const claim = await deps.repo.claim(row.requestId, { leaseMs: 10_000 });
    if (!claim) throw new Error("not claimed");
    await bucket.storage.put(`reports/${row.requestId}.xlsx`, Buffer.from("xlsx bytes"), {
      contentType: "application/octet-stream",
    });
    const done = await deps.repo.complete(claim, `reports/${row.requestId}.xlsx`);
    if (!done) throw new Error("not completed");
    await deps.cache.publish(toCachedStatus(done)); // as the worker does
    const res = await app.request(`/reports/${row.requestId}/download`);
    expect(res.status).toBe(302);
    const file = await fetch(res.headers.get("location") as string);
    expect(await file.text()).toBe("xlsx bytes");
  });
});

describe("AWS Lambda entry", () => {
  const { deps } = system({});
  const handler = lambdaHandler(deps);

  it("serves an API Gateway v2 event through the same app", async () => {
    const row = await deps.repo.create(sampleSpec());
    const event = {
      version: "2.0",
      routeKey: "$default",
      rawPath: `/status/${row.requestId}`,
      rawQueryString: "",
      headers: { host: "api.example.com" },
      requestContext: {
        accountId: "1",
        apiId: "api",
        domainName: "api.example.com",
        domainPrefix: "api",
        http: {
          method: "GET",
          path: `/status/${row.requestId}`,
          protocol: "HTTP/1.1",
          sourceIp: "127.0.0.1",
          userAgent: "test",
        },
        requestId: "r1",
        routeKey: "$default",
        stage: "$default",
        time: "23/Nov/2026:22:00:00 +0000",
        timeEpoch: Date.now(),
      },
      isBase64Encoded: false,
    };
    const result = (await handler(event as never, {} as LambdaContext)) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ requestId: row.requestId, status: "queued" });
  });
});

describe("POST /render (small reports at once)", () => {
  const { app, deps } = system({ SYNC_RENDER_MAX_ROWS: "50" });
  afterAll(() => deps.renderer.close());

  it("returns the file itself with its type and name", async () => {
    const res = await app.request("/render", {
      method: "POST",
      body: JSON.stringify(sampleSpec({ rows: 10 })),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(res.headers.get("content-disposition")).toContain(".xlsx");
    const book = XLSX.read(new Uint8Array(await res.arrayBuffer()));
    expect(XLSX.utils.sheet_to_json(book.Sheets.Orders as XLSX.WorkSheet)).toHaveLength(10);
  });

  it("renders through tRPC as base64", async () => {
    const res = await app.request("/trpc/reports.render", {
      method: "POST",
      body: JSON.stringify(sampleSpec({ rows: 3, format: "pdf" })),
      headers: { "content-type": "application/json" },
    });
    const { result } = (await res.json()) as { result: { data: { contentType: string; base64: string } } };
    expect(result.data.contentType).toBe("application/pdf");
    expect(Buffer.from(result.data.base64, "base64").subarray(0, 5).toString()).toBe("%PDF-");
  });

  it("answers 413 pointing to /generate over the synchronous limit", async () => {
    const res = await app.request("/render", {
      method: "POST",
      body: JSON.stringify(sampleSpec({ rows: 51 })),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
    const problem = (await res.json()) as { code: string; detail: string };
    expect(problem.code).toBe("LIMIT_EXCEEDED");
    expect(problem.detail).toContain("POST /generate");
  });
});
