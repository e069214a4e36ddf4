import type { ServerResponse } from "node:http";
import type { Context, MiddlewareHandler } from "hono";

/** Node's own response, when the app runs on `@hono/node-server` (it passes it as `env.outgoing`); else undefined. */
function nodeResponseOf(c: Context): ServerResponse | undefined {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  return typeof outgoing?.setHeader === "function" ? outgoing : undefined;
}

/**
 * Headers every answer carries, whoever builds it (our routes, Hono's 404, tRPC, a stream), with `values(c)` giving
 * them for the exchange before any route runs.
 *
 * On Node they are set on Node's own response, which merges them into whatever answer is written. Set on Hono's
 * context instead, they would make every answer carry a fetch `Headers` object, which @hono/node-server then
 * copies back into Node's form (measured: undici's header checks and that copy were a tenth of a status read's
 * CPU). Elsewhere (Lambda, `app.request` in tests) they go on the context, and onto an answer built without them.
 *
 * @example
 * app.use(answerHeaders((c) => ({ "X-Content-Type-Options": "nosniff" })));
 */
export function answerHeaders(values: (c: Context) => Record<string, string>): MiddlewareHandler {
  return async (c, next) => {
    const headers = values(c);
    const node = nodeResponseOf(c);
    if (node) {
      for (const name in headers) node.setHeader(name, headers[name] as string);
      return next();
    }
    for (const name in headers) c.header(name, headers[name]);
    await next();
    for (const name in headers) if (!c.res.headers.has(name)) c.header(name, headers[name]);
  };
}
