import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { delayLevels, type ReportSpecInput, retryPolicy } from "@reports/contracts";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { createRabbitQueue, type ReportQueue } from "@reports/queue";
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from "@reports/queue/testing";
import { createTestBucket, s3Env, startS3Server, type TestS3Server } from "@reports/storage/testing";
import { freePort, type RunningProcess, startProcess } from "./processes";
import { startTcpProxy } from "./tcp-proxy";

/** Retry and sweep settings short enough for a test to watch them work. */
export const FAST_RECOVERY = {
  RETRY_MAX_ATTEMPTS: "3",
  RETRY_BASE_DELAY_MS: "200",
  RETRY_MAX_DELAY_MS: "800",
  RETRY_JITTER: "0.2",
  LEASE_MS: "2000",
  SWEEP_INTERVAL_MS: "500",
  SWEEP_STALE_AFTER_MS: "2000",
  WORKER_DRAIN_MS: "2000",
} as const;

const policy = retryPolicy.parse({
  maxAttempts: Number(FAST_RECOVERY.RETRY_MAX_ATTEMPTS),
  baseDelayMs: Number(FAST_RECOVERY.RETRY_BASE_DELAY_MS),
  maxDelayMs: Number(FAST_RECOVERY.RETRY_MAX_DELAY_MS),
});

/** A Redis server of the test's own, so stopping it harms no one else. */
export async function startRedis(port?: number): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const p = port ?? (await freePort());
  const child = spawn(
    "redis-server",
    ["--port", String(p), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await sleep(300);
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    async stop() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/**
 * The distributed system as separate processes on a database, queue prefix, S3 server (stoppable)
 * and Redis (stoppable) of its own.
 */
export async function startSystem(options: {
  workers: number;
  env?: Record<string, string>;
  /** Run the apps' built output (`pnpm build`) with plain node, as the images do, instead of their sources. */
  built?: boolean;
  /** Node's flags for the BFF and the workers (e.g. bench/lib/system.ts's `profileArgs()`). */
  nodeArgs?: string[];
}) {
  const entry = (app: "bff" | "worker") => (options.built ? `apps/${app}/dist/main.mjs` : `apps/${app}/src/main.ts`);
  const database: TestDatabase = await createTestDatabase();
  // the processes reach PostgreSQL through a proxy the test can cut
  const pgProxy = await startTcpProxy({ host: "127.0.0.1", port: 5432 });
  const proxiedDatabaseUrl = new URL(database.url);
  proxiedDatabaseUrl.port = String(pgProxy.port);
  const s3Dir = await mkdtemp(join(tmpdir(), "reports-faults-s3-"));
  const s3Port = await freePort();
  let s3: TestS3Server | undefined = await startS3Server({ port: s3Port, directory: s3Dir });
  const bucket = await createTestBucket(s3);
  let redis = await startRedis();
  const prefix = uniquePrefix("faults");
  const port = await freePort();
  const env: Record<string, string> = {
    DATABASE_URL: proxiedDatabaseUrl.toString(),
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    QUEUE_PREFIX: prefix,
    REDIS_URL: redis.url,
    ...s3Env(s3, bucket.bucket),
    PORT: String(port),
    RENDER_THREADS: "1",
    WORKER_HEALTH_PORT: "0",
    ...FAST_RECOVERY,
    ...options.env,
  };
  const startWorker = async () => {
    const worker = startProcess(entry("worker"), env, options.nodeArgs);
    await worker.waitForLog("worker consuming", 60_000);
    return worker;
  };
  const bff = startProcess(entry("bff"), env, options.nodeArgs);
  const workers: RunningProcess[] = await Promise.all(Array.from({ length: options.workers }, startWorker));
  await bff.waitForLog("bff listening", 60_000);
  const queue: ReportQueue = await createRabbitQueue({
    url: TEST_RABBITMQ_URL,
    prefix,
    retryDelaysMs: delayLevels(policy),
  });
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    database,
    bucket,
    queue,
    baseUrl,
    workers,
    bff,
    env,
    startWorker,
    async submit(spec: ReportSpecInput): Promise<string> {
      const res = await fetch(`${baseUrl}/generate`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(spec),
      });
      if (res.status !== 201) throw new Error(`POST /generate: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { requestId: string }).requestId;
    },
    async stopS3() {
      await s3?.close();
      s3 = undefined;
    },
    async startS3() {
      s3 = await startS3Server({ port: s3Port, directory: s3Dir });
    },
    /** PostgreSQL goes away for the BFF and the workers (the test's own connections stay). */
    cutDatabase: () => pgProxy.cut(),
    restoreDatabase: () => pgProxy.restore(),
    async stopRedis() {
      await redis.stop();
    },
    async startRedis() {
      redis = await startRedis(redis.port);
    },
    /** Messages waiting in the work queue and in every retry queue, and in the dead-letter queue. */
    async waiting(): Promise<{ work: number; retry: number; deadLettered: number }> {
      const { ready, retrying, deadLettered } = await queue.depth();
      return { work: ready, retry: retrying, deadLettered };
    },
    async stop() {
      await Promise.all([bff.stop(), ...workers.map((w) => w.stop())]);
      await queue.close();
      await deleteTopology(prefix, TEST_RABBITMQ_URL, delayLevels(policy));
      await redis.stop();
      await bucket.drop().catch(() => {});
      await pgProxy.close();
      await s3?.close();
      await rm(s3Dir, { recursive: true, force: true });
      await database.drop();
    },
  };
}

export type System = Awaited<ReturnType<typeof startSystem>>;
