import { createLogger } from "@reports/logger";
import { startEmbedded } from "./embedded";
import { readStandaloneEnv } from "./env";

const env = readStandaloneEnv();
const logger = createLogger({ name: "reports", level: env.LOG_LEVEL });
const system = await startEmbedded(env, logger).catch((error: Error) => {
  logger.fatal({ err: error }, error.message);
  process.exit(1);
});
const urls = { url: system.url, docs: `${system.url}/docs`, admin: `${system.url}/admin/` };
logger.info(
  { ...urls, dataDir: env.DATA_DIR, auth: env.AUTH_MODE },
  `reports (embedded: PGlite, in-process queue and cache, local files) listening: API ${urls.url}, ` +
    `API docs ${urls.docs}, dashboard ${urls.admin}`,
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    logger.info({ signal }, "shutting down");
    await system.stop();
    process.exit(0);
  });
}
