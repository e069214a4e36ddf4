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
    const db = drizzlePostgres(client, { schema });
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
