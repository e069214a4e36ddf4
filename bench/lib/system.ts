import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { delayLevels, retryPolicy } from "@reports/contracts";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from "@reports/queue/testing";
import { createTestBucket, s3Env, startS3Server, type TestS3Server } from "@reports/storage/testing";
import { freePort, ROOT, type RunningProcess, startProcess } from "../../test/support/processes";

export const REDIS_URL = "redis://127.0.0.1:6379";

/**
 * The benches run the apps as the images do, `pnpm build`'s output with plain node, when it exists (`pnpm build`
 * first, again after a change: a stale build measures old code); else their sources under tsx, as CI's smoke run
 * does. Every result says which (`machine().apps`).
 */
export const APPS_BUILT = ["bff", "worker", "standalone"].every((app) =>
  existsSync(`${ROOT}apps/${app}/dist/main.mjs`),
);
/** How the benches ran the apps, as each result records it. */
export const APPS_RUN_AS = APPS_BUILT ? "built output, plain node" : "sources under tsx";
export const appEntry = (app: "bff" | "worker" | "standalone") =>
  APPS_BUILT ? `apps/${app}/dist/main.mjs` : `apps/${app}/src/main.ts`;

/** Resident set now and at its peak, of a process, in MB (Linux). */
export async function memoryOf(pid: number | undefined): Promise<{ rssMb: number; peakMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? 0);
  return { rssMb: Math.round(kb("VmRSS") / 1024), peakMb: Math.round(kb("VmHWM") / 1024) };
}

/**
 * `BENCH_CPU_PROFILE=<dir>`: the BFF and the workers write a V8 CPU profile there when they stop (`--cpu-prof`,
 * which Node refuses in NODE_OPTIONS); open it in Chrome's DevTools or summarise it with `bench/profile-top.ts`.
 */
export function profileArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROFILE;
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
}

export interface BenchSystem {
  baseUrl: string;
  env: Record<string, string>;
  database: TestDatabase;
  s3: TestS3Server;
  bucket: string;
  bff: RunningProcess;
  workers: RunningProcess[];
  startWorker(): Promise<RunningProcess>;
  stop(): Promise<void>;
}

/**
 * The distributed system as users run it, on the machine's PostgreSQL, RabbitMQ and Redis (a database, queue
 * prefix and bucket of its own, removed at the end) and an s3rver: a BFF and `workers` worker processes.
 */
export async function startBenchSystem(options: { workers: number; redis?: boolean; env?: Record<string, string> }) {
  const database = await createTestDatabase();
  const s3 = await startS3Server();
  const bucket = await createTestBucket(s3);
  const prefix = uniquePrefix("bench");
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: "production",
    AUTH_MODE: "apikey",
    DATABASE_URL: database.url,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    QUEUE_PREFIX: prefix,
    ...(options.redis === false ? {} : { REDIS_URL, REDIS_PREFIX: `${prefix}:` }),
    ...s3Env(s3, bucket.bucket),
    PORT: String(port),
    LOG_REQUESTS: "false",
    RATE_LIMIT_PER_MINUTE: "0",
    // the machine's Redis may hold 127.0.0.1 over its failed authentications (the abuse suite's key flood)
    AUTH_FAILURES_PER_MINUTE: "0",
    RENDER_THREADS: "1",
    WORKER_HEALTH_PORT: "0",
    // one owner ("bench") sends every report: the per-owner cap would measure one slot, not the machinery
    MAX_RUNNING_PER_OWNER: "1000",
    // nor may its SDK's status streams (the e2e part watches 100 reports pushed at once) meet the per-owner cap
    MAX_STREAMS_PER_OWNER: "1000",
    ...options.env,
  };
  // production refuses AUTH_MODE=none: benches run as users would, with a key (made below)
  const workers: RunningProcess[] = [];
  const startWorker = async () => {
    const worker = startProcess(appEntry("worker"), env, profileArgs());
    await worker.waitForLog("worker consuming", 60_000);
    workers.push(worker);
    return worker;
  };
  const bff = startProcess(appEntry("bff"), env, profileArgs());
  await Promise.all([bff.waitForLog("bff listening", 60_000), ...Array.from({ length: options.workers }, startWorker)]);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    env,
    database,
    s3,
    bucket: bucket.bucket,
    bff,
    workers,
    startWorker,
    async stop() {
      await Promise.all([bff.stop(), ...workers.map((w) => w.stop())]);
      const policy = retryPolicy.parse({});
      await deleteTopology(prefix, TEST_RABBITMQ_URL, delayLevels(policy)).catch(() => {});
      await bucket.drop().catch(() => {});
      await s3.close();
      await database.drop();
    },
  } satisfies BenchSystem;
}
