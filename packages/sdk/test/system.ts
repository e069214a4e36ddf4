import { randomUUID } from "node:crypto";
import { type AppDeps, bffSettings, closeServer, createApiDeps, createApp, listen } from "@reports/bff";
import { createRedisCache, type StatusCache } from "@reports/cache";
import { createReportRepository } from "@reports/db";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { silentLogger } from "@reports/logger";
import { createTestQueue, type TestQueue } from "@reports/queue/testing";
import { createRenderPool, type RenderPool } from "@reports/renderers";
import { createTestBucket, type S3Connection } from "@reports/storage/testing";
import { createWorkerMetrics, jobSettings, startWorker, type WorkerDeps, workerSettings } from "@reports/worker";
import { Redis } from "ioredis";

const REDIS_URL = "redis://127.0.0.1:6379";

export interface Replica {
  url: string;
  deps: AppDeps;
}

/** A running system on the real services: BFF replicas on one Redis, and an in-process worker. */
export interface TestSystem {
  replicas: Replica[];
  database: TestDatabase;
  queue: TestQueue;
  close(): Promise<void>;
}

/**
 * Starts `replicas` BFFs (HTTP servers on ports of their own, each with its own Redis connections, as
 * separate processes would have) and a worker consuming the same queue, on a fresh database, queue
 * prefix, Redis key prefix and bucket.
 *
 * @example
 * const system = await startSystem(inject("s3"), { replicas: 2 });
 * afterAll(() => system.close());
 */
export async function startSystem(
  s3: S3Connection,
  options: {
    replicas?: number;
    settings?: Record<string, string>;
    worker?: boolean;
    /** Replicas (by index) whose Redis is unreachable, as when Redis is down for them. */
    redisDownFor?: number[];
  } = {},
): Promise<TestSystem> {
  const keyPrefix = `test-sdk-${randomUUID()}:`;
  const [database, queue, bucket] = await Promise.all([createTestDatabase(), createTestQueue(), createTestBucket(s3)]);
  const caches: StatusCache[] = [];
  const cache = (url = REDIS_URL) => {
    const made = createRedisCache({ url, keyPrefix });
    caches.push(made);
    return made;
  };
  const settings = bffSettings.parse({ LOG_REQUESTS: "false", RATE_LIMIT_PER_MINUTE: "0", ...options.settings });
  const replicas: Array<Replica & { close(): Promise<void> }> = [];
  for (let i = 0; i < (options.replicas ?? 1); i++) {
    const deps = createApiDeps(
      {
        db: database.db,
        queue,
        storage: bucket.storage,
        cache: cache(options.redisDownFor?.includes(i) ? "redis://127.0.0.1:1" : REDIS_URL),
        logger: silentLogger(),
      },
      settings,
    );
    const { server, url } = await listen(createApp(deps), { port: 0, host: "127.0.0.1" });
    replicas.push({ url, deps, close: () => closeServer(server) });
  }
  let renderer: RenderPool | undefined;
  let worker: { stop(): Promise<void> } | undefined;
  if (options.worker !== false) {
    renderer = createRenderPool({ maxThreads: 1, timeoutMs: 30_000 });
    const workerDeps: WorkerDeps = {
      db: database.db,
      repo: createReportRepository(database.db),
      queue,
      storage: bucket.storage,
      cache: cache(),
      renderer,
      logger: silentLogger(),
      metrics: createWorkerMetrics(),
      settings: jobSettings(
        workerSettings.parse({ RETRY_MAX_ATTEMPTS: "1", WORKER_DRAIN_MS: "1000", WORKER_CONCURRENCY: "2" }),
      ),
    };
    worker = await startWorker(workerDeps);
  }
  return {
    replicas,
    database,
    queue,
    async close() {
      await worker?.stop();
      await Promise.all(replicas.map((r) => r.close()));
      await renderer?.close();
      await Promise.all(caches.map((c) => c.close()));
      await Promise.all([queue.destroy(), bucket.drop(), database.drop()]);
      await deleteKeys(keyPrefix);
    },
  };
}

async function deleteKeys(prefix: string) {
  const admin = new Redis(REDIS_URL);
  try {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
  } finally {
    admin.disconnect();
  }
}
