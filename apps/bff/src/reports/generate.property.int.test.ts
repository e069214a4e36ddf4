import { createMemoryCache } from "@reports/cache";
import { sampleSpec } from "@reports/contracts/testing";
import { createTestDatabase } from "@reports/db/testing";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createTestBucket } from "@reports/storage/testing";
import fc from "fast-check";
import { afterAll, expect, inject, it } from "vitest";
import { createApp } from "../app";
import { createApiDeps } from "../deps";
import { bffSettings } from "../env";

const [database, bucket] = await Promise.all([createTestDatabase(), createTestBucket(inject("s3"))]);
afterAll(async () => {
  await Promise.all([bucket.drop(), database.drop()]);
});

const app = createApp(
  createApiDeps(
    {
      db: database.db,
      queue: createMemoryQueue(),
      storage: bucket.storage,
      cache: createMemoryCache(),
      logger: silentLogger(),
    },
    bffSettings.parse({ LOG_REQUESTS: "false", RATE_LIMIT_PER_MINUTE: "0", MAX_BODY_BYTES: "65536" }),
  ),
);

/** A valid spec with one thing changed: a value replaced, a key dropped, or junk added. */
const mutatedSpec = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.jsonValue(), fc.string()).map(([what, junk, key]) => {
  // biome-ignore lint/suspicious/noExplicitAny: a mutation test writes junk anywhere in the spec
  const spec = JSON.parse(JSON.stringify(sampleSpec({ rows: 2 }))) as Record<string, any>;
  const table = spec.tables[0];
  switch (what) {
    case 0:
      spec.format = junk;
      break;
    case 1:
      spec.title = junk;
      break;
    case 2:
      delete spec.tables;
      break;
    case 3:
      spec.tables = junk;
      break;
    case 4:
      table.columns[0].type = junk;
      break;
    case 5:
      table.columns[1].key = junk;
      break;
    case 6:
      table.rows[0].amount = junk;
      break;
    case 7:
      table.rows = junk;
      break;
    case 8:
      table.rows[1] = junk;
      break;
    case 9:
      spec[key] = junk;
      break;
    case 10:
      spec.pdf = junk;
      break;
    case 11:
      table.columns.push(junk);
      break;
    default:
      spec.fileName = junk;
  }
  return JSON.stringify(spec);
});

const anyBody = fc.oneof(
  { weight: 3, arbitrary: mutatedSpec },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
);

it("answers 10,000 random and mutated bodies without a 5xx, with problem+json on every 4xx", async () => {
  const seen = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(anyBody, async (body) => {
      const res = await app.request("/generate", {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      });
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
      if (res.status >= 500) return false;
      if (res.status >= 400) {
        if (!res.headers.get("content-type")?.startsWith("application/problem+json")) return false;
        const problem = (await res.json()) as { code?: unknown; status?: unknown };
        return typeof problem.code === "string" && problem.status === res.status;
      }
      await res.arrayBuffer();
      return res.status === 201;
    }),
    { numRuns: 10_000 },
  );
  expect([...seen.keys()].every((status) => status < 500)).toBe(true);
  expect(seen.get(400)).toBeGreaterThan(1_000);
});
