import { readFile } from "node:fs/promises";
import { createMemoryCache } from "@reports/cache";
import type { CreateDefinitionInput, ReportSpec } from "@reports/contracts";
import { sampleSpec } from "@reports/contracts/testing";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createTestBucket, type TestBucket } from "@reports/storage/testing";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as XLSX from "xlsx";
import { createApp } from "../app";
import { type AppDeps, createApiDeps } from "../deps";
import { bffSettings } from "../env";

let database: TestDatabase;
let bucket: TestBucket;
let deps: AppDeps;
let app: ReturnType<typeof createApp>;
let acme: Record<string, string>;
let globex: Record<string, string>;

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
    bffSettings.parse({ LOG_REQUESTS: "false", AUTH_MODE: "apikey", MAX_BODY_BYTES: String(256 * 1024) }),
  );
  app = createApp(deps);
  acme = { authorization: `Bearer ${(await deps.keys.create({ owner: "acme" })).key}` };
  globex = { authorization: `Bearer ${(await deps.keys.create({ owner: "globex" })).key}` };
});

afterAll(async () => {
  await deps.renderer.close();
  await Promise.all([bucket.drop(), database.drop()]);
});

const send = (method: string, path: string, body: unknown, headers: Record<string, string>) =>
  app.request(path, {
    method,
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
  });
const get = (path: string, headers: Record<string, string>) => app.request(path, { headers });

type Problem = { code: string; detail: string; errors?: Array<{ path: string; message: string }> };

async function problemOf(res: Response | Promise<Response>) {
  const answer = await res;
  expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  return (await answer.json()) as Problem;
}

const salesDefinition = (name: string, title = "Sales {{params.month}}"): CreateDefinitionInput => ({
  name,
  formats: ["xlsx", "pdf"],
  title,
  fileName: "sales-{{params.month}}",
  params: {
    type: "object",
    required: ["month"],
    properties: { month: { type: "string", minLength: 7, maxLength: 7 } },
    additionalProperties: false,
  },
  tables: [
    {
      name: "Orders",
      columns: [
        { key: "region", header: "Region" },
        { key: "amount", header: "Amount", type: "currency", currency: "EUR", totals: "sum" },
      ],
    },
  ],
});

const rows = [
  { region: "North", amount: 10.5 },
  { region: "South", amount: 4 },
];

async function saved(name: string, publish = true) {
  const res = await send("POST", "/definitions", salesDefinition(name), acme);
  expect(res.status).toBe(201);
  if (publish) expect((await send("POST", `/definitions/${name}/publish`, { version: 1 }, acme)).status).toBe(200);
}

/** `POST /generate`: the answer's status, and its body (a result, or a problem). */
async function generated(body: unknown, headers = acme) {
  const res = await send("POST", "/generate", body, headers);
  return { status: res.status, body: (await res.json()) as { requestId: string } & Partial<Problem> };
}

describe("report definitions over REST", () => {
  it("creates version 1 as a draft, lists it, shows it with its versions, and publishes it", async () => {
    const created = await send("POST", "/definitions", salesDefinition("sales-monthly"), acme);
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/definitions/sales-monthly");
    expect(await created.json()).toMatchObject({ name: "sales-monthly", latestVersion: 1, publishedVersion: null });

    const list = (await (await get("/definitions", acme)).json()) as { items: Array<{ name: string }> };
    expect(list.items.map((d) => d.name)).toContain("sales-monthly");

    const published = await send("POST", "/definitions/sales-monthly/publish", { version: 1 }, acme);
    expect(await published.json()).toMatchObject({ publishedVersion: 1 });

    const updated = await send("PUT", "/definitions/sales-monthly", { ...salesDefinition("x"), name: undefined }, acme);
    expect(await updated.json()).toMatchObject({ latestVersion: 2, publishedVersion: 1 });

    const detail = (await (await get("/definitions/sales-monthly", acme)).json()) as {
      versions: Array<{ version: number; definition: { title: string; tables: Array<{ columns: unknown[] }> } }>;
    };
    expect(detail.versions.map((v) => v.version)).toEqual([2, 1]);
    // stored with the spec's defaults applied, as a request will use it
    expect(detail.versions[1]?.definition.tables[0]?.columns[0]).toEqual({
      key: "region",
      header: "Region",
      type: "string",
    });
  });

  it("refuses a definition with problems, naming each field, as /generate names a spec's", async () => {
    const bad = {
      ...salesDefinition("bad"),
      title: "Sales {{params.monht}}",
      tables: [{ name: "A/B", columns: [{ key: "n", header: "N", totals: "sum" }] }],
    };
    const res = await send("POST", "/definitions", bad, acme);
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem.code).toBe("VALIDATION_FAILED");
    expect(problem.errors?.map((e) => e.path).sort()).toEqual([
      "tables[0].columns[0].totals",
      "tables[0].name",
      "title",
    ]);
    const schema = await send(
      "POST",
      "/definitions",
      {
        ...salesDefinition("bad"),
        title: "T",
        fileName: "t",
        params: { type: "object", properties: { m: { type: "string", pattern: "(a+)+$" } } },
      },
      acme,
    );
    expect((await problemOf(schema)).errors).toEqual([
      { path: "params", message: 'strict mode: unknown keyword: "pattern"' },
    ]);
    expect(
      (await problemOf(await send("POST", "/definitions", { ...salesDefinition("Bad Name") }, acme))).errors?.[0]?.path,
    ).toBe("name");
    expect((await get("/definitions/bad", acme)).status).toBe(404);
  });

  it("answers 409 ALREADY_EXISTS for a name the owner has, and lets another owner use it", async () => {
    await saved("taken", false);
    const again = await send("POST", "/definitions", salesDefinition("taken"), acme);
    expect(again.status).toBe(409);
    expect((await problemOf(again)).code).toBe("ALREADY_EXISTS");
    expect((await send("POST", "/definitions", salesDefinition("taken"), globex)).status).toBe(201);
  });

  it("shows another owner's definition to nobody else: every route answers 404", async () => {
    await saved("private-one");
    expect((await get("/definitions/private-one", globex)).status).toBe(404);
    expect((await send("PUT", "/definitions/private-one", salesDefinition("x"), globex)).status).toBe(404);
    expect((await send("POST", "/definitions/private-one/publish", { version: 1 }, globex)).status).toBe(404);
    const { body } = await generated({ definition: "private-one", params: { month: "2026-11" } }, globex);
    expect(body.code).toBe("NOT_FOUND");
    const list = (await (await get("/definitions", globex)).json()) as { items: Array<{ name: string }> };
    expect(list.items.map((d) => d.name)).not.toContain("private-one");
  });

  it("answers 404 for an unknown version and for a definition without a published version", async () => {
    await saved("draft-only", false);
    expect((await send("POST", "/definitions/draft-only/publish", { version: 2 }, acme)).status).toBe(404);
    const { body } = await generated({ definition: "draft-only", params: { month: "2026-11" } });
    expect(body).toMatchObject({ code: "NOT_FOUND", detail: expect.stringMatching(/no published version/) });
    const named = await generated({ definition: "draft-only", version: 1, params: { month: "2026-11" } });
    expect(named.status).toBe(201);
  });

  it("answers 401 without a key, 415 for a body that is not JSON, 413 for one over the limit", async () => {
    expect((await send("POST", "/definitions", salesDefinition("anon"), {})).status).toBe(401);
    expect((await get("/definitions", {})).status).toBe(401);
    const text = await app.request("/definitions", {
      method: "POST",
      body: "x",
      headers: { ...acme, "content-type": "text/plain" },
    });
    expect((await problemOf(text)).code).toBe("UNSUPPORTED_MEDIA_TYPE");
    const huge = { ...salesDefinition("huge"), title: "x".repeat(300 * 1024) };
    expect((await problemOf(await send("POST", "/definitions", huge, acme))).code).toBe("PAYLOAD_TOO_LARGE");
  });
});

describe("generating from a definition", () => {
  beforeAll(() => saved("orders"));

  it("queues the resolved spec with the params filled in, and its status names the version", async () => {
    const { status: code, body } = await generated({
      definition: "orders",
      params: { month: "2026-11" },
      tables: [{ name: "Orders", rows }],
    });
    expect(code).toBe(201);
    const stored = await deps.repo.findById(body.requestId);
    expect(stored?.spec).toMatchObject({ format: "xlsx", title: "Sales 2026-11", fileName: "sales-2026-11" });
    expect((stored?.spec as ReportSpec | undefined)?.tables[0]?.rows).toEqual(rows);
    const status = (await (await get(`/status/${body.requestId}`, acme)).json()) as { report: unknown };
    expect(status.report).toMatchObject({
      title: "Sales 2026-11",
      fileName: "sales-2026-11.xlsx",
      rowCount: 2,
      definition: { name: "orders", version: 1 },
    });
  });

  it("refuses params the schema refuses and rows that do not fit, with the request's paths", async () => {
    const params = (await generated({ definition: "orders", params: { month: "November" } })).body;
    expect(params.errors).toEqual([{ path: "params.month", message: "must NOT have more than 7 characters" }]);
    const bad = await generated({
      definition: "orders",
      params: { month: "2026-11" },
      tables: [{ name: "Orders", rows: [{ region: "N", amount: "ten" }] }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { path: "tables[0].rows[0].amount", message: 'expected a finite number for currency column "amount"' },
    ]);
    const table = (
      await generated({ definition: "orders", params: { month: "2026-11" }, tables: [{ name: "Order", rows: [] }] })
    ).body;
    expect(table.errors?.[0]?.path).toBe("tables[0].name");
  });

  it("keeps old requests on the version they used when another is published", async () => {
    const first = await generated({
      definition: "orders",
      params: { month: "2026-10" },
      tables: [{ name: "Orders", rows }],
    });
    const v2 = { ...salesDefinition("orders", "Revenue {{params.month}}"), name: undefined };
    expect((await send("PUT", "/definitions/orders", v2, acme)).status).toBe(200);
    const draft = await generated({ definition: "orders", params: { month: "2026-10" } });
    expect((await deps.repo.findById(draft.body.requestId))?.spec.title).toBe("Sales 2026-10");
    await send("POST", "/definitions/orders/publish", { version: 2 }, acme);
    const second = await generated({ definition: "orders", params: { month: "2026-10" } });
    const statusOf = async (id: string) =>
      ((await (await get(`/status/${id}`, acme)).json()) as { report: { title: string; definition: unknown } }).report;
    expect(await statusOf(second.body.requestId)).toMatchObject({
      title: "Revenue 2026-10",
      definition: { name: "orders", version: 2 },
    });
    expect(await statusOf(first.body.requestId)).toMatchObject({
      title: "Sales 2026-10",
      definition: { name: "orders", version: 1 },
    });
  });

  it("binds an idempotency key to the request, so a retry after another version is published replays the first", async () => {
    await saved("keyed");
    const request = { definition: "keyed", params: { month: "2026-06" }, tables: [{ name: "Orders", rows }] };
    const keyed = { ...acme, "idempotency-key": "keyed-2026-06" };
    const first = await send("POST", "/generate", request, keyed);
    expect(first.status).toBe(201);
    await send(
      "PUT",
      "/definitions/keyed",
      { ...salesDefinition("x"), name: undefined, title: "New {{params.month}}" },
      acme,
    );
    await send("POST", "/definitions/keyed/publish", { version: 2 }, acme);
    const retry = await send("POST", "/generate", request, keyed);
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as { requestId: string }).requestId).toBe(
      ((await first.json()) as { requestId: string }).requestId,
    );
    const other = await send("POST", "/generate", { ...request, params: { month: "2026-07" } }, keyed);
    expect((await problemOf(other)).code).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("takes a definition on the first line of a JSON Lines stream", async () => {
    const lines = [
      JSON.stringify({ definition: "orders", version: 1, format: "pdf", params: { month: "2026-09" } }),
      ...rows.map((r) => JSON.stringify(r)),
    ].join("\n");
    const res = await app.request("/generate", {
      method: "POST",
      body: lines,
      headers: { ...acme, "content-type": "application/x-ndjson" },
    });
    expect(res.status).toBe(201);
    const { requestId } = (await res.json()) as { requestId: string };
    const row = await deps.repo.findById(requestId);
    expect(row).toMatchObject({
      format: "pdf",
      title: "Sales 2026-09",
      rowCount: 2,
      definitionName: "orders",
      definitionVersion: 1,
    });
    expect(row?.input?.counts).toEqual([2]);
    const bad = await app.request("/generate", {
      method: "POST",
      body: `${JSON.stringify({ definition: "orders", params: {} })}\n{"region":"N"}\n`,
      headers: { ...acme, "content-type": "application/x-ndjson" },
    });
    expect((await problemOf(bad)).errors).toEqual([{ path: "params.month", message: "line 1: required" }]);
  });

  it("renders a draft version at once against sample rows (POST /render)", async () => {
    const res = await send(
      "POST",
      "/render",
      {
        definition: "orders",
        version: 1,
        format: "xlsx",
        params: { month: "2026-08" },
        tables: [{ name: "Orders", rows }],
      },
      acme,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain("sales-2026-08.xlsx");
    const book = XLSX.read(new Uint8Array(await res.arrayBuffer()));
    expect(XLSX.utils.sheet_to_json(book.Sheets.Orders as XLSX.WorkSheet, { header: 1 }).slice(0, 3)).toEqual([
      ["Region", "Amount"],
      ["North", 10.5],
      ["South", 4],
    ]);
    expect(
      (await send("POST", "/render", { definition: "orders", version: 9, params: { month: "2026-08" } }, acme)).status,
    ).toBe(404);
  });
});

describe("definitions over tRPC", () => {
  const call = async (path: string, input: unknown, headers = acme, query = false) => {
    const res = query
      ? await app.request(`/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
      : await send("POST", `/trpc/${path}`, input, headers);
    return {
      status: res.status,
      body: (await res.json()) as { result?: { data: unknown }; error?: { data: { code: string } } },
    };
  };

  it("creates, updates, publishes, lists, gets and generates, scoped to the caller", async () => {
    const { name: _name, ...definition } = salesDefinition("trpc-one");
    expect((await call("definitions.create", { name: "trpc-one", ...definition })).body.result?.data).toMatchObject({
      latestVersion: 1,
    });
    expect((await call("definitions.update", { name: "trpc-one", definition })).body.result?.data).toMatchObject({
      latestVersion: 2,
    });
    expect((await call("definitions.publish", { name: "trpc-one", version: 2 })).body.result?.data).toMatchObject({
      publishedVersion: 2,
    });
    const listed = (await call("definitions.list", undefined, acme, true)).body.result?.data as {
      items: Array<{ name: string }>;
    };
    expect(listed.items.map((d) => d.name)).toContain("trpc-one");
    const detail = (await call("definitions.get", { name: "trpc-one" }, acme, true)).body.result?.data as {
      versions: unknown[];
    };
    expect(detail.versions).toHaveLength(2);
    const made = (
      await call("definitions.generate", {
        definition: "trpc-one",
        params: { month: "2026-07" },
        tables: [{ name: "Orders", rows }],
      })
    ).body.result?.data as { requestId: string };
    expect(await deps.repo.findById(made.requestId)).toMatchObject({
      definitionName: "trpc-one",
      definitionVersion: 2,
      title: "Sales 2026-07",
    });
    expect((await call("definitions.get", { name: "trpc-one" }, globex, true)).body.error?.data.code).toBe("NOT_FOUND");
    expect((await call("definitions.create", { name: "trpc-one", ...definition })).body.error?.data.code).toBe(
      "ALREADY_EXISTS",
    );
  });
});

describe("logos", () => {
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.from("rest of a png"),
  ]);
  const upload = (bytes: Buffer, contentType: string, headers = acme) =>
    app.request("/logos", {
      method: "POST",
      body: new Uint8Array(bytes),
      headers: { ...headers, "content-type": contentType },
    });

  it("stores a PNG under a content-addressed key of its owner, once", async () => {
    const res = await upload(png, "image/png");
    expect(res.status).toBe(201);
    const logo = (await res.json()) as { key: string; contentType: string; bytes: number };
    expect(logo).toMatchObject({ contentType: "image/png", bytes: png.length });
    expect(logo.key).toMatch(/^logos\/[0-9a-f]{32}\/[0-9a-f]{64}\.png$/);
    expect(((await (await upload(png, "image/png")).json()) as { key: string }).key).toBe(logo.key);
    const theirs = ((await (await upload(png, "image/png", globex)).json()) as { key: string }).key;
    expect(theirs).not.toBe(logo.key);
    expect(await deps.storage.head(logo.key)).toMatchObject({ size: png.length });
  });

  it("refuses bytes that are no PNG or JPEG, a type that does not match them, and an image over 512 KiB", async () => {
    const gif = Buffer.from("GIF89a......");
    expect((await problemOf(await upload(gif, "image/png"))).code).toBe("VALIDATION_FAILED");
    expect((await problemOf(await upload(png, "image/jpeg"))).errors?.[0]?.path).toBe("content-type");
    const big = Buffer.concat([png, Buffer.alloc(512 * 1024)]);
    expect((await problemOf(await upload(big, "image/png"))).code).toBe("PAYLOAD_TOO_LARGE");
    expect((await upload(png, "image/png", {})).status).toBe(401);
  });

  it("draws the logo in a preview (POST /render), read from storage as the worker does", async () => {
    const image = new PNG({ width: 4, height: 2 });
    image.data.fill(0x80);
    const key = ((await (await upload(PNG.sync.write(image), "image/png")).json()) as { key: string }).key;
    const spec = { ...sampleSpec({ format: "pdf" }), layout: { logo: { key, contentType: "image/png" } } };
    const res = await send("POST", "/render", spec, acme);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(Buffer.from(await res.arrayBuffer()).toString("latin1")).toContain("/Subtype /Image");
  });

  it("lets a definition or a spec name only its owner's logos", async () => {
    const mine = ((await (await upload(png, "image/png")).json()) as { key: string }).key;
    const theirs = ((await (await upload(png, "image/png", globex)).json()) as { key: string }).key;
    const withLogo = (name: string, key: string) => ({
      ...salesDefinition(name),
      layout: { logo: { key, contentType: "image/png" } },
    });
    expect((await send("POST", "/definitions", withLogo("logo-mine", mine), acme)).status).toBe(201);
    const refused = await problemOf(await send("POST", "/definitions", withLogo("logo-theirs", theirs), acme));
    expect(refused.errors).toEqual([
      { path: "layout.logo.key", message: "not a key of one of your logos: upload the image with POST /logos" },
    ]);
    const spec = {
      ...sampleSpec(),
      layout: { logo: { key: `reports/${"0".repeat(8)}.xlsx`, contentType: "image/png" } },
    };
    expect((await generated(spec)).body.errors?.[0]?.path).toBe("layout.logo.key");
  });
});

describe("the README's report definitions section", () => {
  it("runs as written: each curl of its example posts and answers what the README says", async () => {
    const readme = await readFile(new URL("../../../../README.md", import.meta.url), "utf8");
    const section = readme.slice(
      readme.indexOf("### Report definitions"),
      readme.indexOf("\n## ", readme.indexOf("### Report definitions")),
    );
    const example = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    const calls = [
      ...example.matchAll(/curl -s -X (POST|PUT) http:\/\/127\.0\.0\.1:3000(\S+)[\s\S]*?-d '([\s\S]*?)'\n# (\d{3})/g),
    ];
    expect(calls.map(([, method, path]) => `${method} ${path}`)).toEqual([
      "POST /definitions",
      "POST /definitions/sales-monthly/publish",
      "POST /generate",
    ]);
    const owner = { authorization: `Bearer ${(await deps.keys.create({ owner: "readme" })).key}` };
    for (const [, method = "", path = "", body = "", status] of calls) {
      const res = await send(method, path, JSON.parse(body), owner);
      expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} ${status}`);
    }
    const [status] = (await deps.admin.requests({ search: "readme", pageSize: 1 })).items;
    expect(status).toMatchObject({ title: "Sales 2026-11", definition: { name: "sales-monthly", version: 1 } });
  });
});
