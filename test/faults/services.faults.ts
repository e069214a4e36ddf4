import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { sampleSpec } from "@reports/contracts/testing";
import { createReportRepository } from "@reports/db";
import { reportRequests } from "@reports/db/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/processes";
import { type System, startSystem } from "../support/system";

const run = promisify(execFile);

describe("backing services failing under a running system (1 BFF, 1 worker)", () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({ workers: 1 });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const row = async (id: string) => {
    const [found] = await system.database.db.select().from(reportRequests).where(eq(reportRequests.requestId, id));
    if (!found) throw new Error(`no row ${id}`);
    return found;
  };
  const until = async (id: string, status: string, timeout = 60_000) => {
    await expect.poll(async () => (await row(id)).status, { timeout, interval: 100 }).toBe(status);
    return row(id);
  };

  it("fails a poison spec after one attempt and never retries it", async () => {
    const repo = createReportRepository(system.database.db);
    const poison = await repo.create(sampleSpec());
    await system.database.db
      .update(reportRequests)
      .set({ spec: { ...sampleSpec(), tables: [] } })
      .where(eq(reportRequests.requestId, poison.requestId));
    await system.queue.publish({ requestId: poison.requestId, attempt: 1 });
    const failed = await until(poison.requestId, "error");
    expect(failed).toMatchObject({ errorType: "INVALID_SPEC", attempts: 1 });
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await row(poison.requestId)).attempts).toBe(1);
    expect((await system.waiting()).deadLettered).toBeGreaterThanOrEqual(1);
  });

  it("gets a report done whose publish was lost (the BFF died between insert and publish)", async () => {
    const repo = createReportRepository(system.database.db);
    const orphan = await repo.create(sampleSpec({ rows: 3 }));
    const done = await until(orphan.requestId, "done", 30_000);
    expect(done.completions).toBe(1);
  });

  it("retries with growing delays while S3 is down, dead-letters, and a replay after it returns gets it done", async () => {
    await system.stopS3();
    const id = await system.submit(sampleSpec({ rows: 3 }));
    const failed = await until(id, "error", 60_000);
    expect(failed).toMatchObject({ errorType: "STORAGE_FAILED", attempts: 3 });
    const delays = system.workers[0]?.logs
      .filter((l) => l.requestId === id && l.msg === "report will be retried")
      .map((l) => Number(l.delayMs));
    expect(delays).toHaveLength(2);
    expect((delays?.[1] ?? 0) > (delays?.[0] ?? 0) * 1.1).toBe(true);

    await system.startS3();
    const { stdout } = await run("pnpm", ["--silent", "--filter", "@reports/worker", "replay", "--id", id], {
      cwd: ROOT,
      env: { ...process.env, ...system.env },
    });
    const summary = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
    expect(summary).toMatchObject({ replayed: 1, skipped: [], deadLettersRemoved: 1 });
    expect((await until(id, "done", 30_000)).completions).toBe(1);
  });

  it("keeps answering GET /status from PostgreSQL while Redis is down, and the cache converges after", async () => {
    const id = await system.submit(sampleSpec({ rows: 3 }));
    await until(id, "done");
    await system.stopRedis();
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${system.baseUrl}/status/${id}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe("done");
    }
    const during = await system.submit(sampleSpec({ rows: 3 }));
    await until(during, "done");
    await system.startRedis();
    await expect
      .poll(
        async () => ((await (await fetch(`${system.baseUrl}/status/${during}`)).json()) as { status: string }).status,
        {
          timeout: 10_000,
        },
      )
      .toBe("done");
  });

  it("survives PostgreSQL going away: the API answers 503 with Retry-After, and work resumes when it returns", async () => {
    const before = await system.submit(sampleSpec({ rows: 3 }));
    await until(before, "done");
    await system.cutDatabase();
    const during = await fetch(`${system.baseUrl}/status/${before}`);
    // the cache may still answer reads; a write needs the database
    expect([200, 503]).toContain(during.status);
    const write = await fetch(`${system.baseUrl}/generate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(sampleSpec({ rows: 3 })),
    });
    expect(write.status).toBe(503);
    expect(write.headers.get("retry-after")).toBe("5");
    expect((await fetch(`${system.baseUrl}/readyz`)).status).toBe(503);
    await new Promise((r) => setTimeout(r, 1_000));
    await system.restoreDatabase();
    expect(system.bff.child.exitCode).toBeNull();
    expect(system.workers[0]?.child.exitCode).toBeNull();
    await expect.poll(async () => (await fetch(`${system.baseUrl}/readyz`)).status, { timeout: 15_000 }).toBe(200);
    const after = await system.submit(sampleSpec({ rows: 3 }));
    expect((await until(after, "done", 30_000)).completions).toBe(1);
  });
});
