// `POST /generate` under an idempotency key: one request per owner and key while the key lives.
//
// The key is claimed and the request it names inserted in one statement (two data-modifying CTEs), prepared once per
// database: one round trip, where a transaction took four (BEGIN, two inserts, COMMIT) and drizzle built both inserts
// again inside each. Every SDK report takes this path (the SDK always sends a key).

import { and, eq, getTableColumns, gt, lt, sql } from "drizzle-orm";
import type { Database } from "./client";
import { type CreateValues, type RequestSummary, requestSummaryColumns } from "./request-statements";
import { idempotencyKeys as k, reportRequests as r, reportFormatEnum } from "./schema";
import { preparedOnce } from "./transitions";

/** An idempotency key already made a request from another body. */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = "IdempotencyKeyReusedError";
  constructor(
    readonly key: string,
    readonly requestId: string,
  ) {
    super(`idempotency key "${key}" was already used with another request body`);
  }
}

export interface IdempotencyKey {
  owner: string;
  key: string;
  /** SHA-256 of the request body: the same key with another body is refused. */
  bodyHash: string;
  ttlMs: number;
}

/**
 * Stores a new request under an idempotency key, or returns the request the key already made. The key's primary key
 * (owner, key) settles concurrent duplicates: the loser's claim waits for the winner's statement and then finds the
 * key live, so it inserts nothing and reads the winner's row. Throws {@link IdempotencyKeyReusedError} when the key
 * was used with another body.
 */
export async function createIdempotent(
  db: Database,
  values: CreateValues,
  key: IdempotencyKey,
): Promise<{ row: RequestSummary; replayed: boolean }> {
  const [created] = await preparedOnce(db, "reports_create_idempotent", prepareCreateIdempotent).execute({
    ...values,
    key: key.key,
    bodyHash: key.bodyHash,
    ttlSeconds: key.ttlMs / 1000,
  });
  if (created) return { row: created, replayed: false };
  const [existing] = await db
    .select({ bodyHash: k.bodyHash, row: requestSummaryColumns })
    .from(k)
    .innerJoin(r, eq(r.requestId, k.requestId))
    .where(and(eq(k.owner, key.owner), eq(k.key, key.key)))
    .limit(1);
  if (!existing) throw new Error("idempotency key vanished between its claim and its read");
  if (existing.bodyHash !== key.bodyHash) throw new IdempotencyKeyReusedError(key.key, existing.row.requestId);
  return { row: existing.row, replayed: true };
}

/** Whether `owner` has a live idempotency key `key` (a request with it would be a replay). */
export async function hasIdempotencyKey(db: Database, owner: string, key: string): Promise<boolean> {
  const rows = await db
    .select({ key: k.key })
    .from(k)
    .where(and(eq(k.owner, owner), eq(k.key, key), gt(k.expiresAt, sql`now()`)))
    .limit(1);
  return rows.length > 0;
}

/**
 * `claimed` takes the key (a new one, or an expired one taken over) and names a new request id; a live key returns no
 * row. `created` inserts the request only from a row of `claimed`. Both see the same snapshot and the foreign key
 * from the key to the request is checked at the statement's end, when both rows exist.
 *
 * The insert is SQL, not drizzle's `insert().select()`, which wants every column of the table in order (restating
 * the schema's defaults). Its parameters carry casts: a parameter in a select list would otherwise be text.
 */
function prepareCreateIdempotent(db: Database, name: string) {
  const p = sql.placeholder;
  const claimed = db.$with("claimed").as(
    db
      .insert(k)
      .values({
        owner: sql`${p("owner")}`,
        key: sql`${p("key")}`,
        bodyHash: sql`${p("bodyHash")}`,
        requestId: sql`gen_random_uuid()`,
        expiresAt: sql`now() + make_interval(secs => ${p("ttlSeconds")}::double precision)`,
      })
      .onConflictDoUpdate({
        target: [k.owner, k.key],
        set: {
          bodyHash: sql`excluded.body_hash`,
          requestId: sql`excluded.request_id`,
          expiresAt: sql`excluded.expires_at`,
        },
        setWhere: lt(k.expiresAt, sql`now()`),
      })
      .returning({ requestId: k.requestId }),
  );
  // every value the plain insert binds, with its column's type (a value added there fails to compile here)
  const types: Record<keyof CreateValues, string> = {
    owner: "text",
    format: reportFormatEnum.enumName,
    title: "text",
    fileName: "text",
    rowCount: "integer",
    spec: "jsonb",
    webhookUrl: "text",
    webhookSecret: "text",
    input: "jsonb",
    definitionName: "text",
    definitionVersion: "integer",
  };
  const inserted = Object.entries(types) as Array<[keyof CreateValues, string]>;
  const columns = getTableColumns(r);
  const names = (keys: ReadonlyArray<keyof typeof columns>) =>
    sql.join(
      keys.map((key) => sql.identifier(columns[key].name)),
      sql`, `,
    );
  const values = sql.join(
    inserted.map(([key, type]) => sql`${p(key)}::${sql.raw(type)}`),
    sql`, `,
  );
  const created = db
    .$with("created", requestSummaryColumns)
    .as(
      sql`insert into ${r} (${sql.identifier(r.requestId.name)}, ${names(inserted.map(([key]) => key))}) select ${claimed.requestId}, ${values} from ${claimed} returning ${names(Object.keys(requestSummaryColumns) as Array<keyof typeof requestSummaryColumns>)}`,
    );
  return db.with(claimed, created).select().from(created).prepare(name);
}
