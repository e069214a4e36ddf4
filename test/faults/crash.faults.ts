import { sampleSpec } from "@reports/contracts/testing";
import { reportRequests } from "@reports/db/schema";
import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type System, startSystem } from "../support/system";

// `pnpm bench:faults` runs the same scenario larger
const REPORTS = Number(process.env.FAULT_REPORTS ?? 300);
const KILLS = Number(process.env.FAULT_KILLS ?? 3);

async function statusCounts(system: System) {
  const rows = await system.database.db
    .select({ status: reportRequests.status, n: count() })
    .from(reportRequests)
    .groupBy(reportRequests.status);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

describe(`${REPORTS} reports, 2 worker processes, a worker SIGKILLed ${KILLS} times mid-render`, () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({ workers: 2 });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it("gets every report done exactly once, with none stuck and the queues empty", async () => {
    const started = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < REPORTS; i += 10) {
      const batch = Array.from({ length: Math.min(10, REPORTS - i) }, (_, j) =>
        system.submit(sampleSpec({ format: (i + j) % 2 === 0 ? "xlsx" : "pdf", rows: 5 + ((i + j) % 20) })),
      );
      ids.push(...(await Promise.all(batch)));
    }

    const kills: Array<{ at: number; holding: string[] }> = [];
    for (let k = 0; k < KILLS; k++) {
      const victim = system.workers[0];
      if (!victim) throw new Error("no worker");
      const claimedBefore = victim.logs.filter((l) => l.msg === "report claimed").length;
      // kill it while it holds work: right after it claims another report
      await victim.waitForLog("report claimed", 60_000);
      while (victim.logs.filter((l) => l.msg === "report claimed").length <= claimedBefore) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const holding = await system.database.db
        .select({ id: reportRequests.requestId })
        .from(reportRequests)
        .where(eq(reportRequests.status, "processing"));
      victim.child.kill("SIGKILL");
      await victim.stop();
      kills.push({ at: Date.now(), holding: holding.map((h) => h.id) });
      system.workers[0] = await system.startWorker();
    }

    const deadline = Date.now() + 240_000;
    for (;;) {
      const counts = await statusCounts(system);
      if ((counts.done ?? 0) === REPORTS) break;
      if (Date.now() > deadline) throw new Error(`not all done: ${JSON.stringify(counts)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const elapsed = Date.now() - started;

    const rows = await system.database.db
      .select({
        id: reportRequests.requestId,
        status: reportRequests.status,
        completions: reportRequests.completions,
        attempts: reportRequests.attempts,
        updatedAt: reportRequests.updatedAt,
      })
      .from(reportRequests);
    expect(rows).toHaveLength(REPORTS);
    expect(rows.filter((r) => r.status !== "done")).toEqual([]);
    expect(rows.filter((r) => r.completions !== 1)).toEqual([]);
    const [objects] = await system.database.db
      .select({ n: sql<number>`count(distinct ${reportRequests.fileKey})` })
      .from(reportRequests);
    expect(Number(objects?.n)).toBe(REPORTS);
    await expect.poll(() => system.waiting(), { timeout: 10_000 }).toEqual({ work: 0, retry: 0, deadLettered: 0 });

    const recoveries = kills.flatMap((kill) =>
      kill.holding
        .map((id) => rows.find((r) => r.id === id))
        .filter((r) => r !== undefined && r.attempts > 1)
        .map((r) => (r?.updatedAt.getTime() ?? 0) - kill.at),
    );
    recoveries.sort((a, b) => a - b);
    const p95 = recoveries[Math.min(recoveries.length - 1, Math.floor(recoveries.length * 0.95))] ?? 0;
    console.info(
      JSON.stringify({
        reports: REPORTS,
        kills: KILLS,
        lost: REPORTS - rows.filter((r) => r.status === "done").length,
        duplicated: rows.filter((r) => r.completions > 1).length,
        stuck: rows.filter((r) => r.status === "processing").length,
        retriedAfterKill: recoveries.length,
        recoveryP95Ms: p95,
        elapsedMs: elapsed,
      }),
    );
  });
});
