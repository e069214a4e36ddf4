import { createNoCache, createRedisCache, type StatusCache } from "@reports/cache";
import { DEFAULT_REDIS_PREFIX, s3ConfigFromEnv } from "@reports/contracts";
import {
  type AdminRepository,
  type ApiKeyRepository,
  createAdminRepository,
  createApiKeyRepository,
  createDb,
  createDefinitionRepository,
  createReportRepository,
  type Database,
  type DefinitionRepository,
  type ReportRepository,
} from "@reports/db";
import type { Logger } from "@reports/logger";
import { createRabbitQueue, type ReportQueue } from "@reports/queue";
import { createRenderPool, type RenderPool } from "@reports/renderers";
import { createS3Storage, type Storage } from "@reports/storage";
import { Redis } from "ioredis";
import { type Authenticate, createAuthenticator } from "./auth/auth";
import { type AuthFailureLimit, createAuthFailureLimit, createRateLimit, type RateLimit } from "./auth/rate-limit";
import type { BffEnv, BffSettings } from "./env";
import { type ApiMetrics, createApiMetrics } from "./metrics";
import { createDownloadLinks, type DownloadLinks } from "./reports/download-links";
import type { Limits } from "./reports/limits";
import type { NdjsonSettings } from "./reports/ndjson";
import { RenderGate } from "./reports/render-gate";
import { createRowBudget, type RowBudget } from "./reports/row-budget";
import { StatusStreams } from "./reports/streams";

/** Files the BFF serves itself through signed links (the embedded mode's local storage). */
export interface LocalFiles {
  verify(key: string, expires: number, signature: string, fileName: string): boolean;
  get: Storage["get"];
}

/** Everything with a side effect the BFF uses, built in one place. */
export interface AppDeps {
  repo: ReportRepository;
  /** The dashboard's reads. */
  admin: AdminRepository;
  keys: ApiKeyRepository;
  /** Report definitions, owner-scoped. */
  definitions: DefinitionRepository;
  queue: ReportQueue;
  storage: Storage;
  /** Signed download links, reused while at least half their validity is left. */
  downloadLinks: DownloadLinks;
  cache: StatusCache;
  logger: Logger;
  authenticate: Authenticate;
  rateLimit: RateLimit;
  /** Rows per owner per minute (ROWS_PER_MINUTE): what the reports they queue weigh. */
  rowBudget: RowBudget;
  /** Failed authentications per client address. */
  authFailures: AuthFailureLimit;
  metrics: ApiMetrics;
  /** The BFF's own render threads for `POST /render`, started on first use. */
  renderer: { get(): RenderPool; close(): Promise<void> };
  /** Admission to `renderer`: a bounded share per owner, a bounded queue with a wait limit. */
  renderGate: RenderGate;
  settings: {
    authMode: BffSettings["AUTH_MODE"];
    downloadUrlTtlSeconds: number;
    maxBodyBytes: number;
    /** What a streamed (JSON Lines) report may cost to read. */
    upload: NdjsonSettings["upload"];
    /** Origins allowed to call the API from a browser; empty: no CORS headers. */
    corsOrigins: string[];
    idempotencyTtlMs: number;
    limits: Limits;
    /** ROWS_PER_MINUTE (0: no row budget). */
    rowsPerMinute: number;
    logRequests: boolean;
    syncRender: { maxRows: number; maxCells: number };
    /** Private or loopback IP literals a webhook may name (WEBHOOK_ALLOWED_HOSTS). */
    webhookAllowedHosts: ReadonlySet<string>;
  };
  localFiles?: LocalFiles;
  /** The process's open status streams: per-owner and total caps, one watch per report. */
  streams: StatusStreams;
  /** Aborted when the process starts shutting down: open event streams (SSE, tRPC subscriptions) end on it. */
  closing: AbortSignal;
  /** Ends every open event stream, so clients reconnect to another replica; call it first on SIGTERM. */
  closeStreams(): void;
}

/**
 * The API's deps from the parts it runs on; the distributed `createDeps` and the embedded mode both
 * come through here, so auth, limits and rate limits are the same in both.
 */
export function createApiDeps(
  parts: Pick<AppDeps, "queue" | "storage" | "cache" | "logger"> & {
    db: Database;
    redis?: Redis;
    /** Prefix of the limiters' Redis keys (REDIS_PREFIX). */
    redisPrefix?: string;
  },
  settings: BffSettings,
): AppDeps {
  const keys = createApiKeyRepository(parts.db);
  const limiters = {
    logger: parts.logger,
    keyPrefix: parts.redisPrefix ?? DEFAULT_REDIS_PREFIX,
    ...(parts.redis ? { redis: parts.redis } : {}),
  };
  let pool: RenderPool | undefined;
  const closing = new AbortController();
  return {
    closing: closing.signal,
    closeStreams: () => closing.abort(),
    streams: new StatusStreams({ perOwner: settings.MAX_STREAMS_PER_OWNER, total: settings.MAX_STREAMS }),
    renderer: {
      get() {
        pool ??= createRenderPool({
          maxThreads: settings.SYNC_RENDER_THREADS,
          timeoutMs: settings.SYNC_RENDER_TIMEOUT_MS,
        });
        return pool;
      },
      close: async () => pool?.close(),
    },
    renderGate: new RenderGate({
      running: settings.SYNC_RENDER_THREADS,
      queue: settings.SYNC_RENDER_QUEUE,
      perOwner: settings.SYNC_RENDER_PER_OWNER,
      waitMs: settings.SYNC_RENDER_WAIT_MS,
    }),
    repo: createReportRepository(parts.db),
    admin: createAdminRepository(parts.db),
    keys,
    definitions: createDefinitionRepository(parts.db),
    queue: parts.queue,
    storage: parts.storage,
    downloadLinks: createDownloadLinks(parts.storage, { ttlSeconds: settings.DOWNLOAD_URL_TTL_SECONDS }),
    cache: parts.cache,
    logger: parts.logger,
    authenticate: createAuthenticator(settings, keys, { keyCacheSeconds: settings.API_KEY_CACHE_SECONDS }),
    metrics: createApiMetrics(),
    rateLimit: createRateLimit({
      perMinute: settings.RATE_LIMIT_PER_MINUTE,
      ...limiters,
    }),
    rowBudget: createRowBudget({
      perMinute: settings.ROWS_PER_MINUTE,
      ...limiters,
    }),
    authFailures: createAuthFailureLimit({
      perMinute: settings.AUTH_FAILURES_PER_MINUTE,
      ...limiters,
    }),
    settings: {
      authMode: settings.AUTH_MODE,
      downloadUrlTtlSeconds: settings.DOWNLOAD_URL_TTL_SECONDS,
      maxBodyBytes: settings.MAX_BODY_BYTES,
      upload: {
        maxBytes: settings.MAX_UPLOAD_BYTES,
        maxDecompressedBytes: settings.MAX_UPLOAD_DECOMPRESSED_BYTES,
        maxLines: settings.MAX_UPLOAD_LINES,
        timeoutMs: settings.UPLOAD_TIMEOUT_MS,
      },
      corsOrigins: settings.CORS_ORIGINS,
      idempotencyTtlMs: settings.IDEMPOTENCY_TTL_SECONDS * 1000,
      limits: settings,
      rowsPerMinute: settings.ROWS_PER_MINUTE,
      logRequests: settings.LOG_REQUESTS,
      syncRender: { maxRows: settings.SYNC_RENDER_MAX_ROWS, maxCells: settings.SYNC_RENDER_MAX_CELLS },
      webhookAllowedHosts: settings.WEBHOOK_ALLOWED_HOSTS,
    },
  };
}

/** The distributed mode's deps: PostgreSQL, RabbitMQ, Redis and S3, from a parsed environment. */
export async function createDeps(env: BffEnv, logger: Logger): Promise<AppDeps & { close(): Promise<void> }> {
  const database = createDb(env.DATABASE_URL);
  const queue = await createRabbitQueue({
    url: env.RABBITMQ_URL,
    prefix: env.QUEUE_PREFIX,
    logger,
    publishTimeoutMs: env.PUBLISH_TIMEOUT_MS,
  });
  // without Redis, no cache: a per-process one alone would go stale, since other processes write
  const cache: StatusCache = env.REDIS_URL
    ? createRedisCache({
        url: env.REDIS_URL,
        keyPrefix: env.REDIS_PREFIX,
        logger,
        memoryEntries: env.STATUS_MEMORY_ENTRIES,
      })
    : createNoCache();
  // the rate limiter's own connection: its commands must not queue behind the cache's
  const redis = env.REDIS_URL
    ? new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, commandTimeout: 1_000, enableOfflineQueue: false })
    : undefined;
  redis?.on("error", (err) => logger.debug({ err }, "rate-limit redis error"));
  const deps = createApiDeps(
    {
      db: database.db,
      queue,
      storage: createS3Storage(s3ConfigFromEnv(env)),
      cache,
      logger,
      ...(redis ? { redis, redisPrefix: env.REDIS_PREFIX } : {}),
    },
    env,
  );
  return {
    ...deps,
    async close() {
      await deps.renderer.close();
      await queue.close();
      await cache.close();
      redis?.disconnect();
      await database.close();
    },
  };
}
