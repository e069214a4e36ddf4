import type { CachedStatus, ReportState } from "@reports/contracts";
import { Redis } from "ioredis";

/** The Redis every development and CI machine runs. */
export const REDIS_URL = "redis://127.0.0.1:6379";

/** A valid cached status at `version`, for the tests of both drivers. */
export function statusAt(requestId: string, version: number, status: ReportState = "processing"): CachedStatus {
  return {
    requestId,
    owner: "acme",
    status,
    report: { format: "xlsx", title: "Sales", fileName: "Sales.xlsx", rowCount: 3 },
    createdAt: "2026-11-23T10:00:00.000Z",
    updatedAt: new Date(Date.parse("2026-11-23T10:00:00.000Z") + version * 1000).toISOString(),
    error: null,
    fileKey: status === "done" ? `reports/${requestId}.xlsx` : null,
    version,
  };
}

/** Removes a test file's keys. */
export async function deleteKeys(prefix: string) {
  const admin = new Redis(REDIS_URL);
  try {
    for await (const keys of admin.scanStream({ match: `${prefix}*`, count: 1000 })) {
      if ((keys as string[]).length > 0) await admin.del(...(keys as string[]));
    }
  } finally {
    admin.disconnect();
  }
}
