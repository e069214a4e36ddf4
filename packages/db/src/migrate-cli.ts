import { createDb } from "./client";
import { readMigrateEnv } from "./env";

const { DATABASE_URL } = readMigrateEnv();
const handle = createDb(DATABASE_URL, { maxConnections: 1 });
const started = Date.now();
try {
  await handle.migrate();
  console.log(JSON.stringify({ msg: "migrations applied", driver: handle.kind, ms: Date.now() - started }));
} finally {
  await handle.close();
}
