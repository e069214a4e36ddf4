import { randomUUID } from "node:crypto";
import { createMemoryCache } from "@reports/cache";
import { sampleSpec } from "@reports/contracts/testing";
import { createDb } from "@reports/db";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createLocalStorage } from "@reports/storage";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app";
import { createApiDeps } from "../deps";
import { bffSettings, checkAuthSettings } from "../env";
import { type AppRouter, appRouter } from "../trpc/router";

const database = createDb("memory://");
beforeAll(() => database.migrate());
afterAll(() => database.close());

function system(settings: Record<string, string>) {
  const queue = createMemoryQueue();
  const deps = createApiDeps(
    {
      db: database.db,
      queue,
      storage: createLocalStorage({
        directory: "/tmp/reports-admin-test",
        publicBaseUrl: "http://127.0.0.1:3000",
        signingSecret: "s".repeat(32),
      }),
      cache: createMemoryCache(),
      logger: silentLogger(),
    },
    bffSettings.parse({ LOG_REQUESTS: "false", ...settings }),
  );
  const app = createApp(deps);
  const client = (authorization?: string) =>
    createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: "http://bff/trpc",
          headers: authorization ? { authorization } : {},
          fetch: async (url, init) => app.request(String(url), init as RequestInit),
        }),
      ],
    });
  return { deps, queue, app, client };
}

/** A valid input for every admin procedure: the test fails when a new one is added without its check. */
const INPUTS: Record<string, unknown> = {
  "admin.whoami": undefined,
  "admin.overview": undefined,
  "admin.throughput": { minutes: 5 },
  "admin.requests": { search: "x", pageSize: 5 },
  "admin.request": { requestId: randomUUID() },
  "admin.deadLetters": { pageSize: 5 },
  "admin.failedIds": undefined,
  "admin.replay": { requestIds: [randomUUID()] },
  "admin.pruneDeadLetters": undefined,
  "admin.cancel": { requestId: randomUUID() },
};
const adminProcedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>,
)
  .filter(([path]) => path.startsWith("admin."))
  .map(([path, procedure]) => [path, procedure._def.type] as const);

/** Calls a procedure over plain HTTP, as any client would. */
function call(app: ReturnType<typeof createApp>, path: string, type: string, headers: Record<string, string>) {
  const input = INPUTS[path];
  if (type === "query") {
    const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return app.request(`/trpc/${path}${query}`, { headers });
  }
  return app.request(`/trpc/${path}`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify(input),
  });
}

describe("who may use the dashboard", () => {
  const { app, deps } = system({ AUTH_MODE: "apikey" });
  let owner: Record<string, string>;
  let operator: Record<string, string>;
  beforeAll(async () => {
    owner = { authorization: `Bearer ${(await deps.keys.create({ owner: "acme" })).key}` };
    operator = { authorization: `Bearer ${(await deps.keys.create({ owner: "ops", admin: true })).key}` };
  });

  it("knows an input for every admin procedure", () => {
    expect(adminProcedures.map(([path]) => path).sort()).toEqual(Object.keys(INPUTS).sort());
  });

  it.each(adminProcedures)(
    "%s: 401 without a key, 403 with an owner's key, an answer with an operator's",
    async (path, type) => {
      const anonymous = await call(app, path, type, {});
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ code: "UNAUTHORIZED" });
      const forbidden = await call(app, path, type, owner);
      expect(forbidden.status).toBe(403);
      expect(JSON.stringify(await forbidden.json())).toContain('"code":"FORBIDDEN"');
      // the operator gets past authorization (a 404 for an unknown request, a 200 elsewhere)
      expect([200, 404]).toContain((await call(app, path, type, operator)).status);
    },
  );

  it("lets an operator in with a JWT carrying the admin role, and no one else", async () => {
    const secret = "j".repeat(32);
    const { client } = system({ AUTH_MODE: "jwt", JWT_SECRET: secret });
    const token = (claims: Record<string, unknown>) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("ops")
        .setExpirationTime("5m")
        .sign(new TextEncoder().encode(secret));
    await expect(client(`Bearer ${await token({ role: "admin" })}`).admin.whoami.query()).resolves.toMatchObject({
      owner: "ops",
      authMode: "jwt",
    });
    await expect(
      client(`Bearer ${await token({ role: ["reader", "admin"] })}`).admin.overview.query(),
    ).resolves.toBeTruthy();
    const refused = await client(`Bearer ${await token({ role: "reader" })}`)
      .admin.overview.query()
      .catch((e) => e);
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect(refused.data).toMatchObject({ code: "FORBIDDEN", httpStatus: 403 });
  });

  it("is open with AUTH_MODE=none, which production refuses", async () => {
    const { client } = system({ AUTH_MODE: "none" });
    await expect(client().admin.whoami.query()).resolves.toEqual({ owner: "anonymous", authMode: "none" });
    const production = bffSettings
      .superRefine(checkAuthSettings)
      .safeParse({ NODE_ENV: "production", AUTH_MODE: "none" });
    expect(production.error?.issues[0]?.message).toMatch(/AUTH_MODE=none is refused/);
  });
});

describe("what an operator sees and does", () => {
  const { deps, queue, client, app } = system({ AUTH_MODE: "none" });
  const admin = () => client().admin;

  async function failed(title: string) {
    const row = await deps.repo.create(sampleSpec({ title }), { owner: "globex" });
    const claim = await deps.repo.claim(row.requestId, { leaseMs: 60_000 });
    if (!claim) throw new Error("not claimed");
    await deps.repo.fail(claim, "STORAGE_FAILED", "S3 was down");
    await queue.deadLetter(
      { requestId: row.requestId, attempt: 1 },
      { reason: "attempts-exhausted", errorType: "STORAGE_FAILED", attempts: 1 },
    );
    return row.requestId;
  }

  it("counts by status and error type and shows the queue depths", async () => {
    await deps.repo.create(sampleSpec(), { owner: "acme" });
    const id = await failed("Counted");
    const overview = await admin().overview.query();
    expect(overview.counts.queued).toBeGreaterThanOrEqual(1);
    expect(overview.counts.error).toBeGreaterThanOrEqual(1);
    expect(overview.errorsByType).toContainEqual({ type: "STORAGE_FAILED", count: overview.counts.error });
    expect(overview.queue).toMatchObject({ deadLettered: 1 });
    const dead = await admin().deadLetters.query({ pageSize: 10 });
    expect(dead.items.map((i) => i.requestId)).toContain(id);
    expect(dead.brokerCount).toBe(1);
    expect(dead).toMatchObject({ failedCount: overview.counts.error, failedCountCapped: false, nextCursor: null });
  });

  it("replays failed requests as the replay command does: queued again, published, out of the dead-letter queue", async () => {
    const ids = [await failed("Replayed 1"), await failed("Replayed 2")];
    expect(await admin().failedIds.query()).toEqual(expect.arrayContaining(ids));
    const before = await queue.depth();
    const summary = await admin().replay.mutate({ requestIds: [...ids, randomUUID()] });
    expect(summary.replayed.sort()).toEqual([...ids].sort());
    expect(summary.skipped).toHaveLength(1);
    const after = await queue.depth();
    expect(after.ready - before.ready).toBe(2);
    expect(before.deadLettered - after.deadLettered).toBe(2);
    expect((await deps.cache.get(ids[0] ?? ""))?.status).toBe("queued");
    const detail = await admin().request.query({ requestId: ids[0] ?? "" });
    expect(detail.status).toBe("queued");
    expect(detail.history.map((h) => h.status)).toEqual(["queued", "processing", "error", "queued"]);
    expect(detail.history[2]?.error).toEqual({ type: "STORAGE_FAILED", message: "S3 was down" });
  });

  it("replays all in batches that keep their dead letters, then removes them in one pass", async () => {
    const ids = [await failed("Batch 1"), await failed("Batch 2"), await failed("Batch 3")];
    const before = await queue.depth();
    for (const batch of [ids.slice(0, 2), ids.slice(2)]) {
      const summary = await admin().replay.mutate({ requestIds: batch, keepDeadLetters: true });
      expect(summary.deadLettersRemoved).toBe(0);
    }
    expect((await queue.depth()).deadLettered).toBe(before.deadLettered);
    expect(await admin().pruneDeadLetters.mutate()).toEqual({ removed: 3 });
    expect(before.deadLettered - (await queue.depth()).deadLettered).toBe(3);
  });

  it("refuses a replay of nothing or of too many at once", async () => {
    const empty = await admin()
      .replay.mutate({ requestIds: [] })
      .catch((e) => e);
    expect(empty.data).toMatchObject({ code: "VALIDATION_FAILED", httpStatus: 400 });
    const many = Array.from({ length: 101 }, () => randomUUID());
    expect(
      (
        await admin()
          .replay.mutate({ requestIds: many })
          .catch((e) => e)
      ).data.httpStatus,
    ).toBe(400);
  });

  it("cancels anyone's queued report, and says 404 for an unknown one", async () => {
    const row = await deps.repo.create(sampleSpec(), { owner: "someone-else" });
    expect(await admin().cancel.mutate({ requestId: row.requestId })).toMatchObject({ status: "cancelled" });
    const unknown = await admin()
      .cancel.mutate({ requestId: randomUUID() })
      .catch((e) => e);
    expect(unknown.data).toMatchObject({ code: "NOT_FOUND", httpStatus: 404 });
  });

  it("gives a done report's download link in its detail, and pages the search", async () => {
    const row = await deps.repo.create(sampleSpec({ title: "Finished" }), { owner: "acme" });
    const claim = await deps.repo.claim(row.requestId, { leaseMs: 60_000 });
    if (!claim) throw new Error("not claimed");
    const warning = { code: "MISSING_GLYPHS" as const, message: "2 cells: U+E000", codePoints: ["U+E000"], cells: 2 };
    await deps.repo.complete(claim, `reports/${row.requestId}.xlsx`, [warning]);
    const detail = await admin().request.query({ requestId: row.requestId });
    expect(detail.warnings).toEqual([warning]);
    expect(detail.downloadUrl).toMatch(/^http:\/\/127\.0\.0\.1:3000\//);
    expect(detail.renderMs).not.toBeNull();
    const found = await admin().requests.query({ search: "finished", status: "done" });
    expect(found.items.map((i) => i.requestId)).toEqual([row.requestId]);
  });

  it("pages the requests by cursor, and answers a cursor it did not give with a 400", async () => {
    const owner = `pager-${randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await deps.repo.create(sampleSpec(), { owner })).requestId);
    const first = await admin().requests.query({ search: owner, pageSize: 2 });
    expect(first.items.map((i) => i.requestId)).toEqual([ids[2], ids[1]]);
    if (!first.nextCursor) throw new Error("no next page");
    const second = await admin().requests.query({ search: owner, pageSize: 2, cursor: first.nextCursor });
    expect(second).toMatchObject({ items: [{ requestId: ids[0] }], nextCursor: null });
    const bad = await admin()
      .requests.query({ search: owner, cursor: "page-2" })
      .catch((e) => e);
    expect(bad.data).toMatchObject({ httpStatus: 400 });
  });

  it("serves the page under a strict Content-Security-Policy", async () => {
    const res = await app.request("/admin/");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect((await app.request("/admin")).headers.get("location")).toBe("/admin/");
  });
});
