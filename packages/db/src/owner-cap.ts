import { randomUUID } from "node:crypto";
import { and, eq, type Placeholder, sql } from "drizzle-orm";
import type { Database } from "./client";
import { type Claim, createReportRepository, type RequestToPublish } from "./repository";
import { reportRequests } from "./schema";
import { claimable, claimChanges, preparedOnce } from "./transitions";

const r = reportRequests;

/**
 * The owner of every request when the API runs without authentication: one tenant, with nobody to be fair to,
 * so its renders are not capped.
 */
export const ANONYMOUS_OWNER = "anonymous";

/** The first key of the per-owner advisory locks (the second is the owner's hash): "RP", as in migration 0012. */
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
  return {
    /**
     * Claims the request as {@link createReportRepository}'s `claim` does when its owner has fewer than
     * `maxRunningPerOwner` live claims; parks it (`"parked"`) when the owner is at the cap and it is `queued`;
     * null when it is not claimable. The anonymous owner is not capped. One round trip when it claims (the cap is
     * checked in the claim's own statement, migration 0012); a transaction when it parks.
     */
    async claimOrPark(
      requestId: string,
      options: { leaseMs: number; maxRunningPerOwner: number },
    ): Promise<Claim | "parked" | null> {
      const { leaseMs, maxRunningPerOwner: max } = options;
      const where = slotFree(max);
      const token = randomUUID();
      const [row] = await preparedOnce(db, "reports_claim_capped", prepareCappedClaim).execute({
        requestId,
        token,
        leaseSeconds: leaseMs / 1000,
        max,
      });
      if (row) return { row, token };
      // refused: at the cap, or not claimable. Decide under the owner's lock, held to the end of a transaction, so
      // no claim of the owner comes between; a render that ends meanwhile frees a slot, and then the claim is taken
      return db.transaction(async (tx) => {
        const t = tx as unknown as Database;
        await t.execute(
          sql`select pg_advisory_xact_lock(${LOCK_SPACE}, hashtext(${r.owner})) from ${r} where ${r.requestId} = ${requestId}`,
        );
        for (let attempt = 0; attempt < 3; attempt++) {
          const claim = await createReportRepository(t).claim(requestId, { leaseMs, where });
          if (claim) return claim;
          const parked = await t.execute(
            sql`select reports_park_if_full(${requestId}, ${max}, ${ANONYMOUS_OWNER}) as outcome`,
          );
          const outcome = rowsOf<{ outcome: "parked" | "free" | "gone" }>(parked)[0]?.outcome;
          if (outcome !== "free") return outcome === "parked" ? "parked" : null;
        }
        return null;
      });
    },

    /**
     * Takes the owner's oldest parked requests, as many as the owner has free slots under the cap, and marks
     * them enqueued (publish them afterwards; give a failed publish back with `markUnpublished`). Under the
     * owner's lock, so a request parked at the same moment is seen here or was claimed instead. One round trip.
     */
    async unparkNext(owner: string, options: { maxRunningPerOwner: number }): Promise<RequestToPublish[]> {
      if (owner === ANONYMOUS_OWNER) return [];
      const taken = await db.execute(
        sql`select * from reports_unpark(${owner}, ${options.maxRunningPerOwner}, ${ANONYMOUS_OWNER})`,
      );
      return rowsOf<{ taken_id: string; taken_attempts: number; taken_status: RequestToPublish["status"] }>(taken).map(
        (row) => ({ requestId: row.taken_id, attempts: row.taken_attempts, status: row.taken_status }),
      );
    },
  };
}

export type OwnerCap = ReturnType<typeof createOwnerCap>;

/** Whether the row's owner may start one more render (migration 0012); a claim's last condition. */
const slotFree = (max: number | Placeholder) =>
  sql`reports_owner_slot_free(${r.owner}, ${r.requestId}, ${max}, ${ANONYMOUS_OWNER})`;

/** Rows of a raw query, from either driver (postgres.js gives an array, PGlite `{ rows }`). */
const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as { rows: T[] }).rows);

/** The claim of a request whose owner is under the cap, as a prepared statement (every report runs it). */
function prepareCappedClaim(db: Database, name: string) {
  const p = sql.placeholder;
  return db
    .update(r)
    .set(claimChanges(p("token"), p("leaseSeconds")))
    .where(and(eq(r.requestId, sql`${p("requestId")}`), claimable, slotFree(p("max"))))
    .returning()
    .prepare(name);
}
