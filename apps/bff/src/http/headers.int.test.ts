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
import { closeServer, listen } from "../server";

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
  // in memory (app.request: the headers go on Hono's context) and over a real Node server (they go on Node's response)
  const answers = async (request: (path: string, init?: RequestInit) => Promise<Response>) => {
    const created = await request("/generate", json(sampleSpec()));
    const { requestId } = (await created.json()) as { requestId: string };
    return [
      created,
      await request(`/status/${requestId}`),
      await request("/healthz"),
      await request("/generate", json({})),
      await request("/nowhere"),
      await request("/trpc/reports.status?input=%7B%7D"),
      await request("/docs"),
      await request("/openapi.json"),
      await request("/generate", {
        method: "OPTIONS",
        headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
      }),
    ];
  };

  it.each(["app.request", "a Node server"])(
    "sends nosniff and its own X-Request-Id on every answer (%s): success, status, problem, 404, tRPC, docs, preflight",
    async (via) => {
      let request = async (path: string, init?: RequestInit) => app.request(path, init);
      let close = async () => {};
      if (via === "a Node server") {
        const { server, url } = await listen(app, { port: 0, host: "127.0.0.1" });
        request = (path, init) => fetch(`${url}${path}`, init);
        close = () => closeServer(server, { deadlineMs: 1000 });
      }
      try {
        const ids = new Set<string>();
        for (const res of await answers(request)) {
          expect(res.headers.get("x-content-type-options"), `${res.status} ${res.url}`).toBe("nosniff");
          const id = res.headers.get("x-request-id") ?? "";
          expect(id, `${res.status} ${res.url}`).toMatch(/^[0-9a-f-]{36}$/);
          expect(id.includes(","), "one X-Request-Id, not two joined").toBe(false);
          ids.add(id);
        }
        expect(ids.size).toBe(9);
      } finally {
        await close();
      }
    },
  );

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
