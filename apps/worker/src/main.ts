import { createLogger } from "@reports/logger";
import { createDeps } from "./deps";
import { readWorkerEnv } from "./env";
import { startWorker } from "./worker";

const env = readWorkerEnv();
const logger = createLogger({ name: "worker", level: env.LOG_LEVEL });
const deps = await createDeps(env, logger);
const worker = await startWorker(deps);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    logger.info({ signal }, "worker draining");
    await worker.stop();
    await deps.close();
    process.exit(0);
  });
}
