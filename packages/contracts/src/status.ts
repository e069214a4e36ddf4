import { z } from "zod";
import { definitionRef } from "./definition";
import { reportErrorType } from "./errors";
import { reportFormat } from "./spec";

/** `expired`: a `done` report whose file was removed by the retention job (its download is `410 GONE`). */
export const reportState = z.enum(["queued", "processing", "done", "error", "cancelled", "expired"]);
export type ReportState = z.infer<typeof reportState>;

export const FINAL_STATES: ReadonlySet<ReportState> = new Set(["done", "error", "cancelled", "expired"]);
export const isFinal = (s: ReportState): boolean => FINAL_STATES.has(s);

/** Ids are UUIDs we mint (v4). Any well-formed UUID is accepted so an unknown one is a 404, not a 400. */
export const requestId = z
  .string()
  // no `i` flag: the pattern is also the JSON Schema's, and JSON Schema patterns have no flags
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "must be a UUID");

export const reportSummary = z.object({
  format: reportFormat.describe("`xlsx` or `pdf`, as asked for"),
  title: z.string().describe("The spec's title"),
  fileName: z.string().describe("The name the file downloads as, with its extension"),
  rowCount: z.number().int().nonnegative().describe("Rows over every table"),
  /** The report definition and version the report was made from; absent when the request sent a whole spec. */
  definition: definitionRef
    .optional()
    .describe("The report definition and version the report was made from; absent when the request sent a whole spec"),
});
export type ReportSummary = z.infer<typeof reportSummary>;

export const reportError = z.object({
  type: reportErrorType.describe("Why the report failed (the catalog of report error types)"),
  message: z.string().describe("One line for people"),
});

/** Something a finished report's reader should know although the file was produced (e.g. glyphs no font has). */
export const reportWarningCode = z.enum(["MISSING_GLYPHS"]);
export type ReportWarningCode = z.infer<typeof reportWarningCode>;

export const reportWarning = z.object({
  code: reportWarningCode.describe("What the reader should know"),
  /** One line for people, e.g. `3 cells have characters no embedded font can draw: U+E000, U+1F9FF`. */
  message: z.string().describe("One line for people, e.g. `3 cells have characters no embedded font can draw: U+E000`"),
  /** For `MISSING_GLYPHS`: the code points (`U+XXXX`, at most 50) and how many cells held one. */
  codePoints: z.array(z.string()).optional().describe("For `MISSING_GLYPHS`: the code points (`U+XXXX`, at most 50)"),
  cells: z.number().int().nonnegative().optional().describe("For `MISSING_GLYPHS`: how many cells held one"),
});
export type ReportWarning = z.infer<typeof reportWarning>;

/** What `GET /status/:requestId` and `reports.status` return. */
export const reportStatus = z.object({
  requestId: z.string().describe("The request's id (a UUID)"),
  status: reportState.describe("Where the report is; `done`, `error`, `cancelled` and `expired` are final"),
  report: reportSummary.describe("What was asked for"),
  url: z.string().nullable().describe("When `done`: a fresh, expiring link to the file; otherwise null"),
  createdAt: z.string().describe("When the request was made (ISO 8601, UTC)"),
  updatedAt: z.string().describe("When the status last changed (ISO 8601, UTC)"),
  error: reportError.nullable().describe("When `error`: why; otherwise null"),
  /** Percent of rows rendered while `processing` (0–100); null or absent when unknown. */
  progress: z
    .number()
    .min(0)
    .max(100)
    .nullable()
    .optional()
    .describe("Percent of rows rendered while `processing` (0–100); null or absent when unknown"),
  expiredAt: z
    .string()
    .optional()
    .describe("When the file of an `expired` report was removed (ISO 8601); absent otherwise"),
  /** Set on a `done` report whose file was produced with caveats; absent or empty otherwise. */
  warnings: z
    .array(reportWarning)
    .optional()
    .describe("Set on a `done` report whose file was produced with caveats; absent or empty otherwise"),
});
export type ReportStatus = z.infer<typeof reportStatus>;

/** What `POST /generate` and `reports.generate` return. */
export const generateResult = z.object({
  requestId: z.string().describe("The new request's id: follow it with `GET /status/{requestId}`"),
  status: reportState.describe("`queued` for a new request; a replayed one's status as it is now"),
  createdAt: z.string().describe("When the request was made (ISO 8601, UTC)"),
});
export type GenerateResult = z.infer<typeof generateResult>;

/**
 * A status as the cache keeps it: no URL (links are signed fresh on every read),
 * the file key to sign, and the row version so an older write never wins.
 */
export const cachedStatus = reportStatus.omit({ url: true }).extend({
  /** Who may read it; never sent to clients. */
  owner: z.string(),
  fileKey: z.string().nullable(),
  /**
   * The row's version, plus `progressVersion`'s fraction for a progress update: progress is cache-only
   * (no database write per tick), yet still ordered by the cache's single "newer version wins" rule.
   */
  version: z.number().positive(),
});
export type CachedStatus = z.infer<typeof cachedStatus>;

/**
 * The version of a progress update of a claimed row at `rowVersion`: above the claim's own status and
 * every lower percentage, below the row's next write (`rowVersion + 1`), which therefore always wins.
 *
 * @example
 * cache.publish({ ...toCachedStatus(claim.row), progress: 40, version: progressVersion(claim.row.version, 40) });
 */
export function progressVersion(rowVersion: number, progress: number): number {
  return Math.trunc(rowVersion) + Math.min(100, Math.max(0, Math.round(progress))) / 1000;
}

/** What a client sees of a cached status: no owner, file key or version, and the download link when done. */
export function toReportStatus(cached: CachedStatus, url: string | null): ReportStatus {
  const { fileKey: _fileKey, version: _version, owner: _owner, ...status } = cached;
  return { ...status, url: status.status === "done" ? url : null };
}
