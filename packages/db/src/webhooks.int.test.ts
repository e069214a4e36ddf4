import { reportSpec } from "@reports/contracts";
import { sampleSpec } from "@reports/contracts/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "./client";
import { createReportRepository } from "./repository";
import { TEST_DRIVERS } from "./testing";
import { createWebhookRepository } from "./webhooks";

const withWebhook = (url = "https://hooks.example.com/reports") =>
  reportSpec.parse({ ...sampleSpec(), webhook: { url, secret: "s".repeat(32) } });

describe.each(TEST_DRIVERS)("webhook deliveries on %s", (_name, open) => {
  let handle: DbHandle & { drop?: () => Promise<void> };
  let repo: ReturnType<typeof createReportRepository>;
  let hooks: ReturnType<typeof createWebhookRepository>;

  beforeAll(async () => {
    handle = await open();
    repo = createReportRepository(handle.db);
    hooks = createWebhookRepository(handle.db);
  });
  afterAll(async () => {
    await (handle.drop ? handle.drop() : handle.close());
  });

  async function finished(spec = withWebhook()) {
    const row = await repo.create(spec);
    const claim = await repo.claim(row.requestId, { leaseMs: 60_000 });
    if (!claim) throw new Error("not claimed");
    const done = await repo.complete(claim, `reports/${row.requestId}.xlsx`);
    if (!done) throw new Error("not completed");
    return done;
  }

  it("keeps the webhook out of the stored spec, the secret out of everything a status shows", async () => {
    const created = await repo.create(withWebhook());
    expect(created.webhookUrl).toBe("https://hooks.example.com/reports");
    expect(created).not.toHaveProperty("webhookSecret");
    const row = await repo.findById(created.requestId);
    expect(row?.webhookSecret).toBe("s".repeat(32));
    expect(row?.spec).not.toHaveProperty("webhook");
  });

  it("records one delivery per request and event, however often it is enqueued or swept", async () => {
    const done = await finished();
    await hooks.enqueue(done);
    await hooks.enqueue(done);
    await hooks.sweep(60_000);
    const deliveries = await hooks.listFor(done.requestId);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ event: "report.done", status: "pending", attempts: 0 });
  });

  it("sweeps up a final request whose worker died before it recorded the event, and no request without a webhook", async () => {
    const done = await finished();
    const plain = await finished(sampleSpec());
    expect(await hooks.sweep(60_000)).toBeGreaterThanOrEqual(1);
    expect(await hooks.listFor(done.requestId)).toHaveLength(1);
    expect(await hooks.listFor(plain.requestId)).toHaveLength(0);
  });

  it("lets one dispatcher at a time claim a due delivery, and retries or settles it", async () => {
    const done = await finished();
    await hooks.enqueue(done);
    const [first, second] = await Promise.all([hooks.claimDue(100, 30_000), hooks.claimDue(100, 30_000)]);
    const mine = [...(first ?? []), ...(second ?? [])].filter((c) => c.delivery.requestId === done.requestId);
    expect(mine).toHaveLength(1);
    const claimed = mine[0];
    if (!claimed) throw new Error("unreachable");
    expect(claimed.request.webhookSecret).toBe("s".repeat(32));
    expect(claimed.delivery.attempts).toBe(1);

    // leased: nobody else takes it; failed with a retry in the past: due again
    expect((await hooks.claimDue(100, 30_000)).some((c) => c.delivery.id === claimed.delivery.id)).toBe(false);
    await hooks.attemptFailed(claimed.delivery.id, { statusCode: 500, error: "HTTP 500" }, 0);
    const again = (await hooks.claimDue(100, 30_000)).find((c) => c.delivery.id === claimed.delivery.id);
    expect(again?.delivery).toMatchObject({ attempts: 2, lastStatusCode: 500, lastError: "HTTP 500" });

    await hooks.delivered(claimed.delivery.id, 204);
    const [settled] = await hooks.listFor(done.requestId);
    expect(settled).toMatchObject({ status: "delivered", lastStatusCode: 204, lastError: null });
    expect(settled?.deliveredAt).toBeInstanceOf(Date);
  });

  it("gives up after the last attempt", async () => {
    const done = await finished();
    await hooks.enqueue(done);
    const claimed = (await hooks.claimDue(100, 30_000)).find((c) => c.delivery.requestId === done.requestId);
    if (!claimed) throw new Error("not claimed");
    await hooks.attemptFailed(claimed.delivery.id, { statusCode: null, error: "timed out" }, null);
    expect((await hooks.listFor(done.requestId))[0]).toMatchObject({ status: "failed", lastError: "timed out" });
    expect((await hooks.claimDue(100, 30_000)).some((c) => c.delivery.id === claimed.delivery.id)).toBe(false);
  });
});
