export type {
  ColumnType,
  GenerateResult,
  ReportFormat,
  ReportSpecInput as ReportSpec,
  ReportState,
  ReportStatus,
} from "@reports/contracts";
export { createReportsClient, type ReportsClient, type ReportsClientOptions, type WaitOptions } from "./client";
export { ReportsApiError, ReportsTimeoutError } from "./errors";
