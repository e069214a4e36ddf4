import { createMemoryCache } from "@reports/cache";
import type { CachedStatus } from "@reports/contracts";
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
afterAll(async () => {
  await Promise.all([bucket.drop(), database.drop()]);
});

const deps = createApiDeps(
  {
    db: database.db,
    queue: createMemoryQueue(),
    storage: bucket.storage,
    cache: createMemoryCache(),
    logger: silentLogger(),
  },
  bffSettings.parse({ AUTH_MODE: "apikey", LOG_REQUESTS: "false", MAX_STREAMS_PER_OWNER: "3", MAX_STREAMS: "4" }),
);
const app = createApp(deps);
const keys: Record<string, string> = {};
const reports: Record<string, string> = {};

beforeAll(async () => {
  for (const owner of ["acme", "globex"]) {
    keys[owner] = (await deps.keys.create({ owner })).key;
    const res = await app.request("/generate", {
      method: "POST",
      body: JSON.stringify(sampleSpec({ rows: 1 })),
      headers: { "content-type": "application/json", authorization: `Bearer ${keys[owner]}` },
    });
    reports[owner] = ((await res.json()) as { requestId: string }).requestId;
  }
});

interface OpenStream {
  res: Response;
  /** The `data` of the next event. */
  next(): Promise<Record<string, unknown>>;
  close(): void;
}

/** An SSE request (REST or tRPC) held open until `close`. */
async function stream(path: string, owner: string): Promise<OpenStream> {
  const gone = new AbortController();
  const res = await app.request(path, { headers: { authorization: `Bearer ${keys[owner]}` }, signal: gone.signal });
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let buffered = "";
  return {
    res,
    async next() {
      for (;;) {
        // tRPC's stream opens with a `connected` event of its own
        const event = buffered.split("\n\n").find((block) => block.includes("data:") && !block.includes("connected"));
        if (event) {
          buffered = buffered.slice(buffered.indexOf(event) + event.length + 2);
          const data = event.split("\n").find((line) => line.startsWith("data:")) ?? "";
          return JSON.parse(data.slice(5)) as Record<string, unknown>;
        }
        reader ??= res.body?.getReader();
        const chunk = await reader?.read();
        if (!chunk || chunk.done) throw new Error("the stream ended");
        buffered += new TextDecoder().decode(chunk.value);
      }
    },
    close() {
      gone.abort();
      void reader?.cancel().catch(() => {});
    },
  };
}

const rest = (owner: string) => stream(`/status/${reports[owner]}/events`, owner);
const trpc = (owner: string) =>
  stream(`/trpc/reports.onStatus?input=${encodeURIComponent(JSON.stringify({ requestId: reports[owner] }))}`, owner);

const statusReads = async () =>
  (await deps.metrics.statusReads.get()).values.reduce((sum, sample) => sum + sample.value, 0);

/** Waits until the hub's counts settle (a closed stream is released on its abort, a turn later). */
async function settled(expected: { streams: number; watched: number }) {
  for (let i = 0; i < 100 && JSON.stringify(deps.streams.load) !== JSON.stringify(expected); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(deps.streams.load).toEqual(expected);
}

describe("open status streams", () => {
  it("are capped per owner (MAX_STREAMS_PER_OWNER) and per process (MAX_STREAMS), SSE and tRPC together, with a 429 problem", async () => {
    const acme = [await rest("acme"), await trpc("acme"), await rest("acme")];
    for (const s of acme) expect(s.res.status).toBe(200);
    const refused = await rest("acme");
    expect(refused.res.status).toBe(429);
    expect(refused.res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(Number(refused.res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.res.json()).toMatchObject({
      code: "RATE_LIMITED",
      detail: expect.stringContaining("MAX_STREAMS_PER_OWNER"),
    });
    // the tRPC subscription is refused with the same code, as its stream's error event
    const refusedTrpc = await trpc("acme");
    expect(await refusedTrpc.res.text()).toMatch(/event: serialized-error\ndata: .*"code":"RATE_LIMITED"/);

    const globex = await rest("globex");
    expect(globex.res.status).toBe(200);
    const full = await rest("globex");
    expect(full.res.status).toBe(429);
    expect(await full.res.json()).toMatchObject({
      code: "RATE_LIMITED",
      detail: expect.stringContaining("MAX_STREAMS"),
    });

    // a closed stream gives its place back
    acme[0]?.close();
    await settled({ streams: 3, watched: 2 });
    const again = await rest("globex");
    expect(again.res.status).toBe(200);
    for (const s of [...acme, globex, again]) s.close();
    await settled({ streams: 0, watched: 0 });
  });

  it("share one watch per report: an event reaches every stream, and opening streams costs one read each, not one per interval", {
    timeout: 20_000,
  }, async () => {
    const before = await statusReads();
    const streams = [await rest("acme"), await trpc("acme"), await rest("acme")];
    for (const s of streams) expect((await s.next()).status).toBe("queued");
    expect(deps.streams.load).toEqual({ streams: 3, watched: 1 });
    expect((await statusReads()) - before).toBe(3);

    const cached = (await deps.cache.get(reports.acme as string)) as CachedStatus;
    const claimed = {
      ...cached,
      status: "processing" as const,
      updatedAt: new Date().toISOString(),
      version: cached.version + 1,
    };
    await deps.cache.publish({ ...claimed, progress: 40, version: claimed.version + 0.04 });
    for (const s of streams) expect(await s.next()).toMatchObject({ status: "processing", progress: 40 });
    // a progress event is passed on as it came: no read
    expect((await statusReads()) - before).toBe(3);
    for (const s of streams) s.close();
    await settled({ streams: 0, watched: 0 });
  });
});
