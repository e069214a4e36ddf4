import { createMemoryCache } from "@reports/cache";
import { sampleRow, sampleSpec } from "@reports/contracts/testing";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createTestBucket, type TestBucket } from "@reports/storage/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApp } from "../app";
import { type AppDeps, createApiDeps } from "../deps";
import { bffSettings } from "../env";

/** Each owner may queue this many rows a minute (and a report may hold as many). */
const BUDGET = 25_000;

let database: TestDatabase;
let bucket: TestBucket;
let deps: AppDeps;
let app: ReturnType<typeof createApp>;
let owners = 0;

beforeAll(async () => {
  [database, bucket] = await Promise.all([createTestDatabase(), createTestBucket(inject("s3"))]);
  deps = createApiDeps(
    {
      db: database.db,
      queue: createMemoryQueue(),
      storage: bucket.storage,
      cache: createMemoryCache(),
      logger: silentLogger(),
    },
    bffSettings.parse({
      AUTH_MODE: "apikey",
      MAX_ROWS: String(BUDGET),
      ROWS_PER_MINUTE: String(BUDGET),
      RATE_LIMIT_PER_MINUTE: "0",
      LOG_REQUESTS: "false",
    }),
  );
  app = createApp(deps);
});

afterAll(async () => {
  await Promise.all([bucket.drop(), database.drop()]);
});

/** A fresh owner's key. */
async function keyOfNewOwner(): Promise<string> {
  return (await deps.keys.create({ owner: `owner-${++owners}` })).key;
}

const generate = (key: string, rows: number, headers: Record<string, string> = {}) =>
  app.request("/generate", {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(sampleSpec({ rows })),
  });

/** A JSON Lines report of `rows` rows, made as it is read, 1,000 lines at a time. */
function streamedReport(rows: number) {
  const { tables, ...spec } = sampleSpec({ rows: 1 });
  const outline = { ...spec, tables: tables.map(({ rows: _rows, ...table }) => table) };
  const encoder = new TextEncoder();
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${JSON.stringify(outline)}\n`));
    },
    pull(controller) {
      if (pulled * 1_000 >= rows) {
        controller.close();
        return;
      }
      const from = pulled++ * 1_000;
      const lines = Array.from({ length: Math.min(1_000, rows - from) }, (_, i) => JSON.stringify(sampleRow(from + i)));
      controller.enqueue(encoder.encode(`${lines.join("\n")}\n`));
    },
  });
  return { body };
}

const upload = (key: string, body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  app.request("/generate", {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/x-ndjson", ...headers },
    body,
    duplex: "half",
  } as RequestInit);

describe("the per-owner row budget (ROWS_PER_MINUTE)", () => {
  it("charges a JSON report its rows on arrival: 429 with Retry-After once spent, and a refusal costs nothing", async () => {
    const key = await keyOfNewOwner();
    expect((await generate(key, 20_000)).status).toBe(201);
    const refused = await generate(key, 10_000);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ code: "RATE_LIMITED", errors: [{ path: "tables" }] });
    // 20,000 + 5,000 fit: the refused 10,000 were not counted
    expect((await generate(key, 5_000)).status).toBe(201);
    expect((await generate(key, 1)).status).toBe(429);
    // another owner has a budget of their own
    expect((await generate(await keyOfNewOwner(), 20_000)).status).toBe(201);
  });

  it("refuses a JSON Lines upload as its rows pass the budget, keeps none of them, and gives back what it took", async () => {
    const key = await keyOfNewOwner();
    expect((await generate(key, 10_000)).status).toBe(201);
    // 30,000 rows are over MAX_ROWS too: a 429 rather than a 413 says it was refused before row 25,001 was read
    const refused = await upload(key, streamedReport(30_000).body);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBeTruthy();
    expect(await refused.json()).toMatchObject({ code: "RATE_LIMITED" });
    expect(await bucket.keys("inputs/")).toEqual([]);
    // the upload's first 10,000 rows were given back: 10,000 + 15,000 fit
    expect((await generate(key, 15_000)).status).toBe(201);
  });

  it("charges a streamed report that fits, row by row", async () => {
    const key = await keyOfNewOwner();
    expect((await upload(key, streamedReport(20_000).body)).status).toBe(201);
    expect((await generate(key, 6_000)).status).toBe(429);
    expect((await generate(key, 5_000)).status).toBe(201);
  });

  it("does not charge a replay of an Idempotency-Key, even past the budget", async () => {
    const key = await keyOfNewOwner();
    const idempotent = { "idempotency-key": "quarterly" };
    expect((await generate(key, 20_000, idempotent)).status).toBe(201);
    expect((await generate(key, 20_000, idempotent)).status).toBe(200);
    expect((await generate(key, 5_000)).status).toBe(201);
    expect((await generate(key, 20_000, idempotent)).status).toBe(200);
    expect((await generate(key, 20_000, { "idempotency-key": "another" })).status).toBe(429);
  });

  it("lets a streamed replay of an Idempotency-Key through past the budget, at no cost", async () => {
    const key = await keyOfNewOwner();
    const idempotent = { "idempotency-key": "streamed" };
    expect((await upload(key, streamedReport(20_000).body, idempotent)).status).toBe(201);
    expect((await generate(key, 5_000)).status).toBe(201);
    const stored = await bucket.keys("inputs/");
    const replay = await upload(key, streamedReport(20_000).body, idempotent);
    expect(replay.status).toBe(200);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    // the replay's own copy of the rows is not kept
    expect(await bucket.keys("inputs/")).toEqual(stored);
    expect((await generate(key, 1)).status).toBe(429);
  });
});
