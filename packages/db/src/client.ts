import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema";

export type Schema = typeof schema;
/** The query builder, whichever driver is behind it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface DbHandle {
  db: Database;
  /** `postgres` for a server, `pglite` for the embedded database. */
  kind: "postgres" | "pglite";
  /** Applies the committed migrations (idempotent). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../migrations", import.meta.url));

const isServerUrl = (url: string) => /^postgres(ql)?:\/\//.test(url);

type Sql = postgres.Sql;

/**
 * The client drizzle is given: every query a prepared statement, in transactions too. drizzle's postgres-js driver
 * sends a query unprepared unless it was built with `.prepare(name)`, and postgres.js then has PostgreSQL describe
 * it before it runs: two round trips and a parse and plan per query. Prepared, a statement is parsed once per
 * connection and runs in one round trip (measured: a report stored and marked enqueued in ~35% less time, ~30% less
 * client CPU). postgres.js keeps a connection's statements until the connection ends (30 to 60 min), and prepares a
 * statement again when a migration invalidated it. Needs a server or pooler that keeps prepared statements
 * (PgBouncer in transaction mode does from 1.21), as the claim's named statements always did.
 */
function preparing(sql: Sql): Sql {
  return new Proxy(sql, {
    get(target, property, receiver) {
      if (property === "unsafe") {
        return (query: string, parameters?: unknown[], queryOptions?: postgres.UnsafeQueryOptions) =>
          target.unsafe(query, parameters as postgres.ParameterOrJSON<never>[], { ...queryOptions, prepare: true });
      }
      if (property === "begin") {
        // drizzle's transaction runs on the transaction's own client: prepare its queries too
        return (...args: unknown[]) => {
          const run = args.pop() as (tx: Sql) => unknown;
          return (target.begin as (...a: unknown[]) => unknown)(...args, (tx: Sql) => run(preparing(tx)));
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

/**
 * Opens the database: postgres.js for a `postgres://` URL, PGlite for a directory
 * (created if missing) or `memory://` for a throwaway in-memory database.
 *
 * @example
 * const { db, migrate } = createDb("postgres://postgres@127.0.0.1:5432/reports");
 * await migrate();
 */
export function createDb(url: string, options: { maxConnections?: number } = {}): DbHandle {
  if (isServerUrl(url)) {
    const client = postgres(url, { max: options.maxConnections ?? 10, onnotice: () => {} });
    const db = drizzlePostgres(preparing(client), { schema });
    return {
      db,
      kind: "postgres",
      migrate: () => migratePostgres(db, { migrationsFolder: MIGRATIONS_FOLDER }),
      close: () => client.end({ timeout: 5 }),
    };
  }
  if (url !== "memory://") mkdirSync(url, { recursive: true });
  // pg_trgm: the migrations create it for the dashboard's search index, as on a server
  const client = new PGlite({ ...(url === "memory://" ? {} : { dataDir: url }), extensions: { pg_trgm } });
  const db = drizzlePglite(client, { schema });
  return {
    db,
    kind: "pglite",
    migrate: () => migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    close: () => client.close(),
  };
}
