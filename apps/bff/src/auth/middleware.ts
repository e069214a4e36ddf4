import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import type { AppDeps } from "../deps";
import { ApiError } from "../http/errors";
import { MAX_MUTATION_BATCH, trpcCallsOf } from "../trpc/batch";

/**
 * The client's address: the peer on Node (`@hono/node-server` passes the request as `env.incoming`), API Gateway's
 * `sourceIp` on Lambda; undefined elsewhere (then failed authentications are not limited by address).
 */
function clientAddressOf(env: unknown): string | undefined {
  const { incoming, event } = (env ?? {}) as {
    incoming?: { socket?: { remoteAddress?: string } };
    event?: { requestContext?: { identity?: { sourceIp?: string }; http?: { sourceIp?: string } } };
  };
  const context = event?.requestContext;
  return incoming?.socket?.remoteAddress ?? context?.http?.sourceIp ?? context?.identity?.sourceIp;
}

/**
 * Authenticates a caller not known in memory, refusing an address over its failed authentications first (no key
 * lookup) and counting this one if it fails.
 */
async function guarded(deps: AppDeps, env: unknown, authorization: string | undefined) {
  const address = clientAddressOf(env);
  const blockedFor = address === undefined ? null : await deps.authFailures.blockedFor(address);
  if (blockedFor !== null) {
    throw new ApiError(
      "RATE_LIMITED",
      `Too many failed authentications; try again in ${blockedFor} s.`,
      undefined,
      blockedFor,
    );
  }
  return deps.authenticate(authorization).catch(async (error: unknown) => {
    if (address !== undefined && error instanceof ApiError && error.code === "UNAUTHORIZED") {
      await deps.authFailures.failed(address);
    }
    throw error;
  });
}

/**
 * Who is calling, and whether they are over their rate: every report route, REST and tRPC. A tRPC batch of N
 * procedure calls costs N points; failed authentications are counted per client address.
 */
export const authenticated = (deps: AppDeps) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const calls = c.req.path.startsWith("/trpc/") ? trpcCallsOf(c.req.url) : 1;
    if (c.req.method === "POST" && calls > MAX_MUTATION_BATCH) {
      throw new ApiError("VALIDATION_FAILED", `A tRPC batch of mutations holds at most ${MAX_MUTATION_BATCH} calls.`, [
        { path: "batch", message: `${calls} calls; split them into batches of ${MAX_MUTATION_BATCH} at most` },
      ]);
    }
    const authorization = c.req.header("authorization");
    // a key this process authenticated moments ago needs neither the failure limit nor the key store
    const { owner, admin } = deps.authenticate.peek?.(authorization) ?? (await guarded(deps, c.env, authorization));
    c.set("owner", owner);
    c.set("admin", admin);
    const waitSeconds = await deps.rateLimit(owner, calls);
    if (waitSeconds !== null) {
      throw new ApiError("RATE_LIMITED", `Too many requests; try again in ${waitSeconds} s.`, undefined, waitSeconds);
    }
    await next();
  });
