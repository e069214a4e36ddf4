import { z } from "zod";

/** Why a report ended in `error`. Mirrors the `error_type` enum of `report_requests`. */
export const reportErrorType = z.enum([
  "INVALID_SPEC",
  "RENDER_FAILED",
  "RENDER_TIMEOUT",
  "STORAGE_FAILED",
  "TOO_LARGE",
  "INTERNAL",
]);
export type ReportErrorType = z.infer<typeof reportErrorType>;

/** Codes of the API's problem+json bodies and tRPC error data. */
export const apiErrorCode = z.enum([
  "VALIDATION_FAILED",
  "MALFORMED_ID",
  "NOT_FOUND",
  "NOT_READY",
  "NOT_CANCELLABLE",
  "ALREADY_EXISTS",
  "GONE",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "PAYLOAD_TOO_LARGE",
  "LIMIT_EXCEEDED",
  "IDEMPOTENCY_KEY_REUSED",
  "RENDER_FAILED",
  "UNSUPPORTED_MEDIA_TYPE",
  "RATE_LIMITED",
  "UNAVAILABLE",
  "INTERNAL",
]);
export type ApiErrorCode = z.infer<typeof apiErrorCode>;

/** HTTP status of each API error code; a code without one fails to compile. */
export function httpStatusOf(
  code: ApiErrorCode,
): 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429 | 500 | 503 {
  switch (code) {
    case "VALIDATION_FAILED":
    case "MALFORMED_ID":
      return 400;
    case "UNAUTHORIZED":
      return 401;
    case "FORBIDDEN":
      return 403;
    case "NOT_FOUND":
      return 404;
    case "NOT_READY":
    case "NOT_CANCELLABLE":
    case "ALREADY_EXISTS":
      return 409;
    case "GONE":
      return 410;
    case "PAYLOAD_TOO_LARGE":
    case "LIMIT_EXCEEDED":
      return 413;
    case "IDEMPOTENCY_KEY_REUSED":
    case "RENDER_FAILED":
      return 422;
    case "UNSUPPORTED_MEDIA_TYPE":
      return 415;
    case "RATE_LIMITED":
      return 429;
    case "INTERNAL":
      return 500;
    case "UNAVAILABLE":
      return 503;
  }
}

export const fieldError = z.object({
  path: z.string().describe("The field, e.g. `tables[0].rows[3].amount`"),
  message: z.string().describe("What is wrong with it"),
});
export type FieldError = z.infer<typeof fieldError>;

/** RFC 9457 problem details, as every 4xx/5xx of the API returns them. */
export const problem = z.object({
  type: z.string().describe("A URI naming the kind of problem"),
  title: z.string().describe("The kind of problem, in words"),
  status: z.number().int().describe("The HTTP status"),
  detail: z.string().describe("What went wrong with this request, for people"),
  code: apiErrorCode.describe("The error's code in the catalog, for programs"),
  traceId: z
    .string()
    .optional()
    .describe(
      "The id of this HTTP exchange (also the `X-Request-Id` header): quote it to trace the answer in the logs",
    ),
  instance: z.string().optional().describe("RFC 9457's occurrence URI: `urn:reports:trace:<traceId>`"),
  errors: z.array(fieldError).optional().describe("For validation and limits: each field and what is wrong with it"),
});
export type Problem = z.infer<typeof problem>;

/** Renders a zod issue path as `tables[0].rows[3].amount`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** The field list of a problem body, from zod issues. */
export function fieldErrors(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): FieldError[] {
  return issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}
