import { createMemoryCache } from "@reports/cache";
import { sampleSpec } from "@reports/contracts/testing";
import { createDb } from "@reports/db";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createLocalStorage } from "@reports/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app";
import { createApiDeps } from "../deps";
import { bffSettings } from "../env";

const database = createDb("memory://");

function appWith(env: Record<string, string>) {
  return createApp(
    createApiDeps(
      {
        db: database.db,
        queue: createMemoryQueue(),
        storage: createLocalStorage({
          directory: "/tmp/reports-cors-test",
          publicBaseUrl: "http://127.0.0.1:3000",
          signingSecret: "s".repeat(32),
        }),
        cache: createMemoryCache(),
        logger: silentLogger(),
      },
      bffSettings.parse({ LOG_REQUESTS: "false", AUTH_MODE: "apikey", ...env }),
    ),
  );
}

beforeAll(() => database.migrate());
afterAll(() => database.close());

describe("CORS", () => {
  const origin = "https://app.example.com";

  it("answers a preflight from an allowed origin before authentication, and exposes the headers clients read", async () => {
    const app = appWith({ CORS_ORIGINS: `${origin}, https://admin.example.com` });
    const preflight = await app.request("/generate", {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,authorization,idempotency-key",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/idempotency-key/i);

    const res = await app.request("/generate", {
      method: "POST",
      body: JSON.stringify(sampleSpec()),
      headers: { origin, "content-type": "application/json" },
    });
    expect(res.status).toBe(401); // no key: refused, and the browser may read why
    expect(res.headers.get("access-control-allow-origin")).toBe(origin);
    expect(res.headers.get("access-control-expose-headers")).toMatch(/Location/);
  });

  const preflight = (app: ReturnType<typeof appWith>, path: string, from: string, method = "POST") =>
    app.request(path, {
      method: "OPTIONS",
      headers: {
        origin: from,
        "access-control-request-method": method,
        "access-control-request-headers": "authorization",
      },
    });
  const routes: [string, string][] = [
    ["/generate", "POST"],
    ["/status/6f1c2a4e-8d3b-4c51-9a7e-2b0d4f6a8c10", "GET"],
    ["/status/6f1c2a4e-8d3b-4c51-9a7e-2b0d4f6a8c10/events", "GET"],
    ["/trpc/reports.generate", "POST"],
    ["/trpc/reports.onStatus", "GET"],
  ];

  it("answers preflights to REST, tRPC and the event streams with 204 and the Access-Control headers", async () => {
    const app = appWith({ CORS_ORIGINS: origin });
    for (const [path, method] of routes) {
      const res = await preflight(app, path, origin, method);
      expect(res.status, path).toBe(204);
      expect(res.headers.get("access-control-allow-origin"), path).toBe(origin);
      expect(res.headers.get("access-control-allow-methods"), path).toContain(method);
      expect(res.headers.get("access-control-allow-headers"), path).toMatch(/authorization/i);
    }
  });

  it("refuses a preflight as a CORS refusal naming CORS_ORIGINS, never as another error", async () => {
    for (const app of [appWith({}), appWith({ CORS_ORIGINS: origin })]) {
      for (const [path, method] of routes) {
        const res = await preflight(app, path, "https://evil.example.com", method);
        expect(res.status, path).toBe(403);
        expect(res.headers.get("access-control-allow-origin"), path).toBeNull();
        const problem = (await res.json()) as { code: string; detail: string };
        expect(problem.code).toBe("FORBIDDEN");
        expect(problem.detail).toMatch(/CORS_ORIGINS/);
      }
    }
  });

  it("gives another origin no CORS headers, and sends none at all when CORS_ORIGINS is empty", async () => {
    const other = await appWith({ CORS_ORIGINS: origin }).request("/healthz", {
      headers: { origin: "https://evil.example.com" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const none = await appWith({}).request("/healthz", { headers: { origin } });
    expect(none.headers.get("access-control-allow-origin")).toBeNull();
  });
});
