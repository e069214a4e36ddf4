import {
  type CachedStatus,
  type GenerateResult,
  type ReportSpec,
  type ReportStatus,
  requestId as requestIdSchema,
} from "@reports/contracts";
import { toCachedStatus } from "@reports/db";
import type { AppDeps } from "./deps";
import { ApiError } from "./errors";

/**
 * Stores a validated spec as `queued` and queues it. REST and tRPC both call this.
 * The row is stored before the message is published, so a crash in between leaves a
 * `queued` row to republish, never a message without a row.
 */
export async function createReport(deps: AppDeps, spec: ReportSpec): Promise<GenerateResult> {
  const row = await deps.repo.create(spec);
  const log = deps.logger.child({ requestId: row.requestId });
  await deps.cache.set(toCachedStatus(row));
  try {
    await deps.queue.publish({ requestId: row.requestId, attempt: 1 });
  } catch (error) {
    log.error({ err: error }, "publish failed; the request stays queued");
    throw new ApiError("UNAVAILABLE", `The queue did not take request ${row.requestId}; try again later.`);
  }
  log.info({ format: row.format, rowCount: row.rowCount }, "report queued");
  return { requestId: row.requestId, status: row.status, createdAt: row.createdAt.toISOString() };
}

/** The status of one request: cache first, then the database (refilling the cache). */
export async function getReportStatus(deps: AppDeps, requestId: string): Promise<ReportStatus> {
  if (!requestIdSchema.safeParse(requestId).success) {
    throw new ApiError("MALFORMED_ID", `"${requestId.slice(0, 64)}" is not a request id (a UUID).`, [
      { path: "requestId", message: "must be a UUID" },
    ]);
  }
  const id = requestId.toLowerCase();
  let status = await deps.cache.get(id);
  if (!status) {
    const row = await deps.repo.findById(id);
    if (!row) throw new ApiError("NOT_FOUND", `No report request ${id}.`);
    status = toCachedStatus(row);
    await deps.cache.set(status);
  }
  return withDownloadUrl(deps, status);
}

async function withDownloadUrl(deps: AppDeps, cached: CachedStatus): Promise<ReportStatus> {
  const { fileKey, version: _version, ...status } = cached;
  const url =
    status.status === "done" && fileKey
      ? await deps.storage.downloadUrl(fileKey, {
          expiresInSeconds: deps.settings.downloadUrlTtlSeconds,
          fileName: status.report.fileName,
        })
      : null;
  return { ...status, url };
}
