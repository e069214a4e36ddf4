import { and, eq, inArray, lt, or, type Placeholder, sql } from "drizzle-orm";
import type { Database } from "./client";
import { reportRequests as r } from "./schema";

/** Every transition: a new version (watchers keep the highest), and the time of the change. */
export const bump = { version: sql`${r.version} + 1`, updatedAt: sql`now()` };

/**
 * What a claim writes: `processing` under `token` for `leaseSeconds`, one more attempt. Values or placeholders (the
 * per-owner cap's prepared claim).
 */
export function claimChanges(token: string | Placeholder, leaseSeconds: number | Placeholder) {
  return {
    status: "processing" as const,
    claimToken: sql`${token}`,
    leaseExpiresAt: sql`now() + make_interval(secs => ${leaseSeconds})`,
    attempts: sql`${r.attempts} + 1`,
    startedAt: sql`now()`,
    firstStartedAt: sql`coalesce(${r.firstStartedAt}, now())`,
    parkedAt: null,
    errorType: null,
    errorMessage: null,
    ...bump,
  };
}

/** A request a worker may claim: `queued`, `error` (a replayed or duplicated message), or a dead worker's. */
export const claimable = or(
  inArray(r.status, ["queued", "error"]),
  and(eq(r.status, "processing"), lt(r.leaseExpiresAt, sql`now()`)),
);

/**
 * A query built once per database (a prepared statement: drizzle builds its SQL once, PostgreSQL parses and plans it
 * once per connection): for the statements every report runs.
 */
export function preparedOnce<T>(db: Database, name: string, prepare: (db: Database, name: string) => T): T {
  const byName = prepared.get(db) ?? new Map<string, unknown>();
  prepared.set(db, byName);
  if (!byName.has(name)) byName.set(name, prepare(db, name));
  return byName.get(name) as T;
}
const prepared = new WeakMap<Database, Map<string, unknown>>();
