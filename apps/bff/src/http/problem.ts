import { type ApiError, toProblem } from "./errors";

/** Seconds a client should wait before trying again after a 503. */
export const RETRY_AFTER_SECONDS = 5;

/** An RFC 9457 problem answer for `error`, with the trace id and, for 429 and 503, `Retry-After`. */
export function problemResponse(error: ApiError, traceId: string): Response {
  const retryAfter = error.retryAfterSeconds ?? (error.status === 503 ? RETRY_AFTER_SECONDS : undefined);
  return new Response(JSON.stringify(toProblem(error, traceId)), {
    status: error.status,
    headers: {
      "Content-Type": "application/problem+json",
      "X-Request-Id": traceId,
      ...(retryAfter === undefined ? {} : { "Retry-After": String(retryAfter) }),
    },
  });
}
