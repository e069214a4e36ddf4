import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { AppEnv } from "./app";
import { openStatusStream } from "./events";
import { statusEventId } from "./status-subscription";

/** A comment line this often keeps proxies and load balancers from closing a quiet stream. */
const PING_MS = 15_000;

/**
 * `GET /status/:requestId/events`: the REST mirror of `reports.onStatus` as `text/event-stream`.
 * Each event is `event: status` with the status as JSON; the stream ends after a final state.
 * Errors (malformed id, unknown or another owner's request) are problem+json answers, not streams.
 */
export function statusEventRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/status/:requestId/events", async (c) => {
    const gone = new AbortController();
    c.req.raw.signal.addEventListener("abort", () => gone.abort(), { once: true });
    // shutdown ends the stream (the client reconnects elsewhere), or the server would wait on it to close
    const { closing } = c.var.deps;
    if (closing.aborted) gone.abort();
    else closing.addEventListener("abort", () => gone.abort(), { once: true, signal: gone.signal });
    const statuses = await openStatusStream(c.var.deps, c.req.param("requestId"), c.var.owner, gone.signal);
    c.header("Cache-Control", "no-store");
    // nginx and similar proxies buffer responses unless told not to
    c.header("X-Accel-Buffering", "no");
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => gone.abort());
      const ping = setInterval(() => void stream.write(": ping\n\n").catch(() => gone.abort()), PING_MS);
      try {
        for await (const status of statuses) {
          await stream.writeSSE({ event: "status", id: statusEventId(status), data: JSON.stringify(status) });
        }
      } finally {
        clearInterval(ping);
        gone.abort();
      }
    });
  });

  return app;
}
