import { execFile } from "node:child_process";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createMemoryCache } from "@reports/cache";
import { createTestDatabase } from "@reports/db/testing";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createTestBucket } from "@reports/storage/testing";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createApp } from "../app";
import { createApiDeps } from "../deps";
import { bffSettings } from "../env";
import { EXAMPLE_FROM_DEFINITION, EXAMPLE_SPEC } from "./openapi";

const [database, bucket] = await Promise.all([createTestDatabase(), createTestBucket(inject("s3"))]);
const deps = createApiDeps(
  {
    db: database.db,
    queue: createMemoryQueue(),
    storage: bucket.storage,
    cache: createMemoryCache(),
    logger: silentLogger(),
  },
  bffSettings.parse({ LOG_REQUESTS: "false" }),
);
const app = createApp(deps);
afterAll(async () => {
  await deps.renderer.close();
  await Promise.all([bucket.drop(), database.drop()]);
});

type Schema = {
  $ref?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  anyOf?: Schema[];
};
type MediaType = { schema?: Schema; example?: unknown };
type Operation = {
  operationId?: string;
  tags?: string[];
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, MediaType> }>;
};
type Doc = {
  openapi: string;
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, Schema> };
};

const document = async () => (await (await app.request("/openapi.json")).json()) as Doc;
const operations = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, operation })),
  );

/** Routes that are not part of the REST API, and why. Everything else the router holds must be documented. */
const NOT_REST_API: [RegExp, string][] = [
  [/^\/trpc\//, "tRPC, typed by AppRouter for @reports/sdk"],
  [/^\/(openapi\.json|docs)(\/|$)/, "the document itself and its Swagger UI page"],
  [/^\/admin(\/|$)/, "the operator dashboard's static files"],
  [/^\/files\//, "signed links handed out whole in `url` and `Location`, never composed by clients"],
];

/** Every property of `schema` and below that has no description, as dotted paths. */
function undescribed(schema: Schema, path: string): string[] {
  if (schema.$ref) return [];
  const own = Object.entries(schema.properties ?? {}).flatMap(([name, property]) => [
    ...(property.description || property.$ref ? [] : [`${path}.${name}`]),
    ...undescribed(property, `${path}.${name}`),
  ]);
  const nested = [
    ...(schema.items ? undescribed(schema.items, `${path}[]`) : []),
    ...(typeof schema.additionalProperties === "object" ? undescribed(schema.additionalProperties, `${path}{}`) : []),
    ...(schema.anyOf ?? []).flatMap((s) => undescribed(s, path)),
  ];
  return [...own, ...nested];
}

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const doc = await document();
    const result = await new Validator().validate(doc as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe("3.1.0");
  });

  it("documents exactly the routes the app serves", async () => {
    const served = new Set(
      app.routes
        .filter((route) => route.method !== "ALL")
        .filter((route) => !NOT_REST_API.some(([pattern]) => pattern.test(route.path)))
        .map((route) => `${route.method} ${route.path.replaceAll(/:(\w+)/g, "{$1}")}`),
    );
    expect(served.size).toBeGreaterThan(5);
    expect(
      operations(await document())
        .map((o) => o.key)
        .sort(),
    ).toEqual([...served].sort());
  });

  it("names, tags, summarises and describes every operation, and says which need a key", async () => {
    const doc = await document();
    const tags = new Set(doc.tags.map((t) => t.name));
    const ids = new Set<string>();
    for (const { key, operation } of operations(doc)) {
      expect(operation.operationId, key).toMatch(/^[a-z][A-Za-z]+$/);
      expect(ids.has(operation.operationId as string), `${key}: duplicate operationId`).toBe(false);
      ids.add(operation.operationId as string);
      expect(operation.tags?.length, key).toBe(1);
      expect(tags.has(operation.tags?.[0] as string), key).toBe(true);
      expect(operation.summary, key).toBeTruthy();
      expect(operation.description, key).toBeTruthy();
      const open = operation.tags?.[0] === "health";
      expect(operation.security, key).toEqual(open ? [] : [{ bearer: [] }]);
      if (!open) expect(Object.keys(operation.responses), key).toEqual(expect.arrayContaining(["401", "429"]));
    }
    expect(doc.components.securitySchemes).toHaveProperty("bearer");
    expect(Object.keys(doc.paths["/generate"]?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(["201", "200", "400", "401", "413", "415", "422", "429", "503", "500"]),
    );
    expect(Object.keys(doc.paths["/reports/{requestId}/cancel"]?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(["200", "400", "401", "404", "409"]),
    );
  });

  it("describes every field of what it takes and answers with", async () => {
    const { schemas } = (await document()).components;
    expect(Object.keys(schemas).sort()).toEqual(
      [
        "CreateDefinition",
        "DefinitionDetail",
        "DefinitionSummary",
        "GenerateFromDefinition",
        "GenerateResult",
        "Liveness",
        "Logo",
        "Problem",
        "Readiness",
        "ReportDefinition",
        "ReportSpec",
        "ReportStatus",
      ].sort(),
    );
    const missing = Object.entries(schemas).flatMap(([name, schema]) => undescribed(schema, name));
    expect(missing).toEqual([]);
  });

  it("describes request bodies as clients send them: fields with defaults are optional", async () => {
    const spec = (await document()).components.schemas.ReportSpec as Schema;
    const column = spec.properties?.tables?.items?.properties?.columns?.items;
    expect(column?.required).toEqual(expect.arrayContaining(["key", "header"]));
    expect(column?.required).not.toContain("type");
    expect(spec.properties?.pdf?.required ?? []).toEqual([]);
    expect(spec.required?.sort()).toEqual(["format", "tables", "title"]);
  });

  it("describes the redirect's Location and the status event stream", async () => {
    const doc = await document();
    const download = doc.paths["/reports/{requestId}/download"]?.get;
    expect(download?.responses["302"]?.headers).toHaveProperty("Location");
    const events = doc.paths["/status/{requestId}/events"]?.get;
    expect(Object.keys(events?.responses["200"]?.content ?? {})).toEqual(["text/event-stream"]);
    expect(events?.description).toMatch(/ReportStatus/);
    expect(doc.paths["/generate"]?.post?.responses["201"]?.headers).toHaveProperty("Location");
  });

  it("has examples the real routes accept", async () => {
    const doc = await document();
    const examples = {
      generate: doc.paths["/generate"]?.post?.requestBody?.content["application/json"]?.example,
      ndjson: doc.paths["/generate"]?.post?.requestBody?.content["application/x-ndjson"]?.example,
      render: doc.paths["/render"]?.post?.requestBody?.content["application/json"]?.example,
    };
    expect(examples.generate).toEqual(EXAMPLE_SPEC);
    expect(doc.components.schemas.GenerateFromDefinition).toMatchObject({ example: EXAMPLE_FROM_DEFINITION });
    const post = (path: string, body: string, type = "application/json") =>
      app.request(path, { method: "POST", body, headers: { "content-type": type } });

    const generated = await post("/generate", JSON.stringify(examples.generate));
    expect(generated.status).toBe(201);
    const streamed = await post("/generate", examples.ndjson as string, "application/x-ndjson");
    expect(streamed.status).toBe(201);
    const rendered = await post("/render", JSON.stringify(examples.render));
    expect(rendered.status).toBe(200);

    // a definition saved from its example, then a report from the example naming it
    const { schemas } = doc.components as { schemas: Record<string, MediaType> };
    expect((await post("/definitions", JSON.stringify(schemas.CreateDefinition?.example))).status).toBe(201);
    expect((await post("/definitions/sales-monthly/publish", JSON.stringify({ version: 1 }))).status).toBe(200);
    const fromDefinition = await post("/generate", JSON.stringify(schemas.GenerateFromDefinition?.example));
    expect(fromDefinition.status).toBe(201);
    const { requestId } = (await generated.json()) as { requestId: string };
    expect((await app.request(`/status/${requestId}`)).status).toBe(200);
  });

  it("passes `redocly lint` with no errors and no warnings beyond the justified ones", async () => {
    const bffRoot = fileURLToPath(new URL("../../", import.meta.url));
    const work = await mkdtemp(join(tmpdir(), "reports-redocly-"));
    try {
      await writeFile(join(work, "openapi.json"), JSON.stringify(await document(), null, 2));
      await copyFile(join(bffRoot, "redocly.yaml"), join(work, "redocly.yaml"));
      await copyFile(join(bffRoot, ".redocly.lint-ignore.yaml"), join(work, ".redocly.lint-ignore.yaml"));
      const redocly = join(bffRoot, "node_modules/.bin/redocly");
      const { stdout } = await promisify(execFile)(redocly, ["lint", "openapi.json", "--format=json"], {
        cwd: work,
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      }).catch((failed: { stdout: string }) => failed);
      const report = JSON.parse(stdout) as {
        totals: { errors: number; warnings: number; ignored: number };
        problems: { ruleId: string; message: string }[];
      };
      expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
      // every entry of the ignore file still matches a finding: none is stale
      expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 3 });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it("serves the docs page and its assets from the server itself", async () => {
    const page = await app.request("/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await page.text();
    for (const asset of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      expect(asset[1]).toMatch(/^\/docs\//);
      expect((await app.request(asset[1] as string)).status).toBe(200);
    }
  });
});
