import { createMemoryCache, createRedisCache, type StatusCache } from "@reports/cache";
import { s3ConfigFromEnv } from "@reports/contracts";
import { createDb, createReportRepository, type ReportRepository } from "@reports/db";
import type { Logger } from "@reports/logger";
import { createRabbitQueue, type ReportQueue } from "@reports/queue";
import { createS3Storage, type Storage } from "@reports/storage";
import type { BffEnv } from "./env";

/** Files the BFF serves itself through signed links (the embedded mode's local storage). */
export interface LocalFiles {
  verify(key: string, expires: number, signature: string, fileName: string): boolean;
  get: Storage["get"];
}

/** Everything with a side effect the BFF uses, built in one place. */
export interface AppDeps {
  repo: ReportRepository;
  queue: ReportQueue;
  storage: Storage;
  cache: StatusCache;
  logger: Logger;
  settings: { downloadUrlTtlSeconds: number; maxBodyBytes: number };
  localFiles?: LocalFiles;
}

/** The distributed mode's deps: PostgreSQL, RabbitMQ, Redis and S3, from a parsed environment. */
export async function createDeps(env: BffEnv, logger: Logger): Promise<AppDeps & { close(): Promise<void> }> {
  const database = createDb(env.DATABASE_URL);
  const queue = await createRabbitQueue({ url: env.RABBITMQ_URL, prefix: env.QUEUE_PREFIX, logger });
  const cache = env.REDIS_URL ? createRedisCache({ url: env.REDIS_URL, logger }) : createMemoryCache();
  const storage = createS3Storage(s3ConfigFromEnv(env));
  return {
    repo: createReportRepository(database.db),
    queue,
    storage,
    cache,
    logger,
    settings: { downloadUrlTtlSeconds: env.DOWNLOAD_URL_TTL_SECONDS, maxBodyBytes: env.MAX_BODY_BYTES },
    async close() {
      await queue.close();
      await cache.close();
      await database.close();
    },
  };
}
