import { createMemoryCache } from "@reports/cache";
import { createTestDatabase } from "@reports/db/testing";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createTestBucket } from "@reports/storage/testing";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createApp } from "./app";
import { createApiDeps } from "./deps";
import { bffSettings } from "./env";
import { EXAMPLE_SPEC } from "./openapi";

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

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      { responses: Record<string, unknown>; requestBody?: { content: Record<string, { example?: unknown }> } }
    >
  >;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
};

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const doc = await (await app.request("/openapi.json")).json();
    const result = await new Validator().validate(doc as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect((doc as Doc).openapi).toBe("3.1.0");
  });

  it("documents every route, the auth scheme and the error responses", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as Doc;
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        "/generate",
        "/healthz",
        "/readyz",
        "/render",
        "/reports/{requestId}/cancel",
        "/reports/{requestId}/download",
        "/status/{requestId}",
      ].sort(),
    );
    expect(Object.keys(doc.paths["/reports/{requestId}/cancel"]?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(["200", "400", "401", "404", "409"]),
    );
    expect(doc.components.securitySchemes).toHaveProperty("bearer");
    expect(Object.keys(doc.paths["/generate"]?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(["201", "200", "400", "401", "413", "415", "422", "429", "503", "500"]),
    );
    expect(Object.keys(doc.paths["/status/{requestId}"]?.get?.responses ?? {})).toEqual(
      expect.arrayContaining(["200", "400", "401", "404"]),
    );
  });

  it("has examples the real routes accept", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as Doc;
    const example = doc.paths["/generate"]?.post?.requestBody?.content["application/json"]?.example;
    expect(example).toEqual(EXAMPLE_SPEC);
    const generated = await app.request("/generate", {
      method: "POST",
      body: JSON.stringify(example),
      headers: { "content-type": "application/json" },
    });
    expect(generated.status).toBe(201);
    const rendered = await app.request("/render", {
      method: "POST",
      body: JSON.stringify(doc.paths["/render"]?.post?.requestBody?.content["application/json"]?.example),
      headers: { "content-type": "application/json" },
    });
    expect(rendered.status).toBe(200);
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
