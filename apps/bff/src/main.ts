import { createLogger } from "@reports/logger";
import { createApp } from "./app";
import { createDeps } from "./deps";
import { readBffEnv } from "./env";
import { closeServer, listen } from "./server";

const env = readBffEnv();
const logger = createLogger({ name: "bff", level: env.LOG_LEVEL });
const deps = await createDeps(env, logger);
const { server, url } = await listen(createApp(deps), { port: env.PORT, host: env.HOST }).catch(
  async (error: Error) => {
    logger.fatal({ err: error }, error.message);
    await deps.close();
    process.exit(1);
  },
);
logger.info({ url }, "bff listening");

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    logger.info({ signal }, "bff shutting down");
    deps.closeStreams();
    await closeServer(server);
    await deps.close();
    logger.info("bff stopped: connections to the database, broker and cache closed");
    process.exit(0);
  });
}
