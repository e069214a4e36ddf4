import {
  ADMIN_TEXT_SEARCH_MIN,
  type AdminHistoryEntry,
  type AdminPage,
  type AdminRequest,
  isFinal,
  type ReportErrorType,
  type ReportState,
  reportState,
  type ThroughputMinute,
  WORKER_ALIVE_SECONDS,
  type WorkerHeartbeat,
} from "@reports/contracts";
import { and, asc, between, count, desc, eq, gt, ilike, inArray, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "./client";
import { type RequestSummary, requestSummaryColumns } from "./repository";
import { reportEvents, reportRequests, workerHeartbeats } from "./schema";

const r = reportRequests;

const ms = (from: Date | null, to: Date | null) => (from && to ? Math.max(0, to.getTime() - from.getTime()) : null);

/** A request as the dashboard lists it: no spec, no secrets. */
export function toAdminRequest(row: RequestSummary): AdminRequest {
  return {
    requestId: row.requestId,
    owner: row.owner,
    format: row.format,
    title: row.title,
    rowCount: row.rowCount,
    status: row.status,
    attempts: row.attempts,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    waitMs: ms(row.createdAt, row.firstStartedAt),
    renderMs: isFinal(row.status) ? ms(row.startedAt, row.updatedAt) : null,
    error: row.errorType ? { type: row.errorType, message: row.errorMessage ?? "" } : null,
    lastError:
      row.status !== "done" && row.lastErrorType
        ? { type: row.lastErrorType, message: row.lastErrorMessage ?? "" }
        : null,
  };
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Where a page ended: the last row's `created_at` (or `updated_at`) to the microsecond, and its id. */
export interface AdminCursor {
  at: string;
  id: string;
}

const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const encodeCursor = (cursor: AdminCursor) => Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString("base64url");

/** The position a `nextCursor` names, or null when it is not one of ours (a client's mistake: a 400). */
export function parseAdminCursor(cursor: string): AdminCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [at, id] = value as unknown[];
    if (typeof at !== "string" || typeof id !== "string" || !CURSOR_AT.test(at) || !UUID.test(id)) return null;
    return { at, id };
  } catch {
    return null;
  }
}

/** A timestamp as text to the microsecond (a JavaScript Date keeps milliseconds: a cursor must not lose rows). */
const exactly = (column: SQL | typeof r.createdAt) =>
  sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The owner and the title as the trigram index `report_requests_search_idx` holds them. */
const searchText = sql`(${r.owner} || ' ' || ${r.title})`;

/**
 * What a search matches, each through an index: an id starting with it (a range of the primary key) when it is
 * hex digits and dashes, and an owner or title containing it (trigrams) when it is long enough.
 */
function searchCondition(search: string): SQL {
  const conditions: SQL[] = [];
  const hex = search.replaceAll("-", "").toLowerCase();
  if (/^[0-9a-f]{1,32}$/.test(hex)) {
    const uuid = (h: string) =>
      `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    conditions.push(between(r.requestId, uuid(hex.padEnd(32, "0")), uuid(hex.padEnd(32, "f"))));
  }
  if (search.length >= ADMIN_TEXT_SEARCH_MIN) conditions.push(ilike(searchText, `%${escapeLike(search)}%`));
  return or(...conditions) ?? sql`false`;
}

/**
 * What the operator dashboard reads from PostgreSQL: counts, the last hour's throughput and render times,
 * requests by search, one request's history, workers alive. Read-only: changes go through the report
 * repository, like every other transition. Lists are read by key (`(time, id) < cursor`, newest first) through
 * an index that has that order, so a page costs the same at row 25 and at row 10 million, and nothing counts the
 * whole table.
 */
export function createAdminRepository(db: Database) {
  async function page(
    where: SQL | undefined,
    at: typeof r.createdAt | typeof r.updatedAt,
    options: { cursor?: string | undefined; pageSize: number },
  ): Promise<AdminPage<AdminRequest>> {
    const after = options.cursor === undefined ? null : parseAdminCursor(options.cursor);
    if (options.cursor !== undefined && !after) throw new Error("malformed admin cursor");
    const rows = await db
      .select({ ...requestSummaryColumns, cursorAt: exactly(sql`${at}`) })
      .from(r)
      .where(
        and(where, after ? sql`(${at}, ${r.requestId}) < (${after.at}::timestamptz, ${after.id}::uuid)` : undefined),
      )
      .orderBy(desc(at), desc(r.requestId))
      .limit(options.pageSize + 1);
    const items = rows.slice(0, options.pageSize);
    const last = items.at(-1);
    return {
      items: items.map(toAdminRequest),
      nextCursor:
        rows.length > options.pageSize && last ? encodeCursor({ at: last.cursorAt, id: last.requestId }) : null,
    };
  }

  return {
    /**
     * Requests by status (every status present, 0 when none). Exact up to `exactUpTo` requests (the planner's
     * row estimate); past it, the final states come from the planner's statistics (`pg_stats`, kept by
     * autovacuum's ANALYZE) instead of a scan of the whole table, while `queued` and `processing` stay exact
     * (few rows, through the in-flight index).
     */
    async countsByStatus(
      options: { exactUpTo?: number } = {},
    ): Promise<{ counts: Record<ReportState, number>; estimated: boolean }> {
      const counts = Object.fromEntries(reportState.options.map((s) => [s, 0])) as Record<ReportState, number>;
      const [table] = await db
        .select({ rows: sql<number>`reltuples::float8` })
        .from(sql`pg_class`)
        .where(sql`oid = 'report_requests'::regclass`);
      const [stats] = await db
        .select({ values: sql<string[]>`most_common_vals::text::text[]`, freqs: sql<number[]>`most_common_freqs` })
        .from(sql`pg_stats`)
        .where(sql`schemaname = current_schema() and tablename = 'report_requests' and attname = 'status'`);
      const total = Number(table?.rows ?? 0);
      if (total <= (options.exactUpTo ?? 1_000_000) || !stats?.values || !stats.freqs) {
        const rows = await db.select({ status: r.status, n: count() }).from(r).groupBy(r.status);
        for (const row of rows) counts[row.status] = row.n;
        return { counts, estimated: false };
      }
      stats.values.forEach((value, i) => {
        const state = reportState.safeParse(value);
        if (state.success) counts[state.data] = Math.round(Number(stats.freqs[i] ?? 0) * total);
      });
      const active = await db
        .select({ status: r.status, n: count() })
        .from(r)
        .where(sql`${r.status} in ('queued', 'processing')`)
        .groupBy(r.status);
      counts.queued = 0;
      counts.processing = 0;
      for (const row of active) counts[row.status] = row.n;
      return { counts, estimated: true };
    },

    /** Requests in `error` by error type, most first. */
    async errorsByType(): Promise<Array<{ type: ReportErrorType; count: number }>> {
      const rows = await db
        .select({ type: r.errorType, n: count() })
        .from(r)
        .where(eq(r.status, "error"))
        .groupBy(r.errorType)
        .orderBy(desc(count()));
      return rows.flatMap((row) => (row.type ? [{ type: row.type, count: row.n }] : []));
    },

    /** Workers whose last heartbeat is recent, by host and pid. */
    async workersAlive(): Promise<WorkerHeartbeat[]> {
      const rows = await db
        .select()
        .from(workerHeartbeats)
        .where(gt(workerHeartbeats.lastSeenAt, sql`now() - make_interval(secs => ${WORKER_ALIVE_SECONDS})`))
        .orderBy(asc(workerHeartbeats.host), asc(workerHeartbeats.pid));
      return rows.map((w) => ({
        id: w.id,
        host: w.host,
        pid: w.pid,
        concurrency: w.concurrency,
        inFlight: w.inFlight,
        startedAt: w.startedAt.toISOString(),
        lastSeenAt: w.lastSeenAt.toISOString(),
      }));
    },

    /**
     * Reports that ended in each of the last `minutes` minutes, by outcome, with the render time (last claim →
     * done) percentiles of those done; oldest first, every minute present.
     */
    async throughput(minutes: number): Promise<ThroughputMinute[]> {
      const minute = sql<Date>`date_trunc('minute', ${r.updatedAt})`;
      const renderMs = sql`extract(epoch from (${r.updatedAt} - ${r.startedAt})) * 1000`;
      const since = sql`date_trunc('minute', now()) - make_interval(mins => ${minutes - 1})`;
      const [rows, [clock]] = await Promise.all([
        db
          .select({
            minute,
            done: sql<number>`count(*) filter (where ${r.status} = 'done')::int`,
            error: sql<number>`count(*) filter (where ${r.status} = 'error')::int`,
            cancelled: sql<number>`count(*) filter (where ${r.status} = 'cancelled')::int`,
            p50: sql<
              number | null
            >`percentile_cont(0.5) within group (order by ${renderMs}) filter (where ${r.status} = 'done')`,
            p95: sql<
              number | null
            >`percentile_cont(0.95) within group (order by ${renderMs}) filter (where ${r.status} = 'done')`,
          })
          .from(r)
          .where(and(inArray(r.status, ["done", "error", "cancelled"]), sql`${r.updatedAt} >= ${since}`))
          .groupBy(minute),
        db.select({ start: sql<string>`(${since})::text` }).from(sql`(select 1) as one`),
      ]);
      const byMinute = new Map(rows.map((row) => [new Date(row.minute).getTime(), row]));
      const start = new Date(clock?.start ?? Date.now()).getTime();
      return Array.from({ length: minutes }, (_, i) => {
        const at = start + i * 60_000;
        const row = byMinute.get(at);
        const round = (v: number | string | null | undefined) =>
          v === null || v === undefined ? null : Math.round(Number(v));
        return {
          minute: new Date(at).toISOString(),
          done: Number(row?.done ?? 0),
          error: Number(row?.error ?? 0),
          cancelled: Number(row?.cancelled ?? 0),
          renderP50Ms: round(row?.p50),
          renderP95Ms: round(row?.p95),
        };
      });
    },

    /**
     * Requests, newest first, in `status`, matching `search` (an id prefix, or part of the owner or title: see
     * {@link searchCondition}), the page after `cursor`.
     */
    async requests(options: {
      search?: string | undefined;
      status?: ReportState | undefined;
      cursor?: string | undefined;
      pageSize: number;
    }): Promise<AdminPage<AdminRequest>> {
      const where = and(
        options.status ? eq(r.status, options.status) : undefined,
        options.search ? searchCondition(options.search) : undefined,
      );
      return page(where, r.createdAt, options);
    },

    /** Requests in `error` (what the dead-letter queue holds, as the database sees it), latest failure first. */
    async failed(options: { cursor?: string | undefined; pageSize: number }): Promise<AdminPage<AdminRequest>> {
      return page(eq(r.status, "error"), r.updatedAt, options);
    },

    /** Requests in `error`, counted up to `cap` (an index-only scan of at most that many entries). */
    async countFailed(cap: number): Promise<{ count: number; capped: boolean }> {
      const capped = db
        .select({ one: sql`1` })
        .from(r)
        .where(eq(r.status, "error"))
        .limit(cap + 1);
      const [row] = await db.select({ n: count() }).from(capped.as("capped"));
      const n = row?.n ?? 0;
      return { count: Math.min(n, cap), capped: n > cap };
    },

    /** Every request id in `error`, oldest failure first. */
    async failedIds(limit = 100_000): Promise<string[]> {
      const rows = await db
        .select({ id: r.requestId })
        .from(r)
        .where(eq(r.status, "error"))
        .orderBy(asc(r.updatedAt))
        .limit(limit);
      return rows.map((row) => row.id);
    },

    /** The statuses a request went through, oldest first. */
    async history(requestId: string): Promise<AdminHistoryEntry[]> {
      const rows = await db
        .select()
        .from(reportEvents)
        .where(eq(reportEvents.requestId, requestId))
        .orderBy(asc(reportEvents.id));
      return rows.map((e) => ({
        status: e.status,
        attempt: e.attempt,
        at: e.at.toISOString(),
        error: e.errorType ? { type: e.errorType, message: e.errorMessage ?? "" } : null,
      }));
    },
  };
}
export type AdminRepository = ReturnType<typeof createAdminRepository>;

/**
 * A worker's heartbeat: `beat` upserts its row (call it every few seconds), `remove` deletes it on a clean stop.
 */
export function createWorkerRegistry(db: Database) {
  const w = workerHeartbeats;
  return {
    async beat(worker: { id: string; host: string; pid: number; concurrency: number; inFlight: number }) {
      await db
        .insert(w)
        .values(worker)
        .onConflictDoUpdate({ target: w.id, set: { inFlight: worker.inFlight, lastSeenAt: sql`now()` } });
    },
    async remove(id: string) {
      await db.delete(w).where(eq(w.id, id));
    },
    /** Deletes workers not seen for `olderThanSeconds` (a crashed worker never removes itself). */
    async prune(olderThanSeconds: number) {
      await db.delete(w).where(sql`${w.lastSeenAt} < now() - make_interval(secs => ${olderThanSeconds})`);
    },
  };
}
export type WorkerRegistry = ReturnType<typeof createWorkerRegistry>;
