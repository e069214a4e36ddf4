import type { RequestIdVariables } from "hono/request-id";
import type { AppDeps } from "./deps";

/**
 * What every route and middleware of the BFF's Hono app sees on its context: the app's dependencies (with a logger
 * that carries the trace id), the caller once authenticated, and the exchange's id. Its own module, so that routes
 * import it without importing the app that mounts them.
 */
export type AppEnv = {
  Variables: RequestIdVariables & {
    deps: AppDeps;
    owner: string;
    admin: boolean;
    /** The client's own `X-Request-Id`, when well-formed: logged beside our trace id, never used as it. */
    clientRequestId?: string;
  };
};

/**
 * The HTTP exchange's id is its trace id: `X-Request-Id` on the answer (the header proxies already
 * know), `traceId` and `instance` in problem bodies and tRPC errors, `traceId` on every log line of the
 * request. A report's `requestId` is another thing: log lines about a report carry both.
 */
export const traceIdOf = (c: { get(key: "requestId"): string }) => c.get("requestId");
