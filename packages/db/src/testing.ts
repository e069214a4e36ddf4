import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { createDb, type DbHandle } from "./client";

/** The server the tests use (trust auth on every development and CI machine). */
export const TEST_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase extends DbHandle {
  url: string;
  /** Closes the connections and drops the database. */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated PostgreSQL database for one test file, dropped afterwards,
 * so runs never see each other's data.
 */
export async function createTestDatabase(serverUrl = TEST_SERVER_URL): Promise<TestDatabase> {
  const name = `reports_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = createDb(url.toString(), { maxConnections: 5 });
  await handle.migrate();
  return {
    ...handle,
    url: url.toString(),
    async drop() {
      await handle.close();
      const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

/**
 * The drivers a repository test runs on, the same suite on each: PostgreSQL (a fresh database) and PGlite.
 *
 * @example
 * describe.each(TEST_DRIVERS)("repository on %s", (_name, open) => { … });
 */
export const TEST_DRIVERS: Array<[string, () => Promise<DbHandle & { drop?: () => Promise<void> }>]> = [
  ["PostgreSQL", () => createTestDatabase()],
  [
    "PGlite",
    async () => {
      const handle = createDb("memory://");
      await handle.migrate();
      return handle;
    },
  ],
];
