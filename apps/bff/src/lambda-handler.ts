import { handle } from "hono/aws-lambda";
import { createApp } from "./app";
import type { AppDeps } from "./deps";

/** The same app as the Node server, behind API Gateway's Lambda proxy events. */
export const lambdaHandler = (deps: AppDeps) => handle(createApp(deps));
