/**
 * The operator dashboard's queries (lists read by key: first pages and pages deep in them; search by id prefix and
 * by owner/title text), and the relay's, the sweeper's and the retention's, on a table of millions of requests: fills
 * `report_requests` with generate_series (mostly `done`, 1 % `error`, 2 % `cancelled`, 0.1 % `queued`, over the
 * last N seconds), runs each query through the real repositories with a query logger, and prints the plan
 * PostgreSQL chose for each (`EXPLAIN (ANALYZE, BUFFERS)`), so you can see which use an index.
 *
 *   pnpm bench:admin-explain [rows]     (default 2000000)
 */
import { createAdminRepository, createReportRepository, createRetentionRepository } from "@reports/db";
import * as schema from "@reports/db/schema";
import { createTestDatabase } from "@reports/db/testing";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";

const rows = Number(process.argv[2] ?? 2_000_000);
const database = await createTestDatabase();
const client = postgres(database.url, { max: 1, onnotice: () => {} });
try {
  const started = Date.now();
  await client.unsafe(`ALTER TABLE report_requests DISABLE TRIGGER report_requests_events`);
  await client.unsafe(
    `INSERT INTO report_requests (owner, status, format, title, file_name, row_count, spec, error_type, error_message,
       created_at, updated_at, enqueued_at, started_at)
     SELECT 'owner-' || (i % 1000),
       (CASE WHEN i % 100 = 0 THEN 'error' WHEN i % 50 = 1 THEN 'cancelled' WHEN i % 1000 = 2 THEN 'queued'
        ELSE 'done' END)::report_status,
       'xlsx', 'Report ' || i, 'report.xlsx', 10, '{}'::jsonb,
       CASE WHEN i % 100 = 0 THEN 'RENDER_FAILED'::report_error_type END,
       CASE WHEN i % 100 = 0 THEN 'boom' END,
       now() - make_interval(secs => i), now() - make_interval(secs => i) + interval '2 seconds',
       now() - make_interval(secs => i), now() - make_interval(secs => i) + interval '1 second'
     FROM generate_series(1, $1::int) AS i`,
    [rows],
  );
  await client.unsafe(`ALTER TABLE report_requests ENABLE TRIGGER report_requests_events`);
  // as autovacuum leaves a table: statistics, and the visibility map index-only scans read
  await client.unsafe(`VACUUM ANALYZE report_requests`);
  console.log(`# ${rows.toLocaleString("en")} requests loaded and analyzed in ${Date.now() - started} ms\n`);

  const captured: Array<{ query: string; params: unknown[] }> = [];
  const db = drizzle(client, {
    schema,
    logger: { logQuery: (query, params) => captured.push({ query, params }) },
  });
  const admin = createAdminRepository(db);
  const repo = createReportRepository(db);
  const retention = createRetentionRepository(db);
  // a cursor deep in each list, as "next page" would bring after many pages (found once, with OFFSET, not explained)
  const deep = rows >> 1;
  const cursorAt = async (query: string) => {
    const [row] = await client.unsafe(query);
    return Buffer.from(JSON.stringify([row?.at, row?.id])).toString("base64url");
  };
  const at = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at`;
  const deepRequests = await cursorAt(
    `SELECT ${at("created_at")}, request_id as id FROM report_requests ORDER BY created_at DESC, request_id DESC OFFSET ${deep} LIMIT 1`,
  );
  const deepCancelled = await cursorAt(
    `SELECT ${at("created_at")}, request_id as id FROM report_requests WHERE status = 'cancelled' ORDER BY created_at DESC, request_id DESC OFFSET ${deep / 50} LIMIT 1`,
  );
  const deepFailed = await cursorAt(
    `SELECT ${at("updated_at")}, request_id as id FROM report_requests WHERE status = 'error' ORDER BY updated_at DESC, request_id DESC OFFSET ${deep / 100} LIMIT 1`,
  );
  const [someone] = await client.unsafe(`SELECT request_id::text as id FROM report_requests OFFSET ${deep} LIMIT 1`);
  const idPrefix = String(someone?.id).slice(0, 8);
  const cases: Array<[string, () => Promise<unknown>]> = [
    ["dashboard: counts by status", () => admin.countsByStatus()],
    ["dashboard: errors by type", () => admin.errorsByType()],
    ["dashboard: throughput, last 60 minutes", () => admin.throughput(60)],
    ["requests: first page, newest first", () => admin.requests({ pageSize: 25 })],
    [
      `requests: the page after row ${deep.toLocaleString("en")} (cursor)`,
      () => admin.requests({ pageSize: 25, cursor: deepRequests }),
    ],
    ["requests: by status", () => admin.requests({ status: "cancelled", pageSize: 25 })],
    [
      "requests: by status, a page deep in it (cursor)",
      () => admin.requests({ status: "cancelled", pageSize: 25, cursor: deepCancelled }),
    ],
    [`requests: search by id prefix "${idPrefix}"`, () => admin.requests({ search: idPrefix, pageSize: 25 })],
    [
      'requests: search owner/title "owner-42" (1.1 % of rows match)',
      () => admin.requests({ search: "owner-42", pageSize: 25 }),
    ],
    [
      'requests: search owner/title "Report 1234567" (a few rows match)',
      () => admin.requests({ search: "Report 1234567", pageSize: 25 }),
    ],
    [
      'requests: search owner/title "nothing like it" (no row matches)',
      () => admin.requests({ search: "nothing like it", pageSize: 25 }),
    ],
    ["dead letters: first page", () => admin.failed({ pageSize: 25 })],
    ["dead letters: a page deep in them (cursor)", () => admin.failed({ pageSize: 25, cursor: deepFailed })],
    ["dead letters: how many (counted up to 10,000)", () => admin.countFailed(10_000)],
    ["relay: unpublished", () => repo.takeUnpublished({ olderThanMs: 3_000, limit: 500 })],
    ["sweeper: stranded", () => repo.takeStranded({ staleAfterMs: 300_000, limit: 500 })],
    ["retention: files to expire", () => retention.finishedBefore({ before: new Date(0), limit: 500 })],
    [
      "retention: which stored inputs are referenced",
      () => retention.referencedInputs([`inputs/${idPrefix}`, "inputs/x"]),
    ],
  ];
  for (const [name, run] of cases) {
    captured.length = 0;
    await run();
    for (const { query, params } of captured) {
      const plan = await client.unsafe(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${query}`, params as never[]);
      console.log(`## ${name}\n${query}\n${plan.map((p) => `  ${p["QUERY PLAN"]}`).join("\n")}\n`);
    }
  }
} finally {
  await client.end();
  await database.drop();
}
