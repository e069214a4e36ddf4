import type { StoredInput } from "@reports/contracts";
import { and, eq, gt, inArray, isNotNull, lt, lte, or, sql } from "drizzle-orm";
import type { Database } from "./client";
import { type RequestSummary, requestSummaryColumns } from "./repository";
import { idempotencyKeys, jobLeases, reportRequests } from "./schema";

const r = reportRequests;

/** A request the retention job removes, with what it holds in object storage. */
export interface RemovedRequest {
  requestId: string;
  fileKey: string | null;
  input: StoredInput | null;
}

/**
 * What the retention job changes: files of old `done` requests expire, old finished requests go (with their
 * events, webhook deliveries and idempotency keys, by cascade), expired idempotency keys go. Every step takes at
 * most `limit` rows, so a run is a series of short statements; the cut-offs come from the caller's clock.
 */
export function createRetentionRepository(db: Database) {
  return {
    /**
     * `done` requests finished before `before` become `expired` (their file is to be removed); returns them with
     * their file key, which stays on the row until {@link fileRemoved}.
     */
    async expireFiles(options: { before: Date; now: Date; limit: number }): Promise<RequestSummary[]> {
      const due = db
        .select({ id: r.requestId })
        .from(r)
        .where(and(sql`${r.status} = 'done'`, lt(r.updatedAt, options.before)))
        .orderBy(r.updatedAt)
        .limit(options.limit)
        .for("update", { skipLocked: true });
      return db
        .update(r)
        .set({ status: "expired", expiredAt: options.now, version: sql`${r.version} + 1`, updatedAt: sql`now()` })
        .where(and(inArray(r.requestId, due), eq(r.status, "done")))
        .returning(requestSummaryColumns);
    },

    /**
     * `expired` requests whose file is still to be removed (just expired, or storage was down last run), by id
     * after `after`: a run walks them once, whatever storage answers.
     */
    async filesToRemove(options: {
      after: string | null;
      limit: number;
    }): Promise<Array<{ requestId: string; fileKey: string }>> {
      const rows = await db
        .select({ requestId: r.requestId, fileKey: r.fileKey })
        .from(r)
        .where(
          and(
            eq(r.status, "expired"),
            isNotNull(r.fileKey),
            options.after === null ? undefined : gt(r.requestId, options.after),
          ),
        )
        .orderBy(r.requestId)
        .limit(options.limit);
      return rows.flatMap((row) => (row.fileKey ? [{ requestId: row.requestId, fileKey: row.fileKey }] : []));
    },

    /** Forgets the file keys of `expired` requests whose file storage removed. */
    async fileRemoved(requestIds: readonly string[]): Promise<void> {
      if (requestIds.length === 0) return;
      await db
        .update(r)
        .set({ fileKey: null })
        .where(and(inArray(r.requestId, [...requestIds]), eq(r.status, "expired")));
    },

    /** Finished requests created before `before`: what {@link deleteRequests} removes, with their stored objects. */
    async finishedBefore(options: { before: Date; limit: number }): Promise<RemovedRequest[]> {
      return db
        .select({ requestId: r.requestId, fileKey: r.fileKey, input: r.input })
        .from(r)
        .where(and(sql`${r.status} in ('done', 'error', 'cancelled', 'expired')`, lt(r.createdAt, options.before)))
        .orderBy(r.createdAt)
        .limit(options.limit);
    },

    /** Deletes finished requests (and by cascade their events, webhook deliveries and idempotency keys). */
    async deleteRequests(requestIds: readonly string[]): Promise<number> {
      if (requestIds.length === 0) return 0;
      const deleted = await db
        .delete(r)
        .where(
          and(inArray(r.requestId, [...requestIds]), sql`${r.status} in ('done', 'error', 'cancelled', 'expired')`),
        )
        .returning({ requestId: r.requestId });
      return deleted.length;
    },

    /** Which of these stored-input prefixes (`inputs/…`) a request still references. */
    async referencedInputs(prefixes: readonly string[]): Promise<Set<string>> {
      if (prefixes.length === 0) return new Set();
      const prefix = sql<string>`${r.input} ->> 'prefix'`;
      const rows = await db
        .select({ prefix })
        .from(r)
        .where(and(isNotNull(r.input), inArray(prefix, [...prefixes])));
      return new Set(rows.map((row) => row.prefix));
    },

    /** Deletes up to `limit` idempotency keys that expired before `before`; how many. */
    async deleteExpiredKeys(options: { before: Date; limit: number }): Promise<number> {
      const k = idempotencyKeys;
      const due = db
        .select({ owner: k.owner, key: k.key })
        .from(k)
        .where(lt(k.expiresAt, options.before))
        .limit(options.limit);
      const deleted = await db.delete(k).where(sql`(${k.owner}, ${k.key}) in (${due})`).returning({ key: k.key });
      return deleted.length;
    },

    /**
     * Takes the lease `name` for `holder` for `ttlMs` if it is free, expired, or already `holder`'s: one runner
     * at a time across processes, and a runner that died frees it when the lease runs out. True when taken.
     */
    async takeLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
      const l = jobLeases;
      const until = sql`now() + make_interval(secs => ${ttlMs / 1000})`;
      const taken = await db
        .insert(l)
        .values({ name, holder, expiresAt: until })
        .onConflictDoUpdate({
          target: l.name,
          set: { holder, expiresAt: until },
          // `<=`: a lease given back in this clock tick is free (a coarse clock made `<` flaky on PGlite)
          setWhere: or(lte(l.expiresAt, sql`now()`), eq(l.holder, holder)),
        })
        .returning({ name: l.name });
      return taken.length === 1;
    },

    /** Gives the lease back, if `holder` still has it. */
    async releaseLease(name: string, holder: string): Promise<void> {
      await db
        .update(jobLeases)
        .set({ expiresAt: sql`now()` })
        .where(and(eq(jobLeases.name, name), eq(jobLeases.holder, holder)));
    },
  };
}

export type RetentionRepository = ReturnType<typeof createRetentionRepository>;
