import type { ApiErrorCode, FieldError, ReportErrorType, ReportStatus } from "./api-types";

/** The problem+json fields of an API error answer (RFC 9457). */
export interface Problem {
  type: string;
  title?: string;
  status: number;
  detail: string;
  code: ApiErrorCode;
  /** The id of the HTTP exchange (the `X-Request-Id` header): quote it to the API's operators. */
  traceId?: string;
  /** RFC 9457's occurrence URI, `urn:reports:trace:<traceId>`. */
  instance?: string;
  errors?: FieldError[];
}

/**
 * An error answer of the API, with the fields of its problem+json body.
 *
 * @example
 * try { await reports.generate(spec); }
 * catch (e) { if (e instanceof ApiError && e.code === "VALIDATION_FAILED") console.log(e.errors); }
 */
export class ApiError extends Error implements Problem {
  override readonly name = "ApiError";
  readonly type: string;
  readonly title?: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ApiErrorCode;
  /** The id of the HTTP exchange that failed (not a report's `requestId`): the operators find it in their logs. */
  readonly traceId?: string;
  readonly instance?: string;
  readonly errors: FieldError[];

  constructor(problem: Problem, options?: { cause?: unknown }) {
    super(problem.detail, options);
    this.type = problem.type;
    if (problem.title !== undefined) this.title = problem.title;
    this.status = problem.status;
    this.detail = problem.detail;
    this.code = problem.code;
    if (problem.traceId !== undefined) this.traceId = problem.traceId;
    if (problem.instance !== undefined) this.instance = problem.instance;
    this.errors = problem.errors ?? [];
  }

  /** The HTTP status, as `status`. */
  get httpStatus(): number {
    return this.status;
  }

  /** Whether the same call may succeed later (rate limited, or the API was briefly unavailable). */
  get retryable(): boolean {
    return this.code === "RATE_LIMITED" || this.code === "UNAVAILABLE" || this.status >= 502;
  }
}

/** The former name of {@link ApiError}. */
export const ReportsApiError = ApiError;
export type ReportsApiError = ApiError;

/**
 * The API could not be reached (DNS, refused or reset connection, a proxy's non-API answer). In a browser,
 * a request the API's CORS policy refuses fails the same way (a `TypeError` with no status): then
 * `possibleCors` is true and the message names the server's `CORS_ORIGINS` setting.
 */
export class NetworkError extends Error {
  override readonly name = "NetworkError";
  /** A browser made the failed request to another origin: a CORS refusal looks exactly like this. */
  readonly possibleCors: boolean;

  constructor(message: string, options?: { cause?: unknown; possibleCors?: boolean }) {
    super(message, options);
    this.possibleCors = options?.possibleCors ?? false;
  }
}

/** The page's origin when the SDK runs in a browser (a window or a worker), else null. */
function pageOrigin(): string | null {
  const scope = globalThis as { document?: unknown; WorkerGlobalScope?: unknown; location?: { origin?: string } };
  const browser = scope.document !== undefined || scope.WorkerGlobalScope !== undefined;
  return browser ? (scope.location?.origin ?? null) : null;
}

/**
 * The `NetworkError` for a `fetch` that failed without an answer (`TypeError: Failed to fetch`). In a
 * browser calling another origin the cause may be CORS, and the browser hides which: the message says so
 * and names the setting that allows the page (Node keeps the platform's own message).
 */
export function unreachable(message: string, cause: unknown, apiUrl: string): NetworkError {
  const page = pageOrigin();
  let api: string | null = null;
  try {
    api = new URL(apiUrl, page ?? undefined).origin;
  } catch {
    // not a URL: no origin to compare
  }
  if (page === null || api === null || api === page) return new NetworkError(message, { cause });
  return new NetworkError(
    `${message}: ${api} could not be reached from ${page}. If the API is up, the cause may be CORS: the browser ` +
      `refuses answers from another origin unless the API allows it, so set CORS_ORIGINS=${page} on the API ` +
      "(its list of allowed origins).",
    { cause, possibleCors: true },
  );
}

/**
 * The report ended in `error`: `type` says why (`INVALID_SPEC`, `RENDER_TIMEOUT`, …), `message` how.
 *
 * @example
 * catch (e) { if (e instanceof ReportFailedError && e.type === "TOO_LARGE") splitTheReport(); }
 */
export class ReportFailedError extends Error {
  override readonly name = "ReportFailedError";
  readonly requestId: string;
  readonly type: ReportErrorType;
  /** The final status, as the API gave it. */
  readonly status: ReportStatus;

  constructor(status: ReportStatus) {
    const type = status.error?.type ?? "INTERNAL";
    super(status.error?.message || `report ${status.requestId} failed (${type})`);
    this.requestId = status.requestId;
    this.type = type;
    this.status = status;
  }
}

/** The report was cancelled (`cancel`, or an operator) before it was done: there is no file. */
export class ReportCancelledError extends Error {
  override readonly name = "ReportCancelledError";
  readonly requestId: string;
  /** The final status, as the API gave it. */
  readonly status: ReportStatus;

  constructor(status: ReportStatus) {
    super(`report ${status.requestId} was cancelled`);
    this.requestId = status.requestId;
    this.status = status;
  }
}

/** The report was done, but its file was removed by the deployment's retention (`expired`): generate it again. */
export class ReportExpiredError extends Error {
  override readonly name = "ReportExpiredError";
  readonly requestId: string;
  /** When the file was removed (ISO 8601), if the API said. */
  readonly expiredAt: string | undefined;
  /** The final status, as the API gave it. */
  readonly status: ReportStatus;

  constructor(status: ReportStatus) {
    super(`the file of report ${status.requestId} expired${status.expiredAt ? ` at ${status.expiredAt}` : ""}`);
    this.requestId = status.requestId;
    this.expiredAt = status.expiredAt;
    this.status = status;
  }
}

/** `waitForStatus` gave up before the report reached the state it waited for. */
export class TimeoutError extends Error {
  override readonly name = "TimeoutError";
  constructor(
    readonly requestId: string,
    readonly timeoutMs: number,
    /** The last status seen, if any. */
    readonly lastStatus: ReportStatus | null = null,
  ) {
    super(`report ${requestId} did not finish within ${timeoutMs} ms`);
  }
}

/** The former name of {@link TimeoutError}. */
export const ReportsTimeoutError = TimeoutError;
export type ReportsTimeoutError = TimeoutError;

/** The caller's `signal` aborted; its reason is the `cause`. */
export class AbortError extends Error {
  override readonly name = "AbortError";
  constructor(reason?: unknown) {
    super("the operation was aborted", { cause: reason });
  }
}

const problemType = (code: ApiErrorCode) => `https://reports.dev/problems/${code.toLowerCase().replaceAll("_", "-")}`;

/** A client-side `ApiError` for a code of the catalog (e.g. `NOT_READY` before a download). */
export function apiError(code: ApiErrorCode, status: number, detail: string, options?: { cause?: unknown }): ApiError {
  return new ApiError({ type: problemType(code), status, detail, code }, options);
}

/** Whether a parsed body looks like our problem+json. */
export function isProblem(body: unknown): body is Problem {
  const p = body as Partial<Problem> | null;
  return typeof p === "object" && p !== null && typeof p.code === "string" && typeof p.status === "number";
}

/** An `ApiError` for a failed HTTP answer: its problem+json body, or one made from its status. */
export async function errorOfResponse(response: Response, what: string): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => null);
  if (isProblem(body)) return new ApiError(body);
  const code =
    response.status === 404
      ? "NOT_FOUND"
      : response.status === 403
        ? "FORBIDDEN"
        : response.status === 410
          ? "GONE"
          : "UNAVAILABLE";
  return apiError(code, response.status, `${what} (HTTP ${response.status}).`);
}
