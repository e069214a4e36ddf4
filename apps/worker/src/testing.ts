import { createMemoryCache } from "@reports/cache";
import { createReportRepository, type Database } from "@reports/db";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import type { RenderPool } from "@reports/renderers";
import type { Storage } from "@reports/storage";
import type { WorkerDeps } from "./deps";
import type { JobSettings } from "./env";
import { createWorkerMetrics } from "./metrics";

/**
 * A worker's deps for tests, over the test's database, storage and render pool: an in-memory queue and cache, a
 * silent logger, fresh metrics, one slot, quick retries (three attempts) and a sweeper that finds a request stale
 * after a second; `settings` overrides any of them.
 *
 * @example
 * const deps = testWorkerDeps({ db: database.db, storage: bucket.storage, renderer });
 */
export function testWorkerDeps(
  parts: { db: Database; storage: Storage; renderer: RenderPool },
  settings: Partial<JobSettings> = {},
): WorkerDeps {
  return {
    db: parts.db,
    repo: createReportRepository(parts.db),
    queue: createMemoryQueue(),
    storage: parts.storage,
    cache: createMemoryCache(),
    renderer: parts.renderer,
    logger: silentLogger(),
    metrics: createWorkerMetrics(),
    settings: {
      leaseMs: 30_000,
      concurrency: 1,
      maxRunningPerOwner: 1,
      retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200, jitter: 0 },
      retryRenderTimeout: false,
      drainMs: 1_000,
      sweep: { intervalMs: 1_000, staleAfterMs: 1_000 },
      relay: { intervalMs: 1_000, afterMs: 0 },
      ...settings,
    },
  };
}
