import { sampleSpec } from "@reports/contracts/testing";
import { reportRequests } from "@reports/db/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type System, startSystem } from "../support/system";

describe("graceful shutdown of a worker (SIGTERM)", () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({ workers: 1, env: { WORKER_DRAIN_MS: "500" } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const statusOf = async (id: string) =>
    (await system.database.db.select().from(reportRequests).where(eq(reportRequests.requestId, id)))[0]?.status;

  it("releases a render that outlasts the drain time, exits 0, and the next worker finishes it", async () => {
    const id = await system.submit(sampleSpec({ format: "pdf", rows: 4_000 }));
    await expect.poll(() => statusOf(id), { timeout: 30_000, interval: 50 }).toBe("processing");
    const worker = system.workers[0];
    if (!worker) throw new Error("no worker");
    const stoppedAt = Date.now();
    expect(await worker.stop("SIGTERM")).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(worker.logs.map((l) => l.msg)).toContain("shutting down: report released to the queue");
    expect(await statusOf(id)).toBe("queued");

    system.workers[0] = await system.startWorker();
    await expect.poll(() => statusOf(id), { timeout: 60_000, interval: 200 }).toBe("done");
  });

  it("lets a short render finish within the drain time", async () => {
    const id = await system.submit(sampleSpec({ rows: 5 }));
    const worker = system.workers[0];
    if (!worker) throw new Error("no worker");
    await worker.waitForLog("report claimed", 30_000);
    expect(await worker.stop("SIGTERM")).toBe(0);
    expect(await statusOf(id)).toBe("done");
    system.workers[0] = await system.startWorker();
  });
});
