import { createMemoryCache } from "@reports/cache";
import { createDb } from "@reports/db";
import { createMemoryQueue } from "@reports/queue";
import { createLocalStorage } from "@reports/storage";
import { afterAll, describe, expect, it } from "vitest";
import { capturingLogger } from "../../test/fuzz/targets";
import { createApp } from "../app";
import { createApiDeps } from "../deps";
import { bffSettings } from "../env";

const database = createDb("memory://");
await database.migrate();
const logs: Array<Record<string, unknown>> = [];
const deps = createApiDeps(
  {
    db: database.db,
    queue: createMemoryQueue(),
    storage: createLocalStorage({
      directory: "/tmp/reports-trace-test",
      publicBaseUrl: "http://127.0.0.1",
      signingSecret: "trace-test-signing-secret-0123456789",
    }),
    cache: createMemoryCache(),
    logger: capturingLogger(logs),
  },
  bffSettings.parse({ LOG_REQUESTS: "true" }),
);
const app = createApp(deps);
afterAll(() => database.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function exchange(clientId: string | undefined) {
  const res = await app.request(`/status/${crypto.randomUUID()}`, {
    headers: clientId === undefined ? {} : { "x-request-id": clientId },
  });
  const traceId = res.headers.get("x-request-id");
  const body = (await res.json()) as { traceId: string };
  const line = logs.find((l) => l.msg === "request" && l.traceId === traceId);
  return { traceId, body, line };
}

describe("X-Request-Id", () => {
  it("is ours on every answer, even when the client sent one: the client's never becomes our trace id", async () => {
    const { traceId, body, line } = await exchange("checkout-7f3a:retry.2");
    expect(traceId).toMatch(UUID);
    expect(body.traceId).toBe(traceId);
    expect(line).toMatchObject({ traceId, clientRequestId: "checkout-7f3a:retry.2" });
  });

  it("from the client is ignored when malformed (characters outside [A-Za-z0-9._:-], or over 128)", async () => {
    for (const bad of ["has space", 'quote"d', "x".repeat(129), "<script>", "a/b", "ünïcode"]) {
      const { traceId, line } = await exchange(bad);
      expect(traceId).toMatch(UUID);
      expect(line).toBeDefined();
      expect(line).not.toHaveProperty("clientRequestId");
    }
    expect((await exchange("x".repeat(128))).line).toMatchObject({ clientRequestId: "x".repeat(128) });
  });

  it("is generated when the client sent none", async () => {
    const { traceId, line } = await exchange(undefined);
    expect(traceId).toMatch(UUID);
    expect(line).not.toHaveProperty("clientRequestId");
  });
});
