import { createRoute, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { openStatusStream, statusEventId } from "../reports/events";
import { AUTH_FAILURES, BEARER, openApiRouter, problemResponses, requestIdParams } from "./openapi";

/** A comment line this often keeps proxies and load balancers from closing a quiet stream. */
const PING_MS = 15_000;

const EXAMPLE_STREAM = [
  'event: status\nid: 2026-11-23T21:40:00.120Z~\ndata: {"requestId":"6f1c2a4e-8d3b-4c51-9a7e-2b0d4f6a8c10","status":"queued",…}\n',
  'event: status\nid: 2026-11-23T21:40:00.480Z~50\ndata: {"requestId":"6f1c2a4e-8d3b-4c51-9a7e-2b0d4f6a8c10","status":"processing","progress":50,…}\n',
  'event: status\nid: 2026-11-23T21:40:01.020Z~\ndata: {"requestId":"6f1c2a4e-8d3b-4c51-9a7e-2b0d4f6a8c10","status":"done","url":"…",…}\n',
].join("\n");

export const statusEventsRoute = createRoute({
  method: "get",
  path: "/status/{requestId}/events",
  operationId: "streamReportStatus",
  tags: ["reports"],
  summary: "Follow a report's status as Server-Sent Events",
  description:
    "The REST mirror of tRPC's `reports.onStatus`: the current status at once, then every change (with the render " +
    "`progress` while `processing`) until a final state (`done`, `error`, `cancelled`), then the stream ends. " +
    "Each event is `event: status`, its `data` a `ReportStatus` as JSON (the schema of `GET /status/{requestId}`) " +
    "and its `id` the write it shows; a comment line (`: ping`) every 15 s keeps proxies from closing a quiet " +
    "stream. Errors (a malformed id, an unknown or another owner's request) are problem+json answers, not streams.",
  security: BEARER,
  request: {
    params: requestIdParams,
    headers: z.object({
      "last-event-id": z.string().optional().openapi({
        description: "Sent by `EventSource` when it reconnects; the stream starts from the current status anyway.",
      }),
    }),
  },
  responses: {
    200: {
      description: "A `text/event-stream` of `status` events, each `data` a `ReportStatus`.",
      content: {
        "text/event-stream": {
          schema: z.string().openapi({
            description: "Server-Sent Events: `event: status`, `id: <write>~<progress>`, `data: <ReportStatus JSON>`.",
          }),
          example: EXAMPLE_STREAM,
        },
      },
    },
    ...problemResponses(["MALFORMED_ID", "NOT_FOUND", ...AUTH_FAILURES]),
  },
});

/**
 * `GET /status/{requestId}/events`: the REST mirror of `reports.onStatus` as `text/event-stream`.
 * Each event is `event: status` with the status as JSON; the stream ends after a final state.
 * Errors (malformed id, unknown or another owner's request) are problem+json answers, not streams.
 */
export function statusEventRoutes() {
  const app = openApiRouter();

  app.openapi(statusEventsRoute, async (c) => {
    const gone = new AbortController();
    c.req.raw.signal.addEventListener("abort", () => gone.abort(), { once: true });
    // shutdown ends the stream (the client reconnects elsewhere), or the server would wait on it to close
    const { closing } = c.get("deps");
    if (closing.aborted) gone.abort();
    else closing.addEventListener("abort", () => gone.abort(), { once: true, signal: gone.signal });
    const statuses = await openStatusStream(c.get("deps"), c.req.valid("param").requestId, c.get("owner"), gone.signal);
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
