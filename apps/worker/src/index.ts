export { classifyError } from "./classify";
export { createDeps, type WorkerDeps } from "./deps";
export { readWorkerEnv, type WorkerEnv, workerSettings } from "./env";
export { fileKeyOf, type JobOutcome, processReport } from "./job";
export { startWorker } from "./worker";
