export { classifyError } from "./classify";
export { createDeps, type WorkerDeps } from "./deps";
export { type JobSettings, jobSettings, readWorkerEnv, type WorkerEnv, workerSettings } from "./env";
export { healthApp } from "./health";
export { fileKeyOf, type JobOutcome, processReport } from "./job";
export { createWorkerMetrics, type WorkerMetrics } from "./metrics";
export { type ReplayOptions, type ReplaySummary, replayDeadLetters } from "./replay";
export { startSweeper, sweepOnce } from "./sweeper";
export { startWorker } from "./worker";
