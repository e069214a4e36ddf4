import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { createMemoryCache } from "@reports/cache";
import type { ReportSpecInput } from "@reports/contracts";
import { ndjsonOf } from "@reports/contracts/testing";
import { createDb, createReportRepository } from "@reports/db";
import { createTestDatabase } from "@reports/db/testing";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createLocalStorage, type Storage } from "@reports/storage";
import { createTestBucket } from "@reports/storage/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApp } from "../app";
import { createApiDeps } from "../deps";
import { bffSettings } from "../env";

interface System {
  app: ReturnType<typeof createApp>;
  storage: Storage;
  repo: ReturnType<typeof createReportRepository>;
  /** Keys of the stored inputs of streamed reports. */
  inputs(): Promise<string[]>;
  close(): Promise<void>;
}

const settings = bffSettings.parse({ LOG_REQUESTS: "false", RATE_LIMIT_PER_MINUTE: "0" });

/** As `pnpm start` runs it: PGlite, files on disk, the in-process queue and cache. */
async function embedded(): Promise<System> {
  const database = createDb("memory://");
  await database.migrate();
  const directory = mkdtempSync(join(tmpdir(), "input-strictness-"));
  const storage = createLocalStorage({
    directory,
    publicBaseUrl: "http://127.0.0.1:3000",
    signingSecret: "s".repeat(32),
  });
  const deps = { db: database.db, queue: createMemoryQueue(), storage, cache: createMemoryCache() };
  return {
    app: createApp({ ...createApiDeps({ ...deps, logger: silentLogger() }, settings), localFiles: storage }),
    storage,
    repo: createReportRepository(database.db),
    async inputs() {
      const root = join(directory, "inputs");
      if (!existsSync(root)) return [];
      return readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name));
    },
    async close() {
      await database.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** As the distributed BFF runs it: PostgreSQL and S3 (s3rver). */
async function distributed(): Promise<System> {
  const [database, bucket] = await Promise.all([createTestDatabase(), createTestBucket(inject("s3"))]);
  const deps = { db: database.db, queue: createMemoryQueue(), storage: bucket.storage, cache: createMemoryCache() };
  return {
    app: createApp(createApiDeps({ ...deps, logger: silentLogger() }, settings)),
    storage: bucket.storage,
    repo: createReportRepository(database.db),
    inputs: () => bucket.keys("inputs/"),
    async close() {
      await Promise.all([bucket.drop(), database.drop()]);
    },
  };
}

const days = (rows: unknown[], overrides: Partial<ReportSpecInput> = {}) =>
  ({
    format: "xlsx",
    title: "Days",
    tables: [{ name: "Days", columns: [{ key: "d", header: "Day", type: "date" }], rows }],
    ...overrides,
  }) as ReportSpecInput;

type Path = "json" | "ndjson" | "trpc";
const PATHS: Path[] = ["json", "ndjson", "trpc"];

/** A refusal as every path reports it: the field and the message (JSON Lines prefixes its line number). */
interface Refusal {
  status: number;
  code: string;
  errors: Array<{ path: string; message: string }>;
}

describe.each([
  ["embedded (PGlite, local files)", embedded],
  ["distributed (PostgreSQL, S3)", distributed],
])("input strictness, %s", (_name, start) => {
  let system: System;
  beforeAll(async () => {
    system = await start();
  });
  afterAll(async () => {
    await system?.close();
  });

  /** Sends a spec (or its JSON text, to carry keys an object literal cannot) on one path. */
  async function send(path: Path, spec: ReportSpecInput, json = JSON.stringify(spec)): Promise<Response> {
    if (path === "ndjson") {
      return system.app.request("/generate", {
        method: "POST",
        body: ndjsonOf(JSON.parse(json)),
        headers: { "content-type": "application/x-ndjson" },
      });
    }
    return system.app.request(path === "json" ? "/generate" : "/trpc/reports.generate", {
      method: "POST",
      body: json,
      headers: { "content-type": "application/json" },
    });
  }

  async function refusal(res: Response): Promise<Refusal> {
    const body = (await res.json()) as { code?: string; errors?: Refusal["errors"]; error?: { data: Refusal } };
    const problem = body.error ? body.error.data : body;
    return { status: res.status, code: problem.code ?? "", errors: problem.errors ?? [] };
  }

  const withoutLine = (errors: Refusal["errors"]) =>
    errors.map(({ path, message }) => ({ path, message: message.replace(/^line \d+: /, "") }));

  it.each(PATHS)("refuses a row key that names no column, naming it (%s)", async (path) => {
    const res = await send(path, days([{ d: "2026-01-01" }, {}, { d: null }, { dd: "2026-01-02" }]));
    const { status, code, errors } = await refusal(res);
    expect([status, code]).toEqual([400, "VALIDATION_FAILED"]);
    expect(withoutLine(errors)).toEqual([{ path: "tables[0].rows[3].dd", message: 'no column "dd"' }]);
    expect(await system.inputs()).toEqual([]);
  });

  it.each(PATHS)("refuses a sheet name Excel cannot take, stating the rule (%s)", async (path) => {
    const res = await send(
      path,
      days([], { tables: [{ name: "Q1/Q2", columns: [{ key: "d", header: "D" }], rows: [] }] }),
    );
    const { status, errors } = await refusal(res);
    expect(status).toBe(400);
    expect(errors[0]?.path).toBe("tables[0].name");
    expect(errors[0]?.message).toContain('"/" is not allowed: a table name is a sheet name: 1 to 31 characters');
  });

  it.each(PATHS)("refuses NUL and unpaired surrogates wherever they are, before any I/O (%s)", async (path) => {
    const spec = days([{ d: "2026-01-01" }], {
      title: "a\u0000b",
      webhook: { url: "https://example.com/hook", secret: "0123456789abcdef\ud800" },
    });
    const { status, errors } = await refusal(await send(path, spec));
    expect(status).toBe(400);
    const paths = withoutLine(errors).map((e) => `${e.path}: ${e.message}`);
    expect(paths).toContain("title: must not contain NUL (\\u0000)");
    expect(paths.some((p) => p.startsWith("webhook.secret: must not contain an unpaired surrogate"))).toBe(true);

    const cell = days([{ d: "2026-01-01" }], {
      tables: [{ name: "T", columns: [{ key: "s", header: "S" }], rows: [{ s: "ok" }, { s: "x\u0000" }] }],
    });
    const refused = await refusal(await send(path, cell));
    expect(withoutLine(refused.errors)).toEqual([
      { path: "tables[0].rows[1].s", message: 'must not contain NUL (\\u0000) for string column "s"' },
    ]);
    expect(await system.inputs()).toEqual([]);
  });

  it.each(PATHS)("takes an integer column named constructor with an empty row (%s)", async (path) => {
    const spec = days([{}, { constructor: 7 }], {
      tables: [{ name: "T", columns: [{ key: "constructor", header: "C", type: "integer" }], rows: [{}] }],
    });
    const res = await send(path, spec, JSON.stringify(spec).replace('"rows":[{}]', '"rows":[{},{"constructor":7}]'));
    expect(res.status, JSON.stringify(await res.clone().json())).toBeLessThan(300);
  });

  it.each(PATHS)("keeps a __proto__ column's values as own properties, up to the rendered file (%s)", async (path) => {
    const keys = ["__proto__", "toString", "hasOwnProperty"];
    const spec = days([], {
      tables: [{ name: "T", columns: keys.map((key) => ({ key, header: key, type: "integer" })), rows: [] }],
    });
    const json = JSON.stringify(spec).replace(
      '"rows":[]',
      '"rows":[{"__proto__":1,"toString":2,"hasOwnProperty":3},{},{"__proto__":null}]',
    );
    const res = await send(path, spec, json);
    expect(res.status).toBeLessThan(300);
    const body = (await res.json()) as { requestId?: string; result?: { data: { requestId: string } } };
    const requestId = body.requestId ?? body.result?.data.requestId ?? "";

    const claim = await system.repo.claim(requestId, { leaseMs: 10_000 });
    if (!claim) throw new Error(`report ${requestId} was not stored`);
    let rows: unknown[] = claim.row.spec.tables[0]?.rows ?? [];
    if (path === "ndjson") {
      const stored = await system.storage.get(`${claim.row.input?.prefix}/0.jsonl.gz`);
      if (!stored) throw new Error("no stored rows");
      const chunks: Buffer[] = [];
      for await (const chunk of stored) chunks.push(Buffer.from(chunk));
      rows = gunzipSync(Buffer.concat(chunks))
        .toString()
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
    }
    // jsonb orders keys its own way: compare each row's entries sorted
    expect(rows.map((row) => Object.entries(row as object).sort(([a], [b]) => a.localeCompare(b)))).toEqual([
      [
        ["__proto__", 1],
        ["hasOwnProperty", 3],
        ["toString", 2],
      ],
      [],
      [["__proto__", null]],
    ]);
  });
});

describe("a __proto__ column, rendered", () => {
  let system: System;
  beforeAll(async () => {
    system = await embedded();
  });
  afterAll(async () => {
    await system?.close();
  });

  it("shows its cells in the XLSX (POST /render), and nothing of Object.prototype", async () => {
    const json = JSON.stringify(
      days([], {
        tables: [
          {
            name: "T",
            columns: ["__proto__", "constructor", "toString"].map((key) => ({ key, header: key })),
            rows: [],
          },
        ],
      }),
    ).replace('"rows":[]', '"rows":[{"__proto__":"own"},{"constructor":"c"}]');
    const res = await system.app.request("/render", {
      method: "POST",
      body: json,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), "proto-render-"));
    try {
      const file = join(dir, "book.xlsx");
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      const script =
        "import json,sys,openpyxl;ws=openpyxl.load_workbook(sys.argv[1]).active;print(json.dumps([[c.value for c in r] for r in ws.iter_rows()]))";
      const cells = JSON.parse(execFileSync("/usr/bin/python3", ["-c", script, file]).toString());
      expect(cells).toEqual([
        ["__proto__", "constructor", "toString"],
        ["own", null, null],
        [null, "c", null],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
