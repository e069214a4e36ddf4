import { availableParallelism } from "node:os";
import { parseEnvOrExit, serviceEnv } from "@reports/contracts";
import { z } from "zod";

export const workerSettings = z.object({
  /** Messages in flight per worker process (RabbitMQ prefetch). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Threads rendering at once; rendering never runs on the event loop. */
  RENDER_THREADS: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(Math.max(1, availableParallelism() - 1)),
  /** A render over this is stopped and the report fails with RENDER_TIMEOUT. */
  RENDER_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
  /** How long a claim holds without renewal; renewed every third of it while rendering. */
  LEASE_MS: z.coerce.number().int().min(1_000).default(60_000),
});
export type WorkerSettings = z.infer<typeof workerSettings>;

export const workerEnv = serviceEnv.extend(workerSettings.shape);
export type WorkerEnv = z.infer<typeof workerEnv>;

/** Parses the worker's environment once at start-up; a bad setting stops it with one line naming the variable. */
export function readWorkerEnv(env: NodeJS.ProcessEnv = process.env): WorkerEnv {
  return parseEnvOrExit(workerEnv, "reports worker", env);
}
