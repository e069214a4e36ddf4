import type { ReportStatus } from "@reports/contracts";
import type { AppDeps } from "../deps";
import { getReportStatus } from "./service";

/** An SSE event id: the write it shows, and the progress within it. */
export const statusEventId = (status: ReportStatus) => `${status.updatedAt}~${status.progress ?? ""}`;

/**
 * Opens a live view of one report's status for `owner` through the process's stream hub (`deps.streams`: caps,
 * one watch per report). Throws 429 past a cap, and the same errors as `getReportStatus` (malformed id, 404 for an
 * unknown or another owner's request) before anything is streamed; the generator then yields the current status at
 * once and every newer one until a final state, or until `signal` aborts.
 *
 * @example
 * const statuses = await openStatusStream(deps, requestId, owner, signal);
 * for await (const status of statuses) send(status);
 */
export function openStatusStream(
  deps: AppDeps,
  requestId: string,
  owner: string,
  signal: AbortSignal,
): Promise<AsyncGenerator<ReportStatus>> {
  const sources = {
    cache: deps.cache,
    logger: deps.logger,
    read: (id: string, as: string, live: boolean) => getReportStatus(deps, id, as, { cache: live }),
  };
  return deps.streams.open(sources, requestId, owner, signal);
}
