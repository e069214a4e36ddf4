export type {
  ApiErrorCode,
  CellValue,
  Column,
  ColumnType,
  DefinitionDetail,
  DefinitionRef,
  DefinitionSummary,
  DefinitionVersion,
  FieldError,
  GenerateFromDefinition,
  GenerateResult,
  ReportDefinition,
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
  type DefinitionReport,
  type DefinitionsClient,
  type GenerateOptions,
  type ReportsClient,
  type ReportsClientOptions,
  type StreamedGenerateOptions,
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
export type { Row, RowSource, StreamedReportSpec, StreamedRows } from "./json-lines";
export type { RetryPolicy } from "./retry";
export type { UploadMode } from "./stream-generate";
export type { WaitOptions } from "./wait";
export { type VerifyWebhookOptions, verifyWebhook, WebhookVerificationError } from "./webhook";
