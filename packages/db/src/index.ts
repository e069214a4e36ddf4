export {
  type AdminCursor,
  type AdminRepository,
  createAdminRepository,
  createWorkerRegistry,
  parseAdminCursor,
  toAdminRequest,
  type WorkerRegistry,
} from "./admin";
export { type ApiKeyRepository, createApiKeyRepository, hashApiKey } from "./api-keys";
export { toCachedStatus } from "./cached-status";
export { createDb, type Database, type DbHandle, MIGRATIONS_FOLDER } from "./client";
export { ANONYMOUS_OWNER, createOwnerCap, type OwnerCap } from "./owner-cap";
export {
  type Claim,
  createReportRepository,
  IdempotencyKeyReusedError,
  type ReportRepository,
  type RequestSummary,
  type RequestToPublish,
  requestSummaryColumns,
} from "./repository";
export { createRetentionRepository, type RemovedRequest, type RetentionRepository } from "./retention";
export type { ReportEventRow, ReportRequestRow, WebhookDeliveryRow, WorkerHeartbeatRow } from "./schema";
export { createWebhookRepository, type DueDelivery, type WebhookRepository, webhookEventOf } from "./webhooks";
