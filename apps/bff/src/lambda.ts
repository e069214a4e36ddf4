import { createLogger } from "@reports/logger";
import { handle } from "hono/aws-lambda";
import { createApp } from "./app";
import { createDeps } from "./deps";
import { readBffEnv } from "./env";

// Built once per Lambda container, reused by every invocation it serves.
const env = readBffEnv();
const deps = await createDeps(env, createLogger({ name: "bff", level: env.LOG_LEVEL }));

/** The BFF behind API Gateway (REST or HTTP API, payload v1 or v2). */
export const handler = handle(createApp(deps));
