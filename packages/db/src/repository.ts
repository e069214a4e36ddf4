import { randomUUID } from "node:crypto";
import { type CachedStatus, downloadName, type ReportErrorType, type ReportSpec, rowCount } from "@reports/contracts";
import { and, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Database } from "./client";
import { type ReportRequestRow, reportRequests } from "./schema";

const r = reportRequests;

/** A claim the worker holds on one request until it completes, fails or the lease expires. */
export interface Claim {
  row: ReportRequestRow;
  token: string;
}

/**
 * The only code that changes `report_requests`. Every transition is one
 * conditional `UPDATE … RETURNING` (compare-and-set), never read-then-write,
 * so two workers can never both win.
 */
export function createReportRepository(db: Database) {
  const leaseUntil = (leaseMs: number) => sql`now() + make_interval(secs => ${leaseMs / 1000})`;
  const bump = { version: sql`${r.version} + 1`, updatedAt: sql`now()` };

  return {
    /** Stores a new request as `queued`. */
    async create(spec: ReportSpec): Promise<ReportRequestRow> {
      const [row] = await db
        .insert(r)
        .values({
          format: spec.format,
          title: spec.title,
          fileName: downloadName(spec),
          rowCount: rowCount(spec),
          spec,
        })
        .returning();
      if (!row) throw new Error("insert returned no row");
      return row;
    },

    async findById(requestId: string): Promise<ReportRequestRow | null> {
      const [row] = await db.select().from(r).where(eq(r.requestId, requestId)).limit(1);
      return row ?? null;
    },

    /**
     * Takes a request that is `queued`, `error` (a replayed or duplicated message),
     * or `processing` with an expired lease (its worker died). Null when someone
     * else holds it or it is `done`.
     */
    async claim(requestId: string, options: { leaseMs: number }): Promise<Claim | null> {
      const token = randomUUID();
      const [row] = await db
        .update(r)
        .set({
          status: "processing",
          claimToken: token,
          leaseExpiresAt: leaseUntil(options.leaseMs),
          attempts: sql`${r.attempts} + 1`,
          errorType: null,
          errorMessage: null,
          ...bump,
        })
        .where(
          and(
            eq(r.requestId, requestId),
            or(
              inArray(r.status, ["queued", "error"]),
              and(eq(r.status, "processing"), lt(r.leaseExpiresAt, sql`now()`)),
            ),
          ),
        )
        .returning();
      return row ? { row, token } : null;
    },

    /** Extends the lease while the holder still has it; false when the claim was lost. */
    async renew(claim: Claim, options: { leaseMs: number }): Promise<boolean> {
      const rows = await db
        .update(r)
        .set({ leaseExpiresAt: leaseUntil(options.leaseMs) })
        .where(heldBy(claim))
        .returning({ requestId: r.requestId });
      return rows.length === 1;
    },

    /** `done` with the file's key; null when the claim was lost (another worker's result stands). */
    async complete(claim: Claim, fileKey: string): Promise<ReportRequestRow | null> {
      const [row] = await db
        .update(r)
        .set({ status: "done", fileKey, claimToken: null, leaseExpiresAt: null, ...bump })
        .where(heldBy(claim))
        .returning();
      return row ?? null;
    },

    /** `error` with its type and message; null when the claim was lost. */
    async fail(claim: Claim, errorType: ReportErrorType, errorMessage: string): Promise<ReportRequestRow | null> {
      const [row] = await db
        .update(r)
        .set({ status: "error", errorType, errorMessage, claimToken: null, leaseExpiresAt: null, ...bump })
        .where(heldBy(claim))
        .returning();
      return row ?? null;
    },
  };
}

export type ReportRepository = ReturnType<typeof createReportRepository>;

function heldBy(claim: Claim) {
  return and(eq(r.requestId, claim.row.requestId), eq(r.status, "processing"), eq(r.claimToken, claim.token));
}

/** The status as clients and the cache see it (without the download URL, which is signed per read). */
export function toCachedStatus(row: ReportRequestRow): CachedStatus {
  return {
    requestId: row.requestId,
    status: row.status,
    report: { format: row.format, title: row.title, fileName: row.fileName, rowCount: row.rowCount },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    error: row.status === "error" && row.errorType ? { type: row.errorType, message: row.errorMessage ?? "" } : null,
    fileKey: row.status === "done" ? row.fileKey : null,
    version: row.version,
  };
}
