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
const deps = createApiDeps(
  {
    db: database.db,
    queue: createMemoryQueue(),
    storage: createLocalStorage({
      directory: "/tmp/reports-cancel-test",
      publicBaseUrl: "http://127.0.0.1:3000",
      signingSecret: "s".repeat(32),
    }),
    cache: createMemoryCache(),
    logger: silentLogger(),
  },
  bffSettings.parse({ LOG_REQUESTS: "false", AUTH_MODE: "apikey" }),
);
const app = createApp(deps);
let acme: Record<string, string>;
let globex: Record<string, string>;

beforeAll(async () => {
  await database.migrate();
  acme = { authorization: `Bearer ${(await deps.keys.create({ owner: "acme" })).key}` };
  globex = { authorization: `Bearer ${(await deps.keys.create({ owner: "globex" })).key}` };
});
afterAll(() => database.close());

const cancel = (id: string, headers: Record<string, string>) =>
  app.request(`/reports/${id}/cancel`, { method: "POST", headers });

describe("cancelling a report", () => {
  it("cancels a queued report of its owner, says so in its status, and answers the same when asked again", async () => {
    const row = await deps.repo.create(sampleSpec(), { owner: "acme" });
    const res = await cancel(row.requestId, acme);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ requestId: row.requestId, status: "cancelled", url: null });
    expect((await deps.cache.get(row.requestId))?.status).toBe("cancelled");
    const status = await app.request(`/status/${row.requestId}`, { headers: acme });
    expect(await status.json()).toMatchObject({ status: "cancelled" });
    expect((await cancel(row.requestId, acme)).status).toBe(200);
    // the worker can no longer take it
    expect(await deps.repo.claim(row.requestId, { leaseMs: 10_000 })).toBeNull();
  });

  it("drops a processing report's claim: its worker can neither renew nor complete", async () => {
    const row = await deps.repo.create(sampleSpec(), { owner: "acme" });
    const claim = await deps.repo.claim(row.requestId, { leaseMs: 10_000 });
    if (!claim) throw new Error("not claimed");
    expect((await cancel(row.requestId, acme)).status).toBe(200);
    expect(await deps.repo.renew(claim, { leaseMs: 10_000 })).toBe(false);
    expect(await deps.repo.complete(claim, "reports/x.xlsx")).toBeNull();
  });

  it("answers 409 NOT_CANCELLABLE for a done report, 404 for another owner's, 400 for a malformed id", async () => {
    const row = await deps.repo.create(sampleSpec(), { owner: "acme" });
    const claim = await deps.repo.claim(row.requestId, { leaseMs: 10_000 });
    if (!claim) throw new Error("not claimed");
    await deps.repo.complete(claim, `reports/${row.requestId}.xlsx`);
    const done = await cancel(row.requestId, acme);
    expect(done.status).toBe(409);
    expect(((await done.json()) as { code: string }).code).toBe("NOT_CANCELLABLE");

    const other = await deps.repo.create(sampleSpec(), { owner: "acme" });
    expect((await cancel(other.requestId, globex)).status).toBe(404);
    expect((await deps.repo.findById(other.requestId))?.status).toBe("queued");
    expect((await cancel("not-an-id", acme)).status).toBe(400);
    expect((await cancel(other.requestId, {})).status).toBe(401);
  });

  it("cancels through tRPC too", async () => {
    const row = await deps.repo.create(sampleSpec(), { owner: "acme" });
    const res = await app.request("/trpc/reports.cancel", {
      method: "POST",
      headers: { ...acme, "content-type": "application/json" },
      body: JSON.stringify({ requestId: row.requestId }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()) as unknown).toMatchObject({ result: { data: { status: "cancelled" } } });
  });
});
