import { execFile } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { sampleSpec } from "@reports/contracts/testing";
import { reportRequests } from "@reports/db/schema";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type System, startSystem } from "../support/system";

const run = promisify(execFile);
const REPORTS = 60;

describe("RabbitMQ restarted (stop_app / start_app) during a run", () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({ workers: 2 });
  });
  afterAll(async () => {
    // never leave the shared broker stopped
    await run("rabbitmqctl", ["start_app"]).catch(() => {});
    await system?.stop();
  });

  it("loses nothing and completes each report once", async () => {
    const ids = await Promise.all(
      Array.from({ length: REPORTS }, (_, i) =>
        system.submit(sampleSpec({ format: i % 3 === 0 ? "pdf" : "xlsx", rows: 10 })),
      ),
    );
    await expect
      .poll(
        async () => {
          const [done] = await system.database.db
            .select({ n: count() })
            .from(reportRequests)
            .where(eq(reportRequests.status, "done"));
          return done?.n ?? 0;
        },
        { timeout: 60_000, interval: 100 },
      )
      .toBeGreaterThan(5);

    await run("rabbitmqctl", ["stop_app"]);
    await sleep(3_000);
    await run("rabbitmqctl", ["start_app"]);
    await run("rabbitmqctl", ["await_startup"]);

    await expect
      .poll(
        async () => {
          const rows = await system.database.db
            .select({ status: reportRequests.status, n: count() })
            .from(reportRequests)
            .groupBy(reportRequests.status);
          return Object.fromEntries(rows.map((r) => [r.status, r.n]));
        },
        { timeout: 120_000, interval: 500 },
      )
      .toEqual({ done: REPORTS });
    const rows = await system.database.db.select({ completions: reportRequests.completions }).from(reportRequests);
    expect(rows.filter((r) => r.completions !== 1)).toEqual([]);
    expect(ids).toHaveLength(REPORTS);
  });
});
