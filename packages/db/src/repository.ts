import { randomUUID } from "node:crypto";
import type { ReportErrorType, ReportSpec, ReportWarning } from "@reports/contracts";
import { and, asc, eq, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "./client";
import { createIdempotent, hasIdempotencyKey, type IdempotencyKey } from "./idempotency";
import {
  type CreateOptions,
  createValues,
  enqueuedMarks,
  prepareComplete,
  prepareCreate,
  prepareFindStatus,
  type RequestSummary,
  requestSummaryColumns as summaryColumns,
} from "./request-statements";
import { type ReportRequestRow, reportRequests } from "./schema";
import { bump, claimable, claimChanges, preparedOnce } from "./transitions";

export { IdempotencyKeyReusedError } from "./idempotency";
export { type RequestSummary, requestSummaryColumns } from "./request-statements";

const r = reportRequests;

/** A request the relay or the sweeper took to publish: what its message needs. */
export interface RequestToPublish {
  requestId: string;
  attempts: number;
  status: ReportRequestRow["status"];
}

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

  return {
    /** Stores a new request as `queued`; a streamed report's rows are in `input`, not in its spec. */
    async create(spec: ReportSpec, options: CreateOptions = {}): Promise<RequestSummary> {
      const [row] = await preparedOnce(db, "reports_create", prepareCreate).execute(createValues(spec, options));
      if (!row) throw new Error("insert returned no row");
      return row;
    },

    /** {@link createIdempotent}: a new request under an idempotency key, or the one the key already made. */
    createIdempotent(
      spec: ReportSpec,
      options: IdempotencyKey & Omit<CreateOptions, "owner">,
    ): Promise<{ row: RequestSummary; replayed: boolean }> {
      return createIdempotent(db, createValues(spec, options), options);
    },

    hasIdempotencyKey: (owner: string, key: string) => hasIdempotencyKey(db, owner, key),

    /** The whole row, spec included: for tests and tools; status paths use {@link findStatus}. */
    async findById(requestId: string): Promise<ReportRequestRow | null> {
      const [row] = await db.select().from(r).where(eq(r.requestId, requestId)).limit(1);
      return row ?? null;
    },

    /** The request without its spec, input and secret: what a status read, the dashboard or a check needs. */
    async findStatus(requestId: string): Promise<RequestSummary | null> {
      const [row] = await preparedOnce(db, "reports_find_status", prepareFindStatus).execute({ requestId });
      return row ?? null;
    },

    /**
     * Takes a request that is `queued`, `error` (a replayed or duplicated message),
     * or `processing` with an expired lease (its worker died). Null when someone
     * else holds it or it is `done`.
     */
    async claim(requestId: string, options: { leaseMs: number; where?: SQL }): Promise<Claim | null> {
      const token = randomUUID();
      const [row] = await db
        .update(r)
        .set(claimChanges(token, options.leaseMs / 1000))
        // a further condition (the per-owner cap's), checked last: only of a row that is claimable
        .where(and(eq(r.requestId, requestId), claimable, options.where))
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

    /**
     * `done` with the file's key and what its render warned about; null when the claim was lost (another
     * worker's result stands).
     */
    async complete(
      claim: Claim,
      fileKey: string,
      warnings: readonly ReportWarning[] = [],
    ): Promise<RequestSummary | null> {
      const [row] = await preparedOnce(db, "reports_complete", prepareComplete).execute({
        requestId: claim.row.requestId,
        token: claim.token,
        fileKey,
        warnings: warnings.length > 0 ? JSON.stringify(warnings) : null,
      });
      return row ?? null;
    },

    /** `error` with its type and message; null when the claim was lost. */
    async fail(claim: Claim, errorType: ReportErrorType, errorMessage: string): Promise<RequestSummary | null> {
      const [row] = await db
        .update(r)
        .set({
          status: "error",
          errorType,
          errorMessage,
          lastErrorType: errorType,
          lastErrorMessage: errorMessage,
          claimToken: null,
          leaseExpiresAt: null,
          ...bump,
        })
        .where(heldBy(claim))
        .returning(summaryColumns);
      return row ?? null;
    },

    /**
     * Gives the request back as `queued` for another attempt, keeping the failure (if any) for diagnosis;
     * null when the claim was lost.
     */
    async release(
      claim: Claim,
      lastError: { type: ReportErrorType; message: string } | null,
    ): Promise<RequestSummary | null> {
      const [row] = await db
        .update(r)
        .set({
          status: "queued",
          claimToken: null,
          leaseExpiresAt: null,
          enqueuedAt: sql`now()`,
          ...(lastError ? { lastErrorType: lastError.type, lastErrorMessage: lastError.message } : {}),
          ...bump,
        })
        .where(heldBy(claim))
        .returning(summaryColumns);
      return row ?? null;
    },

    /**
     * `cancelled`, from `queued` or `processing` (its worker's claim is dropped: renewal and completion then fail,
     * and the worker stops). Only `owner`'s request unless null (an operator). Null when there was nothing to
     * cancel: look the request up to tell unknown from already final.
     */
    async cancel(requestId: string, owner: string | null): Promise<RequestSummary | null> {
      const [row] = await db
        .update(r)
        .set({ status: "cancelled", claimToken: null, leaseExpiresAt: null, ...bump })
        .where(
          and(
            eq(r.requestId, requestId),
            inArray(r.status, ["queued", "processing"]),
            ...(owner === null ? [] : [eq(r.owner, owner)]),
          ),
        )
        .returning(summaryColumns);
      return row ?? null;
    },

    /** Puts a request in `error` back to `queued` with fresh attempts (dead-letter replay); null if it is not in `error`. */
    async requeueFailed(requestId: string): Promise<RequestSummary | null> {
      const [row] = await db
        .update(r)
        .set({ status: "queued", attempts: 0, errorType: null, errorMessage: null, enqueuedAt: sql`now()`, ...bump })
        .where(and(eq(r.requestId, requestId), eq(r.status, "error")))
        .returning(summaryColumns);
      return row ?? null;
    },

    /** Which of these requests are in `error`. */
    async failedAmong(requestIds: readonly string[]): Promise<ReadonlySet<string>> {
      if (requestIds.length === 0) return new Set();
      const rows = await db
        .select({ requestId: r.requestId })
        .from(r)
        .where(and(inArray(r.requestId, [...requestIds]), eq(r.status, "error")));
      return new Set(rows.map((row) => row.requestId));
    },

    /** Ids of requests in `error`, oldest failure first. */
    async listFailed(limit = 1_000): Promise<Array<{ requestId: string }>> {
      return db
        .select({ requestId: r.requestId })
        .from(r)
        .where(eq(r.status, "error"))
        .orderBy(asc(r.updatedAt))
        .limit(limit);
    },

    /**
     * The relay's batch: `queued` requests stored more than `olderThanMs` ago whose message no broker confirmed
     * (the publish after the insert failed or timed out). Marks them enqueued in the same statement, so
     * concurrent relays take disjoint batches; publish them afterwards, outside any transaction.
     */
    async takeUnpublished(options: { olderThanMs: number; limit: number }): Promise<RequestToPublish[]> {
      const due = db
        .select({ id: r.requestId })
        .from(r)
        .where(
          and(
            // literals, not parameters: a generic plan must still see the partial index's predicate
            sql`${r.enqueuedAt} is null and ${r.status} = 'queued'`,
            lt(r.createdAt, sql`now() - make_interval(secs => ${options.olderThanMs / 1000})`),
          ),
        )
        .orderBy(asc(r.createdAt))
        .limit(options.limit)
        .for("update", { skipLocked: true });
      return db
        .update(r)
        .set({ enqueuedAt: sql`now()` })
        .where(and(inArray(r.requestId, due), isNull(r.enqueuedAt), eq(r.status, "queued")))
        .returning({ requestId: r.requestId, attempts: r.attempts, status: r.status });
    },

    /**
     * The sweeper's batch: requests no message will bring to a worker, `queued` with no publish for
     * `staleAfterMs` (a message lost) or `processing` with an expired lease and no publish since (the worker
     * died), but not a parked request whose owner still has a report rendering (that render's end publishes it).
     * Marks them enqueued in the same statement (one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)
     * RETURNING`); publish them afterwards, outside any transaction.
     */
    async takeStranded(options: { staleAfterMs: number; limit: number }): Promise<RequestToPublish[]> {
      const stranded = and(
        lt(r.enqueuedAt, sql`now() - make_interval(secs => ${options.staleAfterMs / 1000})`),
        sql`${r.status} in ('queued', 'processing')`,
        or(sql`${r.status} = 'queued'`, lt(r.leaseExpiresAt, sql`now()`)),
        // a parked request waits for its owner's running report, unless that one's worker died
        or(
          isNull(r.parkedAt),
          sql`not exists (select 1 from ${r} as running where running.owner = ${r.owner}
            and running.status = 'processing' and running.lease_expires_at > now())`,
        ),
      );
      const due = db
        .select({ id: r.requestId })
        .from(r)
        .where(stranded)
        .orderBy(asc(r.enqueuedAt))
        .limit(options.limit)
        .for("update", { skipLocked: true });
      return db
        .update(r)
        .set({ enqueuedAt: sql`now()`, parkedAt: null })
        .where(and(inArray(r.requestId, due), stranded))
        .returning({ requestId: r.requestId, attempts: r.attempts, status: r.status });
    },

    /**
     * Records that a message for the request was just published (the broker confirmed it). Marks made within a
     * couple of milliseconds of each other are one statement (an API under load publishes many at once).
     */
    markEnqueued(requestId: string): Promise<void> {
      return preparedOnce(db, "enqueued_marks", enqueuedMarks).load(requestId);
    },

    /** Gives `queued` requests whose publish failed back to the relay. */
    async markUnpublished(requestIds: readonly string[]): Promise<void> {
      if (requestIds.length === 0) return;
      await db
        .update(r)
        .set({ enqueuedAt: null })
        .where(and(inArray(r.requestId, [...requestIds]), eq(r.status, "queued")));
    },

    /** Throws when the database cannot be reached. */
    async ping(): Promise<void> {
      await db.select({ one: sql`1` }).from(sql`(select 1) as one`);
    },
  };
}

export type ReportRepository = ReturnType<typeof createReportRepository>;

function heldBy(claim: Claim) {
  return and(eq(r.requestId, claim.row.requestId), eq(r.status, "processing"), eq(r.claimToken, claim.token));
}
