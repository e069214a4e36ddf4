import { and, asc, eq, gt, inArray, isNotNull, ne, sql } from "drizzle-orm";
import type { Database } from "./client";
import { type Claim, createReportRepository, type RequestToPublish } from "./repository";
import { reportRequests } from "./schema";

const r = reportRequests;

/**
 * The owner of every request when the API runs without authentication: one tenant, with nobody to be fair to,
 * so its renders are not capped.
 */
export const ANONYMOUS_OWNER = "anonymous";

/** The first key of the per-owner advisory locks (the second is the owner's hash): "RP". */
const LOCK_SPACE = 0x5250;

/**
 * The per-owner cap on reports rendering at once, kept in PostgreSQL so it holds across every worker:
 * a claim counts the owner's live claims under a per-owner advisory lock (so two workers cannot both take the
 * owner's last slot), and a request whose owner is at the cap is *parked* instead of claimed: its message is
 * acked and the owner's next render to end publishes it again ({@link unparkNext}). A parked request is never
 * retried, never counts as an attempt and never loops through the broker.
 *
 * @example
 * const cap = createOwnerCap(db);
 * const claim = await cap.claimOrPark(requestId, { leaseMs: 60_000, maxRunningPerOwner: 1 });
 * if (claim === "parked") return; // the owner's running report will bring it back
 */
export function createOwnerCap(db: Database) {
  /** Holds the owner's lock until the transaction ends. */
  const lockOwner = (tx: Database, owner: string) =>
    tx.execute(sql`select pg_advisory_xact_lock(${LOCK_SPACE}, hashtext(${owner}))`);

  /** The owner's live claims (an expired lease is a dead worker's: it no longer counts). */
  async function running(tx: Database, owner: string, except?: string): Promise<number> {
    const [row] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(r)
      .where(
        and(
          eq(r.owner, owner),
          eq(r.status, "processing"),
          gt(r.leaseExpiresAt, sql`now()`),
          ...(except ? [ne(r.requestId, except)] : []),
        ),
      );
    return row?.n ?? 0;
  }

  return {
    /**
     * Claims the request as {@link createReportRepository}'s `claim` does when its owner has fewer than
     * `maxRunningPerOwner` live claims; parks it (`"parked"`) when the owner is at the cap and it is `queued`;
     * null when it is not claimable. The anonymous owner is not capped.
     */
    async claimOrPark(
      requestId: string,
      options: { leaseMs: number; maxRunningPerOwner: number },
    ): Promise<Claim | "parked" | null> {
      const [target] = await db.select({ owner: r.owner }).from(r).where(eq(r.requestId, requestId)).limit(1);
      if (!target) return null;
      if (target.owner === ANONYMOUS_OWNER) {
        return createReportRepository(db).claim(requestId, { leaseMs: options.leaseMs });
      }
      return db.transaction(async (tx) => {
        const t = tx as unknown as Database;
        await lockOwner(t, target.owner);
        if ((await running(t, target.owner, requestId)) < options.maxRunningPerOwner) {
          return createReportRepository(t).claim(requestId, { leaseMs: options.leaseMs });
        }
        const parked = await t
          .update(r)
          .set({ parkedAt: sql`now()` })
          .where(and(eq(r.requestId, requestId), eq(r.status, "queued")))
          .returning({ requestId: r.requestId });
        return parked.length > 0 ? "parked" : null;
      });
    },

    /**
     * Takes the owner's oldest parked requests, as many as the owner has free slots under the cap, and marks
     * them enqueued (publish them afterwards; give a failed publish back with `markUnpublished`). Under the
     * owner's lock, so a request parked at the same moment is seen here or was claimed instead.
     */
    async unparkNext(owner: string, options: { maxRunningPerOwner: number }): Promise<RequestToPublish[]> {
      if (owner === ANONYMOUS_OWNER) return [];
      return db.transaction(async (tx) => {
        const t = tx as unknown as Database;
        await lockOwner(t, owner);
        const free = options.maxRunningPerOwner - (await running(t, owner));
        if (free <= 0) return [];
        const next = t
          .select({ id: r.requestId })
          .from(r)
          .where(and(eq(r.owner, owner), isNotNull(r.parkedAt), eq(r.status, "queued")))
          .orderBy(asc(r.createdAt))
          .limit(free);
        return t
          .update(r)
          .set({ parkedAt: null, enqueuedAt: sql`now()` })
          .where(and(inArray(r.requestId, next), isNotNull(r.parkedAt), eq(r.status, "queued")))
          .returning({ requestId: r.requestId, attempts: r.attempts, status: r.status });
      });
    },
  };
}

export type OwnerCap = ReturnType<typeof createOwnerCap>;
