import { sampleSpec } from "@reports/contracts/testing";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "./client";
import { createReportRepository } from "./repository";
import { createTestDatabase } from "./testing";

const database = await createTestDatabase();
afterAll(() => database.drop());

/** The statements this connection has prepared whose text starts with `start`. */
async function prepared(db: ReturnType<typeof createDb>["db"], start: string): Promise<number> {
  const rows = (await db.execute(
    sql`select count(*)::int as n from pg_prepared_statements where statement like ${`${start}%`}`,
  )) as unknown as Array<{ n: number }>;
  return rows[0]?.n ?? 0;
}

describe("the PostgreSQL client", () => {
  it("runs drizzle's queries as prepared statements, each prepared once per connection, in transactions too", async () => {
    // one connection: the session the statements are prepared in is the one asked
    const handle = createDb(database.url, { maxConnections: 1 });
    try {
      const repo = createReportRepository(handle.db);
      for (let i = 0; i < 3; i++) {
        const row = await repo.create(sampleSpec({ rows: 2 }), { owner: "prepared" });
        await repo.markEnqueued(row.requestId);
      }
      expect(await prepared(handle.db, 'insert into "report_requests"')).toBe(1);
      expect(await prepared(handle.db, 'update "report_requests" set "enqueued_at"')).toBe(1);

      for (let i = 0; i < 3; i++) {
        const created = await repo.createIdempotent(sampleSpec({ rows: 2 }), {
          owner: "prepared",
          key: `k-${i}`,
          bodyHash: "h",
          ttlMs: 60_000,
        });
        expect(created.replayed).toBe(false);
      }
      // the key's claim and the request's insert: one statement
      expect(await prepared(handle.db, 'with "claimed" as (insert into "idempotency_keys"')).toBe(1);

      for (let i = 0; i < 3; i++) {
        await handle.db.transaction((tx) =>
          createReportRepository(tx as unknown as typeof handle.db).create(sampleSpec(), { owner: "in-tx" }),
        );
      }
      expect(await prepared(handle.db, 'insert into "report_requests"')).toBe(1);
    } finally {
      await handle.close();
    }
  });
});
