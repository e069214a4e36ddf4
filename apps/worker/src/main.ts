import { createLogger } from "@reports/logger";
import { createDeps } from "./deps";
import { readWorkerEnv, retentionSettings } from "./env";
import { healthApp, serveHealth } from "./health";
import { startRetention } from "./retention";
import { startSweeper } from "./sweeper";
import { startWorker } from "./worker";

const env = readWorkerEnv();
const logger = createLogger({ name: "worker", level: env.LOG_LEVEL });
const deps = await createDeps(env, logger);
let draining = false;
const health =
  env.WORKER_HEALTH_PORT > 0
    ? await serveHealth(
        healthApp(deps, () => draining),
        { port: env.WORKER_HEALTH_PORT, host: env.WORKER_HEALTH_HOST },
      )
    : undefined;
const worker = await startWorker(deps);
const sweeper = startSweeper(deps);
const retention = startRetention(deps, retentionSettings(env));
deps.webhooks?.start();

async function shutdown(signal: string) {
  draining = true;
  logger.info({ signal, drainMs: env.WORKER_DRAIN_MS }, "worker draining");
  await sweeper.stop();
  await retention.stop();
  await worker.stop();
  await deps.webhooks?.stop();
  await deps.close();
  health?.close();
  logger.info("worker stopped");
  process.exit(0);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    // a second signal means now
    process.once(signal, () => process.exit(1));
    void shutdown(signal);
  });
}
