import { envBool, envHostSet, parseEnvOrExit, serviceEnv } from "@reports/contracts";
import { DEFAULT_RENDER_LIMITS, type RenderPoolOptions } from "@reports/renderers";
import { z } from "zod";
import type { WebhookSettings } from "./webhooks/dispatcher";

export const workerSettings = z.object({
  /** Messages in flight per worker process (RabbitMQ prefetch). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /**
   * Reports of one owner rendering at once, across every worker (counted in PostgreSQL). Past it, the owner's next
   * report waits (parked, not retried) until one of theirs ends, so other owners find free slots: keep it below the
   * fleet's slots (workers × WORKER_CONCURRENCY). Every worker must have the same value. Not applied to the owner
   * `anonymous` (AUTH_MODE=none: a single tenant).
   */
  MAX_RUNNING_PER_OWNER: z.coerce.number().int().min(1).max(1_000).default(1),
  /**
   * Threads rendering at once; rendering never runs on the event loop. Fewer than WORKER_CONCURRENCY makes a
   * claimed report wait for a thread behind another owner's render (a heavy one holds a light one back).
   * @default WORKER_CONCURRENCY
   */
  RENDER_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  /**
   * A render thread with nothing to render for this long exits, giving back its ~100 MB (the renderers, fonts and
   * their heap); the next report loads a thread again, which adds ~1 s to it (0.8–0.95 s for a one-row XLSX or PDF,
   * against ~10 ms on a loaded thread). 0: every thread stays loaded for the process's life.
   */
  RENDER_IDLE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  /** A render over this is stopped and the report fails with RENDER_TIMEOUT. */
  RENDER_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
  /**
   * Heap ceiling (MB) of each render thread; a render that needs more fails with TOO_LARGE. It also keeps V8 from
   * growing a thread's heap lazily: at 256 a 1,048,575-row XLSX renders as fast with ~60 MB over idle (instead of
   * ~250), and a PDF at the default 100,000-row limit still fits.
   */
  RENDER_MAX_HEAP_MB: z.coerce.number().int().min(64).default(256),
  /** Rows a PDF may hold over all its tables; more fail with TOO_LARGE before any work. */
  RENDER_PDF_MAX_ROWS: z.coerce.number().int().min(1).default(DEFAULT_RENDER_LIMITS.pdfMaxRows),
  /** A table over Excel's 1,048,575 rows: `split` continues it on sheets `Name (2)`, …; `reject` fails with TOO_LARGE. */
  RENDER_XLSX_OVERFLOW: z.enum(["split", "reject"]).default(DEFAULT_RENDER_LIMITS.xlsxOverflow),
  /**
   * Font files for characters DejaVu Sans lacks (CJK), comma-separated, tried in order, e.g. Debian's
   * fonts-droid-fallback: /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf
   */
  RENDER_FALLBACK_FONTS: z
    .string()
    .optional()
    .transform((list) =>
      (list ?? "")
        .split(",")
        .map((path) => path.trim())
        .filter(Boolean),
    ),
  /** How long a claim holds without renewal; renewed every third of it while rendering. */
  LEASE_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** Attempts in all (the first included) before a retryable failure is dead-lettered. */
  RETRY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  /** Delay before the second attempt; doubled per attempt up to RETRY_MAX_DELAY_MS, minus up to RETRY_JITTER of it. */
  RETRY_BASE_DELAY_MS: z.coerce.number().int().min(1).default(2_000),
  /** The longest delay between two attempts. */
  RETRY_MAX_DELAY_MS: z.coerce.number().int().min(1).default(60_000),
  /** Up to this fraction of each delay is taken off at random, so retries of many reports spread out. */
  RETRY_JITTER: z.coerce.number().min(0).max(1).default(0.2),
  /** Whether a render over RENDER_TIMEOUT_MS is tried again (it usually times out again). */
  RETRY_RENDER_TIMEOUT: envBool.default(false),
  /** How often the relay looks for stored requests whose message no broker confirmed (the outbox). */
  RELAY_INTERVAL_MS: z.coerce.number().int().min(100).default(1_000),
  /** A stored request unconfirmed for this long is the relay's to publish; keep it above the BFF's PUBLISH_TIMEOUT_MS. */
  RELAY_AFTER_MS: z.coerce.number().int().min(0).default(3_000),
  /** How often the sweeper looks for requests no message will bring to a worker. */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
  /** A request queued (or with an expired lease) and not published for this long is republished. */
  SWEEP_STALE_AFTER_MS: z.coerce.number().int().min(100).default(300_000),
  /** Days a `done` report's file is kept; then it is removed and the report answers `expired` (download 410). */
  RETAIN_FILES_DAYS: z.coerce.number().min(0.001).default(7),
  /**
   * Days a finished request is kept (counted from its creation), with its spec, stored input, status events and
   * webhook deliveries; then it is deleted and its id answers 404. At least RETAIN_FILES_DAYS.
   */
  RETAIN_REQUESTS_DAYS: z.coerce.number().min(0.001).default(30),
  /** How often the retention job runs (one runner at a time across replicas, through a lease row). */
  RETENTION_INTERVAL_MS: z.coerce.number().int().min(1_000).default(600_000),
  /** Rows one retention statement takes; a run repeats batches until done or out of RETENTION_MAX_RUN_MS. */
  RETENTION_BATCH: z.coerce.number().int().min(1).max(10_000).default(500),
  /** Longest time one retention run works; what is left waits for the next run. */
  RETENTION_MAX_RUN_MS: z.coerce.number().int().min(100).default(30_000),
  /**
   * The BFF's setting of the same name (give both the same value): a stored input (`inputs/`) no request references
   * and older than this plus an hour was left by an upload that never became a request (a BFF killed mid-body), and
   * the retention job removes it.
   */
  UPLOAD_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(10 * 60 * 1000),
  /** On SIGTERM, renders still running after this are stopped and their requests released to `queued`. */
  WORKER_DRAIN_MS: z.coerce.number().int().min(0).default(25_000),
  /** /healthz, /readyz and /metrics; 0 turns the server off. */
  WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** The address of the health and metrics server; `0.0.0.0` in a container. */
  WORKER_HEALTH_HOST: z.string().default("127.0.0.1"),
  /** Signs webhook deliveries of requests that brought no secret of their own (unset: they go unsigned). */
  WEBHOOK_SECRET: z.string().min(16, { error: "WEBHOOK_SECRET must be at least 16 characters" }).optional(),
  /** Time limit of one delivery: connecting and answering. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** Attempts in all before a delivery is marked failed. */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** Delay before attempt n+1 is `min(base × 2^(n−1), max)`. */
  WEBHOOK_RETRY_BASE_DELAY_MS: z.coerce.number().int().min(1).default(10_000),
  /** The longest delay between two delivery attempts. */
  WEBHOOK_RETRY_MAX_DELAY_MS: z.coerce.number().int().min(1).default(3_600_000),
  /** How often due deliveries are looked for (a finished report is delivered at once anyway). */
  WEBHOOK_POLL_MS: z.coerce.number().int().min(50).default(1_000),
  /**
   * Hosts a webhook may reach although they are private, loopback or link-local (comma-separated names or IP
   * literals, e.g. `127.0.0.1,hooks.internal`). Every other such address is refused (SSRF).
   */
  WEBHOOK_ALLOWED_HOSTS: envHostSet,
  /** Lifetime of the download link in a `report.done` webhook. */
  WEBHOOK_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(604_800).default(3_600),
});
export type WorkerSettings = z.infer<typeof workerSettings>;

export const workerEnv = serviceEnv
  .extend(workerSettings.shape)
  .refine((env) => env.SWEEP_STALE_AFTER_MS > env.RETRY_MAX_DELAY_MS, {
    message: "SWEEP_STALE_AFTER_MS must be longer than RETRY_MAX_DELAY_MS, or the sweeper races the retries",
    path: ["SWEEP_STALE_AFTER_MS"],
  })
  .refine((env) => env.RETAIN_REQUESTS_DAYS >= env.RETAIN_FILES_DAYS, {
    message: "RETAIN_REQUESTS_DAYS must be at least RETAIN_FILES_DAYS (a request outlives its file)",
    path: ["RETAIN_REQUESTS_DAYS"],
  });
export type WorkerEnv = z.infer<typeof workerEnv>;

/** Parses the worker's environment once at start-up; a bad setting stops it with one line naming the variable. */
export function readWorkerEnv(env: NodeJS.ProcessEnv = process.env): WorkerEnv {
  return parseEnvOrExit(workerEnv, "reports worker", env);
}

/** The render pool an env asks for. */
export function renderPoolOptions(env: WorkerSettings): RenderPoolOptions {
  const threads = env.RENDER_THREADS ?? env.WORKER_CONCURRENCY;
  return {
    maxThreads: threads,
    // while there is work, every slot's thread stays warm (a light report must not wait for a thread to load while
    // a heavy one renders); once idle for RENDER_IDLE_SECONDS, none is kept
    minThreads: env.RENDER_IDLE_SECONDS === 0 ? threads : 0,
    idleTimeoutMs: env.RENDER_IDLE_SECONDS === 0 ? Number.POSITIVE_INFINITY : env.RENDER_IDLE_SECONDS * 1000,
    timeoutMs: env.RENDER_TIMEOUT_MS,
    maxHeapMb: env.RENDER_MAX_HEAP_MB,
    fallbackFonts: env.RENDER_FALLBACK_FONTS,
    limits: { pdfMaxRows: env.RENDER_PDF_MAX_ROWS, xlsxOverflow: env.RENDER_XLSX_OVERFLOW },
  };
}

/** The webhook dispatcher's settings an env gives. */
export function webhookSettings(env: WorkerSettings): WebhookSettings {
  return {
    secret: env.WEBHOOK_SECRET,
    timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
    baseDelayMs: env.WEBHOOK_RETRY_BASE_DELAY_MS,
    maxDelayMs: env.WEBHOOK_RETRY_MAX_DELAY_MS,
    pollMs: env.WEBHOOK_POLL_MS,
    // a final request whose worker died before recording its event is found by the sweep within this window
    sweepWindowMs: 24 * 3_600_000,
    allowedHosts: env.WEBHOOK_ALLOWED_HOSTS,
    urlTtlSeconds: env.WEBHOOK_URL_TTL_SECONDS,
  };
}

/** Time from an upload's end to its request's row, with room for a slow database: past it, no row will come. */
const UNREFERENCED_INPUT_MARGIN_MS = 3_600_000;

/** The retention job's settings an env gives. */
export function retentionSettings(env: WorkerSettings) {
  const DAY_MS = 86_400_000;
  return {
    filesMs: env.RETAIN_FILES_DAYS * DAY_MS,
    requestsMs: env.RETAIN_REQUESTS_DAYS * DAY_MS,
    /** A stored input no request references is an orphan once older than this. */
    unreferencedInputsMs: env.UPLOAD_TIMEOUT_MS + UNREFERENCED_INPUT_MARGIN_MS,
    intervalMs: env.RETENTION_INTERVAL_MS,
    batch: env.RETENTION_BATCH,
    maxRunMs: env.RETENTION_MAX_RUN_MS,
  };
}
export type RetentionSettings = ReturnType<typeof retentionSettings>;

/** The job settings an env gives, as the worker's deps carry them. */
export function jobSettings(env: WorkerSettings) {
  return {
    leaseMs: env.LEASE_MS,
    concurrency: env.WORKER_CONCURRENCY,
    maxRunningPerOwner: env.MAX_RUNNING_PER_OWNER,
    retry: {
      maxAttempts: env.RETRY_MAX_ATTEMPTS,
      baseDelayMs: env.RETRY_BASE_DELAY_MS,
      maxDelayMs: env.RETRY_MAX_DELAY_MS,
      jitter: env.RETRY_JITTER,
    },
    retryRenderTimeout: env.RETRY_RENDER_TIMEOUT,
    drainMs: env.WORKER_DRAIN_MS,
    sweep: { intervalMs: env.SWEEP_INTERVAL_MS, staleAfterMs: env.SWEEP_STALE_AFTER_MS },
    relay: { intervalMs: env.RELAY_INTERVAL_MS, afterMs: env.RELAY_AFTER_MS },
  };
}
export type JobSettings = ReturnType<typeof jobSettings>;
