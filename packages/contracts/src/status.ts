import { z } from "zod";
import { reportErrorType } from "./errors";
import { reportFormat } from "./spec";

export const reportState = z.enum(["queued", "processing", "done", "error"]);
export type ReportState = z.infer<typeof reportState>;

export const FINAL_STATES: ReadonlySet<ReportState> = new Set(["done", "error"]);
export const isFinal = (s: ReportState): boolean => FINAL_STATES.has(s);

/** Ids are UUIDs we mint (v4). Any well-formed UUID is accepted so an unknown one is a 404, not a 400. */
export const requestId = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a UUID");

export const reportSummary = z.object({
  format: reportFormat,
  title: z.string(),
  fileName: z.string(),
  rowCount: z.number().int().nonnegative(),
});
export type ReportSummary = z.infer<typeof reportSummary>;

export const reportError = z.object({ type: reportErrorType, message: z.string() });

/** What `GET /status/:requestId` and `reports.status` return. */
export const reportStatus = z.object({
  requestId: z.string(),
  status: reportState,
  report: reportSummary,
  url: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  error: reportError.nullable(),
});
export type ReportStatus = z.infer<typeof reportStatus>;

/** What `POST /generate` and `reports.generate` return. */
export const generateResult = z.object({
  requestId: z.string(),
  status: reportState,
  createdAt: z.string(),
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
  version: z.number().int().positive(),
});
export type CachedStatus = z.infer<typeof cachedStatus>;
