import { createLogger } from "@reports/logger";
import { startEmbedded } from "./embedded";
import { readStandaloneEnv } from "./env";

const env = readStandaloneEnv();
const logger = createLogger({ name: "reports", level: env.LOG_LEVEL });
const system = await startEmbedded(env, logger).catch((error: Error) => {
  logger.fatal({ err: error }, error.message);
  process.exit(1);
});
logger.info(
  { url: system.url, dataDir: env.DATA_DIR, auth: env.AUTH_MODE },
  "reports (embedded: PGlite, in-process queue and cache, local files) listening",
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    logger.info({ signal }, "shutting down");
    await system.stop();
    process.exit(0);
  });
}
