import { createLogger } from "@reports/logger";
import { createApp } from "./app";
import { createDeps } from "./deps";
import { readBffEnv } from "./env";
import { metricsApp } from "./metrics";
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
const metrics =
  env.METRICS_PORT === 0
    ? undefined
    : await listen(metricsApp(deps.metrics), {
        port: env.METRICS_PORT,
        host: env.METRICS_HOST,
        name: "METRICS_PORT",
      }).catch(async (error: Error) => {
        logger.fatal({ err: error }, error.message);
        await closeServer(server);
        await deps.close();
        process.exit(1);
      });
if (metrics) logger.info({ url: `${metrics.url}/metrics` }, "bff metrics listening");

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    logger.info({ signal }, "bff shutting down");
    deps.closeStreams();
    await closeServer(server);
    if (metrics) await closeServer(metrics.server, { deadlineMs: 1_000 });
    await deps.close();
    logger.info("bff stopped: connections to the database, broker and cache closed");
    process.exit(0);
  });
}
