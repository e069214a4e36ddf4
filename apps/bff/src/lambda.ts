import { createLogger } from "@reports/logger";
import { createDeps } from "./deps";
import { readBffEnv } from "./env";
import { lambdaHandler } from "./lambda-handler";

// Built once per Lambda container: connections are reused by every invocation it serves.
const env = readBffEnv();
const deps = await createDeps(env, createLogger({ name: "bff", level: env.LOG_LEVEL }));

/** The BFF behind API Gateway (REST or HTTP API, payload v1 or v2). */
export const handler = lambdaHandler(deps);
