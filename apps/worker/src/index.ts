export { classifyError } from "./classify";
export { createDeps, type WorkerDeps } from "./deps";
export {
  type JobSettings,
  jobSettings,
  type RetentionSettings,
  readWorkerEnv,
  renderPoolOptions,
  retentionSettings,
  type WorkerEnv,
  webhookSettings,
  workerSettings,
} from "./env";
export { healthApp } from "./health";
export { fileKeyOf, type JobOutcome, processReport } from "./job";
export { createWorkerMetrics, type WorkerMetrics } from "./metrics";
export { type RetentionSummary, retainOnce, startRetention } from "./retention";
export { relayOnce, startSweeper, sweepOnce } from "./sweeper";
export {
  createWebhookDispatcher,
  type WebhookDispatcher,
  type WebhookSettings,
} from "./webhooks/dispatcher";
export { postWebhook, signatureHeader } from "./webhooks/post";
export { startWorker } from "./worker";
