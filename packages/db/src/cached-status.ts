import type { CachedStatus } from "@reports/contracts";
import type { RequestSummary } from "./repository";

/** The status as clients and the cache see it (without the download URL, which is signed per read). */
export function toCachedStatus(row: RequestSummary): CachedStatus {
  return {
    requestId: row.requestId,
    owner: row.owner,
    status: row.status,
    report: {
      format: row.format,
      title: row.title,
      fileName: row.fileName,
      rowCount: row.rowCount,
      ...(row.definitionName !== null && row.definitionVersion !== null
        ? { definition: { name: row.definitionName, version: row.definitionVersion } }
        : {}),
    },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    error: row.status === "error" && row.errorType ? { type: row.errorType, message: row.errorMessage ?? "" } : null,
    fileKey: row.status === "done" ? row.fileKey : null,
    ...(row.status === "done" && row.warnings?.length ? { warnings: row.warnings } : {}),
    ...(row.status === "expired" && row.expiredAt ? { expiredAt: row.expiredAt.toISOString() } : {}),
    version: row.version,
  };
}
