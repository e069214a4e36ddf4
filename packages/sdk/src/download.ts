import type { ReportStatus } from "./api-types";
import { ApiError, apiError, isProblem, ReportCancelledError, ReportExpiredError, ReportFailedError } from "./errors";
import { DEFAULT_RETRY, withRetry } from "./retry";
import { toSdkError } from "./transport";

/**
 * Fetches a finished report's file through the fresh, expiring link of `status` (no API key: the link
 * is signed). Throws `ReportFailedError` for a failed report, `ApiError` `NOT_READY` for an unfinished one.
 */
export async function fetchReportFile(
  status: ReportStatus,
  fetch: typeof globalThis.fetch,
  signal?: AbortSignal,
): Promise<Response> {
  if (status.status === "error") throw new ReportFailedError(status);
  if (status.status === "cancelled") throw new ReportCancelledError(status);
  if (status.status === "expired") throw new ReportExpiredError(status);
  if (status.status !== "done" || !status.url) {
    throw apiError("NOT_READY", 409, `Report ${status.requestId} is ${status.status}, not done; wait for it first.`);
  }
  const url = status.url;
  const response = await withRetry(
    async () => {
      try {
        return await fetch(url, signal ? { signal } : {});
      } catch (error) {
        throw toSdkError(error, signal);
      }
    },
    DEFAULT_RETRY,
    signal,
  );
  if (response.ok) return response;
  throw await errorOfResponse(response);
}

/** An `ApiError` for a failed HTTP answer: its problem+json body, or one made from its status. */
async function errorOfResponse(response: Response): Promise<ApiError> {
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
  return apiError(code, response.status, `The file could not be downloaded (HTTP ${response.status}).`);
}
