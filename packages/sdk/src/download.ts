import type { ReportStatus } from "./api-types";
import { apiError, errorOfResponse, ReportCancelledError, ReportExpiredError, ReportFailedError } from "./errors";
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
  throw await errorOfResponse(response, "The file could not be downloaded");
}
