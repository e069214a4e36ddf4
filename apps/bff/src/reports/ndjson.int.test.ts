import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { createMemoryCache } from "@reports/cache";
import { inputKey, type StoredInput } from "@reports/contracts";
import { ndjsonOf, sampleSpec } from "@reports/contracts/testing";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createLocalStorage } from "@reports/storage";
import { createTestBucket, type TestBucket } from "@reports/storage/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { capturingLogger } from "../../test/fuzz/targets";
import { createApp } from "../app";
import { type AppDeps, createApiDeps } from "../deps";
import { bffSettings } from "../env";
import { MAX_LINE_LENGTH } from "./ndjson";

let database: TestDatabase;
let bucket: TestBucket;
let deps: AppDeps;
let app: ReturnType<typeof createApp>;

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
      MAX_ROWS: "50",
      MAX_CELLS: "300",
      MAX_UPLOAD_BYTES: String(64 * 1024),
      MAX_BODY_BYTES: "1024",
      LOG_REQUESTS: "false",
    }),
  );
  app = createApp(deps);
});

afterAll(async () => {
  await Promise.all([bucket.drop(), database.drop()]);
});

const streamed = (body: string | Buffer, headers: Record<string, string> = {}) =>
  app.request("/generate", {
    method: "POST",
    body: new Uint8Array(typeof body === "string" ? Buffer.from(body) : body),
    headers: { "content-type": "application/x-ndjson", ...headers },
  });

/** Two tables: the sample's orders (3 rows) and a small one (2 rows). */
function twoTables() {
  const spec = sampleSpec({ rows: 3 });
  return {
    ...spec,
    tables: [
      ...spec.tables,
      {
        name: "Notes",
        columns: [{ key: "note", header: "Note", type: "string" as const }],
        rows: [{ note: "=1+1" }, { note: "Zoë Привет" }],
      },
    ],
  };
}

const storedKeys = () => bucket.keys("inputs/");

async function linesOf(key: string): Promise<unknown[]> {
  const body = await bucket.storage.get(key);
  if (!body) throw new Error(`no object ${key}`);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return gunzipSync(Buffer.concat(chunks))
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

async function problemOf(res: Response) {
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  return (await res.json()) as { code: string; detail: string; errors?: Array<{ path: string; message: string }> };
}

describe("POST /generate with a streamed report (JSON Lines)", () => {
  it("stores each table's rows gzipped in object storage and only a reference in the database", async () => {
    const spec = twoTables();
    const res = await streamed(gzipSync(ndjsonOf(spec)), { "content-encoding": "gzip" });
    expect(res.status).toBe(201);
    const { requestId } = (await res.json()) as { requestId: string };
    const row = await deps.repo.findById(requestId);
    expect(row).toMatchObject({ status: "queued", rowCount: 5, title: spec.title });
    expect(row?.spec.tables.map((t) => t.rows)).toEqual([[], []]);
    const input = row?.input as StoredInput;
    expect(input.counts).toEqual([3, 2]);
    expect(await linesOf(inputKey(input, 0))).toEqual(spec.tables[0]?.rows);
    expect(await linesOf(inputKey(input, 1))).toEqual(spec.tables[1]?.rows);
  });

  it("takes an uncompressed body with CRLF lines, blank lines and tables left without rows", async () => {
    const spec = twoTables();
    const body = ndjsonOf({
      ...spec,
      tables: [{ ...(spec.tables[0] as (typeof spec.tables)[0]), rows: [] }, ...spec.tables.slice(1)],
    });
    const res = await streamed(`${body.replaceAll("\n", "\r\n")}\r\n`);
    expect(res.status).toBe(201);
    const { requestId } = (await res.json()) as { requestId: string };
    const row = await deps.repo.findById(requestId);
    expect(row?.input?.counts).toEqual([0, 2]);
    expect(row?.rowCount).toBe(2);
  });

  it("names the line and the field of a wrong cell, and stores nothing", async () => {
    const before = await storedKeys();
    const lines = ndjsonOf(sampleSpec({ rows: 4 })).split("\n");
    lines[3] = JSON.stringify({ ...JSON.parse(lines[3] as string), amount: "12,50" }); // the 3rd row
    const res = await streamed(lines.join("\n"));
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem.code).toBe("VALIDATION_FAILED");
    expect(problem.errors).toEqual([
      { path: "tables[0].rows[2].amount", message: 'line 4: expected a finite number for currency column "amount"' },
    ]);
    expect(await storedKeys()).toEqual(before);
  });

  it("refuses a spec line that is not a spec, rows inside it, unknown or past tables", async () => {
    const spec = twoTables();
    const bad = await streamed('{"format":"docx"}\n{"id":1}\n');
    expect(bad.status).toBe(400);
    expect((await problemOf(bad)).errors?.[0]?.message).toMatch(/^line 1: /);

    const inline = await streamed(`${JSON.stringify(sampleSpec({ rows: 1 }))}\n`);
    expect(inline.status).toBe(400);
    expect((await problemOf(inline)).errors?.[0]).toMatchObject({ path: "tables[0].rows" });

    const header = ndjsonOf({ ...spec, tables: spec.tables.map((t) => ({ ...t, rows: [] })) });
    const unknown = await streamed(`${header}{"$table":"Nope"}\n`);
    expect((await problemOf(unknown)).errors?.[0]?.message).toMatch(/line 3: no table named "Nope"/);
    const backwards = await streamed(`${header}{"$table":"Orders"}\n`);
    expect((await problemOf(backwards)).errors?.[0]?.message).toMatch(/line 3: tables come in the spec's order/);

    const notJson = await streamed("not json\n");
    expect(notJson.status).toBe(400);
    const empty = await streamed("");
    expect((await problemOf(empty)).detail).toMatch(/empty/);
  });

  it("refuses more rows or cells than the server allows, and bodies over MAX_UPLOAD_BYTES", async () => {
    const rows = await streamed(ndjsonOf(sampleSpec({ rows: 51 })));
    expect(rows.status).toBe(413);
    const problem = await problemOf(rows);
    expect(problem.code).toBe("LIMIT_EXCEEDED");
    expect(problem.errors?.[0]?.message).toMatch(/MAX_CELLS|MAX_ROWS/);

    const big = await streamed(`${ndjsonOf(sampleSpec({ rows: 0 }))}${" \n".repeat(40_000)}`);
    expect(big.status).toBe(413);
    expect((await problemOf(big)).code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("refuses a line over the line limit, bad gzip and unknown encodings", async () => {
    const header = ndjsonOf(sampleSpec({ rows: 0 }));
    const long = await app.request("/generate", {
      method: "POST",
      body: new Uint8Array(gzipSync(`${header}{"customer":"${"x".repeat(MAX_LINE_LENGTH + 10)}"}\n`)),
      headers: { "content-type": "application/x-ndjson", "content-encoding": "gzip" },
    });
    expect(long.status).toBe(413);
    expect((await problemOf(long)).detail).toMatch(/line is over/);
    // a line still unfinished at the limit is cut short without reading the rest of it
    const unfinished = await streamed(gzipSync(`${header}{"customer":"${"x".repeat(MAX_LINE_LENGTH + 100_000)}`), {
      "content-encoding": "gzip",
    });
    expect(unfinished.status).toBe(413);
    expect((await problemOf(unfinished)).detail).toMatch(/line is over/);

    const notGzip = await streamed(header, { "content-encoding": "gzip" });
    expect(notGzip.status).toBe(400);
    expect((await problemOf(notGzip)).detail).toMatch(/gzip/);

    const brotli = await streamed(header, { "content-encoding": "br" });
    expect(brotli.status).toBe(415);
  });

  it("replays an idempotency key without keeping a second copy of the rows, and refuses it for other rows", async () => {
    const key = randomUUID();
    const body = ndjsonOf(sampleSpec({ rows: 5 }));
    const first = await streamed(body, { "idempotency-key": key });
    expect(first.status).toBe(201);
    const stored = await storedKeys();
    const again = await streamed(body, { "idempotency-key": key });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await again.json()).requestId).toBe((await first.json()).requestId);
    expect(await storedKeys()).toEqual(stored);

    const other = await streamed(ndjsonOf(sampleSpec({ rows: 6 })), { "idempotency-key": key });
    expect(other.status).toBe(422);
    expect(await storedKeys()).toEqual(stored);
  });

  it("keeps the JSON body limit for JSON bodies", async () => {
    const res = await app.request("/generate", {
      method: "POST",
      body: JSON.stringify(sampleSpec({ rows: 20 })),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
  });
});

describe("POST /generate with a streamed report on the local file driver (embedded mode)", () => {
  it("answers 400 and keeps no file when a valid row is followed by an invalid one (it used to end the process)", async () => {
    const directory = await mkdtemp(join(tmpdir(), "reports-ndjson-local-"));
    const local = createApp(
      createApiDeps(
        {
          db: database.db,
          queue: createMemoryQueue(),
          storage: createLocalStorage({ directory, publicBaseUrl: "http://127.0.0.1", signingSecret: "s".repeat(32) }),
          cache: createMemoryCache(),
          logger: silentLogger(),
        },
        bffSettings.parse({ LOG_REQUESTS: "false" }),
      ),
    );
    const lines = ndjsonOf(sampleSpec({ rows: 2 })).split("\n");
    lines[2] = JSON.stringify({ ...JSON.parse(lines[2] as string), amount: "x" });
    for (const [body, encoding] of [
      [Buffer.from(lines.join("\n")), "identity"],
      [gzipSync(lines.join("\n")), "gzip"],
    ] as const) {
      const res = await local.request("/generate", {
        method: "POST",
        body: new Uint8Array(body),
        headers: { "content-type": "application/x-ndjson", "content-encoding": encoding },
      });
      expect(res.status).toBe(400);
      expect((await problemOf(res)).errors?.[0]?.path).toBe("tables[0].rows[1].amount");
    }
    const left = await readdir(directory, { recursive: true });
    expect(left.filter((name) => name.endsWith(".gz") || name.includes(".tmp/"))).toEqual([]);
    await rm(directory, { recursive: true, force: true });
  });
});

describe("the JSON Lines reading limits (bounded decompression, lines, time)", () => {
  const logs: Array<Record<string, unknown>> = [];
  let bounded: ReturnType<typeof createApp>;
  beforeAll(() => {
    bounded = createApp(
      createApiDeps(
        {
          db: database.db,
          queue: createMemoryQueue(),
          storage: bucket.storage,
          cache: createMemoryCache(),
          logger: capturingLogger(logs),
        },
        bffSettings.parse({
          LOG_REQUESTS: "false",
          MAX_UPLOAD_LINES: "10000",
          MAX_UPLOAD_DECOMPRESSED_BYTES: String(1024 * 1024),
          UPLOAD_TIMEOUT_MS: "1000",
        }),
      ),
    );
  });
  const upload = (body: BodyInit, init: RequestInit = {}) =>
    bounded.request(
      new Request("http://bff/generate", {
        method: "POST",
        body,
        headers: { "content-type": "application/x-ndjson", "content-encoding": "gzip" },
        duplex: "half",
        ...init,
      } as RequestInit),
    );
  const header = ndjsonOf(sampleSpec({ rows: 0 }));

  it("refuses a blank-line bomb at MAX_UPLOAD_LINES, blank lines counted", async () => {
    const member = gzipSync(Buffer.alloc(1024 * 1024, "\n"));
    const bomb = Buffer.concat([gzipSync(header), ...Array.from({ length: 10 }, () => member)]);
    const res = await upload(new Uint8Array(bomb));
    expect(res.status).toBe(413);
    expect((await problemOf(res)).detail).toMatch(/over 10000 lines \(MAX_UPLOAD_LINES\)/);
  });

  it("refuses a body that inflates past MAX_UPLOAD_DECOMPRESSED_BYTES", async () => {
    const res = await upload(new Uint8Array(gzipSync(`${header}${`${" ".repeat(900)}\n`.repeat(2_000)}`)));
    expect(res.status).toBe(413);
    expect((await problemOf(res)).detail).toMatch(/once decompressed \(MAX_UPLOAD_DECOMPRESSED_BYTES\)/);
  });

  /** A body that sends the spec line, then nothing, until `signal` aborts it. */
  const stalled = () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(Buffer.from(header)));
      },
    });

  it("answers a body that stops arriving with 413 once UPLOAD_TIMEOUT_MS has passed", async () => {
    const started = performance.now();
    const res = await upload(stalled(), { headers: { "content-type": "application/x-ndjson" } });
    expect(res.status).toBe(413);
    expect((await problemOf(res)).detail).toMatch(/UPLOAD_TIMEOUT_MS/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("stops at once when the client goes away, and logs it as the client's doing, not an outage", async () => {
    const gone = new AbortController();
    const answer = upload(stalled(), { headers: { "content-type": "application/x-ndjson" }, signal: gone.signal });
    setTimeout(() => gone.abort(), 100);
    const res = await answer;
    expect(res.status).toBe(400);
    expect(logs.map((l) => l.msg)).toContain("client closed the request");
    expect(logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  });
});
