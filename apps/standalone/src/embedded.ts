import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AppDeps, closeServer, createApiDeps, createApp, listen } from "@reports/bff";
import { createMemoryCache } from "@reports/cache";
import { createDb, createReportRepository } from "@reports/db";
import type { Logger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createRenderPool } from "@reports/renderers";
import { createLocalStorage } from "@reports/storage";
import {
  createWebhookDispatcher,
  createWorkerMetrics,
  jobSettings,
  relayOnce,
  renderPoolOptions,
  retentionSettings,
  startRetention,
  startSweeper,
  startWorker,
  sweepOnce,
  type WorkerDeps,
  webhookSettings,
} from "@reports/worker";
import type { StandaloneEnv } from "./env";

function signingSecret(env: StandaloneEnv): string {
  if (env.FILE_SIGNING_SECRET) return env.FILE_SIGNING_SECRET;
  const file = join(env.DATA_DIR, "signing-secret");
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

/**
 * The whole system in one process with no services: PGlite, the in-process queue and
 * cache, files on disk served by the BFF through signed links, and a worker.
 */
export async function startEmbedded(env: StandaloneEnv, logger: Logger) {
  mkdirSync(env.DATA_DIR, { recursive: true });
  const database = createDb(join(env.DATA_DIR, "db"));
  await database.migrate();
  const repo = createReportRepository(database.db);
  const queue = createMemoryQueue({ logger });
  const cache = createMemoryCache();
  const publicBaseUrl = `http://${env.HOST}:${env.PORT}`;
  const storage = createLocalStorage({
    directory: join(env.DATA_DIR, "files"),
    publicBaseUrl,
    signingSecret: signingSecret(env),
  });
  const renderer = createRenderPool(renderPoolOptions(env));

  // One database, queue, store and cache, shared by the API and the worker.
  const shared = { repo, queue, storage, cache };
  const appDeps: AppDeps = {
    ...createApiDeps({ db: database.db, queue, storage, cache, logger: logger.child({ component: "bff" }) }, env),
    localFiles: storage,
  };
  const metrics = createWorkerMetrics();
  const workerLogger = logger.child({ component: "worker" });
  const workerDeps: WorkerDeps = {
    ...shared,
    db: database.db,
    renderer,
    logger: workerLogger,
    metrics,
    settings: jobSettings(env),
    webhooks: createWebhookDispatcher(
      { db: database.db, storage, logger: workerLogger, deliveries: metrics.webhookDeliveries },
      webhookSettings(env),
    ),
  };

  const closeAll = async () => {
    await queue.close();
    await renderer.close();
    await cache.close();
    await database.close();
  };
  let listening: Awaited<ReturnType<typeof listen>>;
  try {
    listening = await listen(createApp(appDeps), { port: env.PORT, host: env.HOST });
  } catch (error) {
    await closeAll();
    throw error;
  }
  const { server, url } = listening;
  const worker = await startWorker(workerDeps);
  // the in-process queue starts empty: whatever was queued when the last run stopped goes back on it
  await relayOnce(workerDeps, { afterMs: 0 });
  await sweepOnce(workerDeps, { staleAfterMs: 0 });
  const sweeper = startSweeper(workerDeps);
  const retention = startRetention(workerDeps, retentionSettings(env));
  workerDeps.webhooks?.start();

  return {
    url,
    async stop() {
      appDeps.closeStreams();
      await closeServer(server);
      await appDeps.renderer.close();
      await sweeper.stop();
      await retention.stop();
      await worker.stop();
      await workerDeps.webhooks?.stop();
      await closeAll();
    },
  };
}
