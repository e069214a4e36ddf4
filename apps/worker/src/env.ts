import { availableParallelism } from "node:os";
import { envBool, parseEnvOrExit, serviceEnv } from "@reports/contracts";
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
  /** Attempts in all (the first included) before a retryable failure is dead-lettered. */
  RETRY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  /** Delay before the second attempt; doubled per attempt up to RETRY_MAX_DELAY_MS, minus up to RETRY_JITTER of it. */
  RETRY_BASE_DELAY_MS: z.coerce.number().int().min(1).default(2_000),
  RETRY_MAX_DELAY_MS: z.coerce.number().int().min(1).default(60_000),
  RETRY_JITTER: z.coerce.number().min(0).max(1).default(0.2),
  /** Whether a render over RENDER_TIMEOUT_MS is tried again (it usually times out again). */
  RETRY_RENDER_TIMEOUT: envBool.default(false),
  /** How often the sweeper looks for requests no message will bring to a worker. */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
  /** A request queued (or with an expired lease) and not published for this long is republished. */
  SWEEP_STALE_AFTER_MS: z.coerce.number().int().min(100).default(300_000),
  /** On SIGTERM, renders still running after this are stopped and their requests released to `queued`. */
  WORKER_DRAIN_MS: z.coerce.number().int().min(0).default(25_000),
  /** /healthz, /readyz and /metrics; 0 turns the server off. */
  WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  WORKER_HEALTH_HOST: z.string().default("127.0.0.1"),
});
export type WorkerSettings = z.infer<typeof workerSettings>;

export const workerEnv = serviceEnv
  .extend(workerSettings.shape)
  .refine((env) => env.SWEEP_STALE_AFTER_MS > env.RETRY_MAX_DELAY_MS, {
    message: "SWEEP_STALE_AFTER_MS must be longer than RETRY_MAX_DELAY_MS, or the sweeper races the retries",
    path: ["SWEEP_STALE_AFTER_MS"],
  });
export type WorkerEnv = z.infer<typeof workerEnv>;

/** Parses the worker's environment once at start-up; a bad setting stops it with one line naming the variable. */
export function readWorkerEnv(env: NodeJS.ProcessEnv = process.env): WorkerEnv {
  return parseEnvOrExit(workerEnv, "reports worker", env);
}

/** The job settings an env gives, as the worker's deps carry them. */
export function jobSettings(env: WorkerSettings) {
  return {
    leaseMs: env.LEASE_MS,
    concurrency: env.WORKER_CONCURRENCY,
    retry: {
      maxAttempts: env.RETRY_MAX_ATTEMPTS,
      baseDelayMs: env.RETRY_BASE_DELAY_MS,
      maxDelayMs: env.RETRY_MAX_DELAY_MS,
      jitter: env.RETRY_JITTER,
    },
    retryRenderTimeout: env.RETRY_RENDER_TIMEOUT,
    drainMs: env.WORKER_DRAIN_MS,
    sweep: { intervalMs: env.SWEEP_INTERVAL_MS, staleAfterMs: env.SWEEP_STALE_AFTER_MS },
  };
}
export type JobSettings = ReturnType<typeof jobSettings>;
