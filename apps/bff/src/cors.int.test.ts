import { createMemoryCache } from "@reports/cache";
import { sampleSpec } from "@reports/contracts/testing";
import { createDb } from "@reports/db";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createLocalStorage } from "@reports/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./app";
import { createApiDeps } from "./deps";
import { bffSettings } from "./env";

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

  it("gives another origin no CORS headers, and sends none at all when CORS_ORIGINS is empty", async () => {
    const other = await appWith({ CORS_ORIGINS: origin }).request("/healthz", {
      headers: { origin: "https://evil.example.com" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const none = await appWith({}).request("/healthz", { headers: { origin } });
    expect(none.headers.get("access-control-allow-origin")).toBeNull();
  });
});
