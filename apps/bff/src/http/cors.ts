import type { Logger } from "@reports/logger";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { ApiError } from "./errors";

/** Headers a browser app may send, and the ones it may read back. */
const ALLOW_HEADERS = ["Content-Type", "Content-Encoding", "Authorization", "Idempotency-Key", "Last-Event-ID"];
const EXPOSE_HEADERS = ["Location", "Idempotent-Replayed", "Retry-After", "X-Request-Id"];

const isPreflight = (method: string, requestMethod: string | undefined) =>
  method === "OPTIONS" && requestMethod !== undefined;

/**
 * Cross-origin access for browser apps on `origins` (`CORS_ORIGINS`; `*` for any), on every route: REST, tRPC and
 * the event streams. A preflight from any other origin (or from any origin when `origins` is empty) is refused
 * with a 403 that names the setting, before authentication and before any route can answer it otherwise.
 *
 * @example
 * app.use(corsPolicy(["https://app.example.com"], logger));
 */
export function corsPolicy(origins: readonly string[], logger: Logger) {
  const any = origins.includes("*");
  const allowed = (origin: string) => any || origins.includes(origin);
  const granted =
    origins.length === 0
      ? null
      : cors({
          origin: any ? "*" : [...origins],
          allowMethods: ["GET", "POST", "OPTIONS"],
          allowHeaders: ALLOW_HEADERS,
          exposeHeaders: EXPOSE_HEADERS,
          maxAge: 600,
        });
  const refusedOrigins = new Set<string>();

  return createMiddleware<AppEnv>(async (c, next) => {
    const origin = c.req.header("origin");
    if (isPreflight(c.req.method, c.req.header("access-control-request-method")) && !(origin && allowed(origin))) {
      // said once per origin: the browser shows the page's author only "CORS", the operator sees which setting
      if (origin && !refusedOrigins.has(origin) && refusedOrigins.size < 100) {
        refusedOrigins.add(origin);
        logger.warn({ origin, path: c.req.path }, "refused a CORS preflight: the origin is not in CORS_ORIGINS");
      }
      throw new ApiError(
        "FORBIDDEN",
        `Cross-origin requests from ${origin ?? "this origin"} are not allowed: the server's CORS_ORIGINS ` +
          `${origins.length === 0 ? "is empty" : "does not list it"}.`,
      );
    }
    return granted ? granted(c, next) : next();
  });
}
