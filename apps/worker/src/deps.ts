import { createMemoryCache, createRedisCache, type StatusCache } from "@reports/cache";
import { s3ConfigFromEnv } from "@reports/contracts";
import { createDb, createReportRepository, type ReportRepository } from "@reports/db";
import type { Logger } from "@reports/logger";
import { createRabbitQueue, type ReportQueue } from "@reports/queue";
import { createRenderPool, type RenderPool } from "@reports/renderers";
import { createS3Storage, type Storage } from "@reports/storage";
import type { WorkerEnv } from "./env";

/** Everything with a side effect the worker uses, built in one place. */
export interface WorkerDeps {
  repo: ReportRepository;
  queue: ReportQueue;
  storage: Storage;
  cache: StatusCache;
  renderer: RenderPool;
  logger: Logger;
  settings: { leaseMs: number; concurrency: number };
}

/** The distributed mode's deps: PostgreSQL, RabbitMQ, Redis, S3 and a render thread pool. */
export async function createDeps(env: WorkerEnv, logger: Logger): Promise<WorkerDeps & { close(): Promise<void> }> {
  const database = createDb(env.DATABASE_URL);
  const queue = await createRabbitQueue({ url: env.RABBITMQ_URL, prefix: env.QUEUE_PREFIX, logger });
  const cache = env.REDIS_URL ? createRedisCache({ url: env.REDIS_URL, logger }) : createMemoryCache();
  const renderer = createRenderPool({ maxThreads: env.RENDER_THREADS, timeoutMs: env.RENDER_TIMEOUT_MS });
  return {
    repo: createReportRepository(database.db),
    queue,
    storage: createS3Storage(s3ConfigFromEnv(env)),
    cache,
    renderer,
    logger,
    settings: { leaseMs: env.LEASE_MS, concurrency: env.WORKER_CONCURRENCY },
    async close() {
      await queue.close();
      await renderer.close();
      await cache.close();
      await database.close();
    },
  };
}
