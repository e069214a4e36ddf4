import { createNoCache, createRedisCache, type StatusCache } from "@reports/cache";
import { delayLevels, s3ConfigFromEnv } from "@reports/contracts";
import { createDb, createReportRepository, type Database, type ReportRepository } from "@reports/db";
import type { Logger } from "@reports/logger";
import { createRabbitQueue, type ReportQueue } from "@reports/queue";
import { createRenderPool, type RenderPool } from "@reports/renderers";
import { createS3Storage, type Storage } from "@reports/storage";
import { type JobSettings, jobSettings, renderPoolOptions, type WorkerEnv, webhookSettings } from "./env";
import { createWorkerMetrics, type WorkerMetrics } from "./metrics";
import { createWebhookDispatcher, type WebhookDispatcher } from "./webhooks/dispatcher";

/** Everything with a side effect the worker uses, built in one place. */
export interface WorkerDeps {
  db: Database;
  repo: ReportRepository;
  queue: ReportQueue;
  storage: Storage;
  cache: StatusCache;
  renderer: RenderPool;
  logger: Logger;
  metrics: WorkerMetrics;
  settings: JobSettings;
  /** Delivers the webhooks of requests that reach `done` or `error`. */
  webhooks?: WebhookDispatcher;
}

/** The distributed mode's deps: PostgreSQL, RabbitMQ, Redis, S3 and a render thread pool. */
export async function createDeps(env: WorkerEnv, logger: Logger): Promise<WorkerDeps & { close(): Promise<void> }> {
  const settings = jobSettings(env);
  const database = createDb(env.DATABASE_URL);
  const queue = await createRabbitQueue({
    url: env.RABBITMQ_URL,
    prefix: env.QUEUE_PREFIX,
    logger,
    retryDelaysMs: delayLevels(settings.retry),
  });
  const cache = env.REDIS_URL
    ? createRedisCache({ url: env.REDIS_URL, keyPrefix: env.REDIS_PREFIX, logger })
    : createNoCache(); // a per-process cache would go stale: other processes write
  const renderer = createRenderPool(renderPoolOptions(env));
  const storage = createS3Storage(s3ConfigFromEnv(env));
  const metrics = createWorkerMetrics();
  return {
    db: database.db,
    repo: createReportRepository(database.db),
    queue,
    storage,
    cache,
    renderer,
    logger,
    metrics,
    settings,
    webhooks: createWebhookDispatcher(
      { db: database.db, storage, logger, deliveries: metrics.webhookDeliveries },
      webhookSettings(env),
    ),
    async close() {
      await queue.close();
      await renderer.close();
      await cache.close();
      await database.close();
    },
  };
}
