import { createMemoryCache } from "@reports/cache";
import { sampleSpec } from "@reports/contracts/testing";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createTestBucket, type TestBucket } from "@reports/storage/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApp } from "../app";
import { createApiDeps } from "../deps";
import { bffSettings } from "../env";

const [database, bucket]: [TestDatabase, TestBucket] = await Promise.all([
  createTestDatabase(),
  createTestBucket(inject("s3")),
]);

// one thread, one waiting place: a third render at once is refused whoever sends it
const deps = createApiDeps(
  {
    db: database.db,
    queue: createMemoryQueue(),
    storage: bucket.storage,
    cache: createMemoryCache(),
    logger: silentLogger(),
  },
  bffSettings.parse({
    AUTH_MODE: "apikey",
    LOG_REQUESTS: "false",
    SYNC_RENDER_THREADS: "1",
    SYNC_RENDER_QUEUE: "1",
    SYNC_RENDER_PER_OWNER: "1",
    SYNC_RENDER_WAIT_MS: "60000",
  }),
);
const app = createApp(deps);
const keys: Record<string, string> = {};

beforeAll(async () => {
  for (const owner of ["acme", "globex", "initech"]) keys[owner] = (await deps.keys.create({ owner })).key;
  // a warm thread: the first render of a process loads the fonts
  await deps.renderer.get().render(sampleSpec({ rows: 1, format: "pdf" }));
});
afterAll(async () => {
  await deps.renderer.close();
  await Promise.all([bucket.drop(), database.drop()]);
});

// the largest report /render takes (1,000 rows) as a PDF: long enough that the three calls overlap
const heavy = JSON.stringify(sampleSpec({ rows: 1_000, format: "pdf" }));
const headers = (owner: string) => ({ "content-type": "application/json", authorization: `Bearer ${keys[owner]}` });
const rest = (owner: string) => app.request("/render", { method: "POST", body: heavy, headers: headers(owner) });
const trpc = (owner: string) =>
  app.request("/trpc/reports.render", { method: "POST", body: heavy, headers: headers(owner) });

async function codeOf(res: Response): Promise<string> {
  if (res.status === 200) return "OK";
  const body = (await res.json()) as { code?: string; error?: { data: { code: string } } };
  return body.code ?? body.error?.data.code ?? "?";
}

describe("synchronous renders", () => {
  it("answer 429 to an owner past SYNC_RENDER_PER_OWNER, on REST and tRPC alike", async () => {
    const answers = await Promise.all([rest("acme"), trpc("acme")]);
    expect((await Promise.all(answers.map(codeOf))).sort()).toEqual(["OK", "RATE_LIMITED"]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 429]);
    // tRPC's refusals say when to come back as REST's do
    expect(Number(answers.find((a) => a.status === 429)?.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("answer 503 with Retry-After when the thread and the queue are taken, and serve the others", async () => {
    const answers = await Promise.all([rest("acme"), trpc("globex"), rest("initech")]);
    const codes = await Promise.all(answers.map(codeOf));
    expect(codes.filter((c) => c === "OK")).toHaveLength(2);
    const refused = answers[codes.indexOf("UNAVAILABLE")];
    expect(refused?.status).toBe(503);
    expect(Number(refused?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(deps.renderGate.load).toEqual({ running: 0, waiting: 0 });
  });
});
