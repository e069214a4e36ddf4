export type {
  ApiErrorCode,
  CellValue,
  Column,
  ColumnType,
  FieldError,
  GenerateResult,
  ReportErrorType,
  ReportFormat,
  ReportSpec,
  ReportState,
  ReportStatus,
  ReportSummary,
  Table,
  WebhookEvent,
  WebhookEventType,
} from "./api-types";
export {
  createReportsClient,
  type GenerateOptions,
  type ReportsClient,
  type ReportsClientOptions,
} from "./client";
export {
  AbortError,
  ApiError,
  NetworkError,
  type Problem,
  ReportCancelledError,
  ReportExpiredError,
  ReportFailedError,
  ReportsApiError,
  ReportsTimeoutError,
  TimeoutError,
} from "./errors";
export type { RetryPolicy } from "./retry";
export type { WaitOptions } from "./wait";
export { type VerifyWebhookOptions, verifyWebhook, WebhookVerificationError } from "./webhook";
