import { randomUUID } from "node:crypto";
import { createMemoryCache } from "@reports/cache";
import { sampleSpec } from "@reports/contracts/testing";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createTestBucket, type TestBucket } from "@reports/storage/testing";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createApp } from "../app";
import { createApiDeps } from "../deps";
import { bffSettings } from "../env";
import { MAX_MUTATION_BATCH, trpcCallsOf } from "./batch";

const [database, bucket]: [TestDatabase, TestBucket] = await Promise.all([
  createTestDatabase(),
  createTestBucket(inject("s3")),
]);
afterAll(async () => {
  await Promise.all([bucket.drop(), database.drop()]);
});

/** A BFF with its own in-process limiter of `perMinute` points, and a fresh owner's key. */
async function system(perMinute: number) {
  const deps = createApiDeps(
    {
      db: database.db,
      queue: createMemoryQueue(),
      storage: bucket.storage,
      cache: createMemoryCache(),
      logger: silentLogger(),
    },
    bffSettings.parse({ LOG_REQUESTS: "false", AUTH_MODE: "apikey", RATE_LIMIT_PER_MINUTE: String(perMinute) }),
  );
  const owner = `batcher-${randomUUID()}`;
  const { key } = await deps.keys.create({ owner });
  const reportsOf = async () => (await deps.admin.requests({ search: owner, pageSize: 200 })).items.length;
  return { app: createApp(deps), authorization: `Bearer ${key}`, reportsOf };
}

const batchOf = (procedure: string, calls: number) => Array.from({ length: calls }, () => procedure).join(",");

function generateBatch(s: { app: ReturnType<typeof createApp>; authorization: string }, calls: number, comma = ",") {
  const body = Object.fromEntries(Array.from({ length: calls }, (_, i) => [String(i), sampleSpec()]));
  return s.app.request(`/trpc/${batchOf("reports.generate", calls).replaceAll(",", comma)}?batch=1`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", authorization: s.authorization },
  });
}

describe("tRPC batches and the per-owner rate limit", () => {
  it("counts the calls of a batch, decoded as tRPC decodes them", () => {
    expect(trpcCallsOf("http://h/trpc/reports.status")).toBe(1);
    expect(trpcCallsOf("http://h/trpc/a,b,c?batch=1")).toBe(3);
    expect(trpcCallsOf("http://h/trpc/a%2Cb%2cc%2Cd?batch=1")).toBe(4);
    expect(trpcCallsOf("http://h/trpc/a,b?batch=0")).toBe(1);
  });

  it("charges a batch of N mutations N points: one over the owner's remaining points creates nothing (429)", async () => {
    const s = await system(5);
    expect((await generateBatch(s, 3)).status).toBe(200);
    expect(await s.reportsOf()).toBe(3);

    const over = await generateBatch(s, 3); // 2 points left
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await over.json()) as { code: string }).code).toBe("RATE_LIMITED");
    expect(await s.reportsOf()).toBe(3);
  });

  it(`refuses a batch of more than ${MAX_MUTATION_BATCH} mutations with a 400 naming the batch, before any runs`, async () => {
    const s = await system(10_000);
    for (const comma of [",", "%2C"]) {
      const res = await generateBatch(s, 500, comma);
      expect(res.status).toBe(400);
      const problem = (await res.json()) as { code: string; errors: Array<{ path: string }> };
      expect(problem.code).toBe("VALIDATION_FAILED");
      expect(problem.errors.map((e) => e.path)).toEqual(["batch"]);
    }
    expect(await s.reportsOf()).toBe(0);
    expect((await generateBatch(s, MAX_MUTATION_BATCH)).status).toBe(200);
    expect(await s.reportsOf()).toBe(MAX_MUTATION_BATCH);
  });

  it("charges a batch of N queries N points too", async () => {
    const s = await system(5);
    const input = encodeURIComponent(JSON.stringify(Object.fromEntries([0, 1, 2, 3, 4, 5].map((i) => [i, {}]))));
    const res = await s.app.request(`/trpc/${batchOf("reports.status", 6)}?batch=1&input=${input}`, {
      headers: { authorization: s.authorization },
    });
    expect(res.status).toBe(429);
  });
});
