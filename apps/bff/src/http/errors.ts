import { type ApiErrorCode, type FieldError, httpStatusOf, type Problem } from "@reports/contracts";

const TITLES: Record<ApiErrorCode, string> = {
  VALIDATION_FAILED: "The request is not valid",
  MALFORMED_ID: "The request id is malformed",
  NOT_FOUND: "Not found",
  NOT_READY: "The report is not ready",
  NOT_CANCELLABLE: "The report is already final",
  ALREADY_EXISTS: "It already exists",
  GONE: "The report's file has expired",
  UNAUTHORIZED: "Authentication required",
  FORBIDDEN: "Forbidden",
  PAYLOAD_TOO_LARGE: "The request body is too large",
  LIMIT_EXCEEDED: "The report is over a limit",
  IDEMPOTENCY_KEY_REUSED: "The idempotency key was used with another request",
  RENDER_FAILED: "The report could not be rendered",
  UNSUPPORTED_MEDIA_TYPE: "Unsupported media type",
  RATE_LIMITED: "Too many requests",
  UNAVAILABLE: "Temporarily unavailable",
  INTERNAL: "Internal error",
};

/** An error whose message is meant for the client; anything else is logged and hidden. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly code: ApiErrorCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    /** Sent as `Retry-After` (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(detail);
  }

  get status() {
    return httpStatusOf(this.code);
  }
}

/** RFC 9457's `instance` of an answer: which exchange it was, for the logs. */
export const traceInstance = (traceId: string) => `urn:reports:trace:${traceId}`;

/** The problem+json body of an error (RFC 9457), naming the exchange (`traceId`) it answers. */
export function toProblem(error: ApiError, traceId?: string): Problem {
  return {
    type: `https://reports.dev/problems/${error.code.toLowerCase().replaceAll("_", "-")}`,
    title: TITLES[error.code],
    status: error.status,
    detail: error.detail,
    code: error.code,
    ...(traceId ? { traceId, instance: traceInstance(traceId) } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

/**
 * The client went away (closed the connection, or stopped mid-body and was cut off) while its request
 * was being read: the work stops, nobody reads the answer, and it is not a failure of ours to alert on.
 */
export class ClientGoneError extends Error {
  override readonly name = "ClientGoneError";
  constructor(cause?: unknown) {
    super("The client closed the request before its body was read.", { cause });
  }
}

export const internalError = () => new ApiError("INTERNAL", "Something went wrong on our side; it has been logged.");
