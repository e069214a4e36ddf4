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

const [database, bucket]: [TestDatabase, TestBucket] = await Promise.all([
  createTestDatabase(),
  createTestBucket(inject("s3")),
]);
const deps = createApiDeps(
  {
    db: database.db,
    queue: createMemoryQueue(),
    storage: bucket.storage,
    cache: createMemoryCache(),
    logger: silentLogger(),
  },
  bffSettings.parse({ LOG_REQUESTS: "false", CORS_ORIGINS: "https://app.example.com" }),
);
const app = createApp(deps);
afterAll(async () => {
  await deps.renderer.close();
  await Promise.all([bucket.drop(), database.drop()]);
});

const json = (body: unknown) => ({
  method: "POST",
  body: JSON.stringify(body),
  headers: { "content-type": "application/json" },
});
const BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c";

describe("security headers and download names", () => {
  it("sends X-Content-Type-Options: nosniff on every answer: success, problem, 404, tRPC, docs, preflight", async () => {
    const answers = [
      await app.request("/healthz"),
      await app.request("/generate", json({})),
      await app.request("/nowhere"),
      await app.request("/trpc/reports.status?input=%7B%7D"),
      await app.request("/docs"),
      await app.request("/openapi.json"),
      await app.request("/generate", {
        method: "OPTIONS",
        headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
      }),
    ];
    for (const res of answers) expect(res.headers.get("x-content-type-options"), res.url).toBe("nosniff");
  });

  it("forbids framing /docs", async () => {
    const csp = (await app.request("/docs")).headers.get("content-security-policy") ?? "";
    expect(csp.split(";").map((d) => d.trim())).toContain("frame-ancestors 'none'");
  });

  it("strips bidi controls from the download name in the status and in Content-Disposition", async () => {
    const spec = { ...sampleSpec(), format: "xlsx", fileName: `invoice${BIDI}gpj.exe` };
    const created = await app.request("/generate", json(spec));
    expect(created.status).toBe(201);
    const { requestId } = (await created.json()) as { requestId: string };
    const status = (await (await app.request(`/status/${requestId}`)).json()) as { report: { fileName: string } };
    expect(status.report.fileName).toBe("invoicegpj.exe.xlsx");

    const rendered = await app.request("/render", json(spec));
    expect(rendered.status).toBe(200);
    const disposition = rendered.headers.get("content-disposition") ?? "";
    expect(disposition).toContain('filename="invoicegpj.exe.xlsx"');
    expect(decodeURIComponent(disposition.split("filename*=UTF-8''")[1] ?? "")).toBe("invoicegpj.exe.xlsx");
  });
});
