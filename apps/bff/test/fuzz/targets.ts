import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Writable } from "node:stream";
import type { ServerType } from "@hono/node-server";
import { createMemoryCache } from "@reports/cache";
import { createDb, type Database } from "@reports/db";
import { reportRequests } from "@reports/db/schema";
import { createTestDatabase } from "@reports/db/testing";
import { createLogger, type Logger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from "@reports/queue/testing";
import { createLocalStorage } from "@reports/storage";
import { createTestBucket, type S3Connection, s3Env } from "@reports/storage/testing";
import { createApp } from "../../src/app";
import { type AppDeps, createApiDeps, createDeps } from "../../src/deps";
import { bffEnv, bffSettings } from "../../src/env";
import { closeServer, listen } from "../../src/server";

/** Limits low enough that generated bodies cross every one of them. */
export const FUZZ_LIMITS = {
  LOG_REQUESTS: "false",
  RATE_LIMIT_PER_MINUTE: "0",
  MAX_BODY_BYTES: String(64 * 1024),
  MAX_UPLOAD_BYTES: String(256 * 1024),
  MAX_UPLOAD_DECOMPRESSED_BYTES: String(8 * 1024 * 1024),
  MAX_UPLOAD_LINES: "600",
  UPLOAD_TIMEOUT_MS: "1500",
  MAX_ROWS: "300",
  MAX_STRING_LENGTH: "2000",
} as const;

/** One BFF under test, served over real HTTP so a client can stop or vanish mid-body. */
export interface FuzzTarget {
  driver: "embedded" | "distributed";
  baseUrl: string;
  deps: AppDeps;
  /** The PostgreSQL database (distributed only). */
  databaseUrl?: string;
  /** Every log line the BFF wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Keys under `inputs/` in storage. */
  storedInputs(): Promise<string[]>;
  /** The `inputs/…` prefixes a stored request points at. */
  referencedInputs(): Promise<Set<string>>;
  close(): Promise<void>;
}

/** A pino logger whose lines land in `logs`, through the same redaction and serializers as production. */
export function capturingLogger(logs: Array<Record<string, unknown>>): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  return createLogger({ name: "bff", level: "info", destination: sink });
}

async function referenced(db: Database): Promise<Set<string>> {
  const rows = await db.select({ input: reportRequests.input }).from(reportRequests);
  return new Set(rows.flatMap((r) => (r.input ? [r.input.prefix] : [])));
}

async function serve(deps: AppDeps): Promise<{ server: ServerType; url: string }> {
  return listen(createApp(deps), { port: 0, host: "127.0.0.1" });
}

/** The embedded mode's API: PGlite, the in-process queue and cache, files in a directory. */
export async function startEmbeddedTarget(
  logs: Array<Record<string, unknown>>,
  makeLogger = capturingLogger,
  settings: Record<string, string> = {},
): Promise<FuzzTarget> {
  const directory = await mkdtemp(join(tmpdir(), "reports-fuzz-"));
  const database = createDb("memory://");
  await database.migrate();
  const storage = createLocalStorage({
    directory,
    publicBaseUrl: "http://127.0.0.1",
    signingSecret: "fuzz-signing-secret-".repeat(2),
  });
  const deps: AppDeps = {
    ...createApiDeps(
      {
        db: database.db,
        queue: createMemoryQueue(),
        storage,
        cache: createMemoryCache(),
        logger: makeLogger(logs),
      },
      bffSettings.parse({ ...FUZZ_LIMITS, ...settings }),
    ),
    localFiles: storage,
  };
  const { server, url } = await serve(deps);
  const inputsDir = join(directory, "objects", "inputs");
  return {
    driver: "embedded",
    baseUrl: url,
    deps,
    logs,
    async storedInputs() {
      const names = await readdir(inputsDir, { recursive: true, withFileTypes: true }).catch(() => []);
      return names.filter((d) => d.isFile()).map((d) => `inputs/${relative(inputsDir, join(d.parentPath, d.name))}`);
    },
    referencedInputs: () => referenced(database.db),
    async close() {
      await closeServer(server);
      await database.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** The distributed BFF exactly as `main.ts` builds it: PostgreSQL, RabbitMQ, S3 (s3rver). */
export async function startDistributedTarget(
  s3: S3Connection,
  logs: Array<Record<string, unknown>>,
  makeLogger = capturingLogger,
  settings: Record<string, string> = {},
): Promise<FuzzTarget> {
  const [database, bucket] = await Promise.all([createTestDatabase(), createTestBucket(s3)]);
  const prefix = uniquePrefix("fuzz");
  const env = bffEnv.parse({
    DATABASE_URL: database.url,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    QUEUE_PREFIX: prefix,
    ...s3Env(s3, bucket.bucket),
    ...FUZZ_LIMITS,
    ...settings,
  });
  const deps = await createDeps(env, makeLogger(logs));
  const { server, url } = await serve(deps);
  return {
    driver: "distributed",
    baseUrl: url,
    databaseUrl: database.url,
    deps,
    logs,
    storedInputs: () => bucket.keys("inputs/"),
    referencedInputs: () => referenced(database.db),
    async close() {
      await closeServer(server);
      await deps.close();
      await deleteTopology(prefix, TEST_RABBITMQ_URL).catch(() => {});
      await Promise.all([bucket.drop(), database.drop()]);
    },
  };
}

/** Input objects no stored request points at (a refused or abandoned upload's leftovers). */
export async function orphanInputs(target: FuzzTarget): Promise<string[]> {
  const [keys, prefixes] = await Promise.all([target.storedInputs(), target.referencedInputs()]);
  return keys.filter((key) => !prefixes.has(key.split("/").slice(0, 2).join("/")));
}
