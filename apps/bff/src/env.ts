import { envBool, envHostSet, parseEnvOrExit, SPEC_LIMITS, serviceEnv } from "@reports/contracts";
import { z } from "zod";

/** Settings of the API itself, shared by the distributed BFF and the embedded mode. */
export const bffSettings = z.object({
  /** `production` refuses `AUTH_MODE=none`. */
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** The HTTP port (0: any free port). */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The address to listen on; `0.0.0.0` for every interface (in a container). */
  HOST: z.string().default("127.0.0.1"),
  /**
   * The port of the distributed BFF's Prometheus `GET /metrics` (e.g. 9465, as the Kubernetes manifests set it),
   * never the API's: its traffic, routes and error rates are not for the public. 0: no metrics served. The embedded
   * mode (`pnpm start`) serves none.
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** The address of the metrics port; `0.0.0.0` in a container, for the scraper. */
  METRICS_HOST: z.string().default("127.0.0.1"),
  /** `apikey`: keys made with `pnpm --filter @reports/bff keys create`; `jwt`: bearer JWTs; `none`: no auth. */
  AUTH_MODE: z.enum(["none", "apikey", "jwt"]).default("none"),
  /** How long a known API key is remembered (0: every request asks the database); a revoked key works this long. */
  API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(30),
  /**
   * Statuses each BFF process holds in memory in front of Redis (with REDIS_URL): a status read answers without
   * a round trip while the process receives every status event, which keeps the entries exact. 0: every read asks Redis.
   */
  STATUS_MEMORY_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
  /**
   * Failed authentications (no, unknown or invalid credentials) a client address may make per minute; past it,
   * `429` with `Retry-After` before any key is looked up. Behind a proxy every client shares its address. 0: no limit.
   */
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(0).default(60),
  /** HS256 secret for `jwt` mode (or set JWT_JWKS_URL). */
  JWT_SECRET: z.string().min(32, { error: "JWT_SECRET must be at least 32 characters" }).optional(),
  /** JWKS endpoint for `jwt` mode with asymmetric keys. */
  JWT_JWKS_URL: z.url({ error: "JWT_JWKS_URL must be a URL" }).optional(),
  /** `jwt` mode: the `iss` a token must carry (unset: not checked). */
  JWT_ISSUER: z.string().optional(),
  /** `jwt` mode: the `aud` a token must carry (unset: not checked). */
  JWT_AUDIENCE: z.string().optional(),
  /**
   * `jwt` mode: the longest a token may live. Every token must carry `exp`; one that expires further ahead than
   * this, or was issued (`iat`) longer ago, is refused with 401.
   */
  JWT_MAX_AGE_SECONDS: z.coerce.number().int().min(60).default(86_400),
  /** The claim that names the owner of a request. */
  JWT_OWNER_CLAIM: z.string().default("sub"),
  /** The claim that makes a token an operator's (dashboard, `admin` procedures) when it holds `JWT_ADMIN_VALUE`. */
  JWT_ADMIN_CLAIM: z.string().default("role"),
  /** The value (or one of the values, for an array claim) of `JWT_ADMIN_CLAIM` that marks an operator. */
  JWT_ADMIN_VALUE: z.string().default("admin"),
  /** Lifetime of a download link; a link is reused for status reads until half of it has passed. */
  DOWNLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(1).max(604_800).default(900),
  /**
   * How long `POST /generate` waits for the broker to confirm a report's message. A report is stored first and
   * answered `201` either way: what the broker did not take, the worker's relay publishes once it is back.
   */
  PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(1_000),
  /** How long an Idempotency-Key is remembered. */
  IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().min(1).default(86_400),
  /**
   * JSON bodies over this are refused with 413 before they are parsed. A JSON body is held whole while it is
   * parsed and checked (several times its size in heap); bigger reports stream as JSON Lines (MAX_UPLOAD_BYTES).
   */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  /**
   * Bytes on the wire of a report streamed as JSON Lines to `POST /generate` (gzipped or not): its rows go
   * to object storage as they arrive, so this bounds storage and time, not the BFF's memory.
   */
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024 * 1024),
  /**
   * Bytes of a gzipped JSON Lines body once decompressed: a small body must not inflate into hours of work.
   * (An uncompressed body is bounded by `MAX_UPLOAD_BYTES` already.)
   */
  MAX_UPLOAD_DECOMPRESSED_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024 * 1024),
  /**
   * Lines of a JSON Lines body, blank ones included: twice the most rows a report can have leaves room
   * for blank lines and table changes, and none for a body of nothing but newlines.
   */
  MAX_UPLOAD_LINES: z.coerce
    .number()
    .int()
    .positive()
    .default(2 * (SPEC_LIMITS.rowsPerReport + 1)),
  /** Time a JSON Lines body may take to arrive, from its first byte read to its last (413 past it). */
  UPLOAD_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(10 * 60 * 1000),
  /** Rows a report may hold over all its tables; more: 413 `LIMIT_EXCEEDED` naming the field. */
  MAX_ROWS: z.coerce.number().int().positive().max(SPEC_LIMITS.rowsPerReport).default(SPEC_LIMITS.rowsPerReport),
  /** Cells (rows × columns) a report may hold; more: 413 `LIMIT_EXCEEDED`. */
  MAX_CELLS: z.coerce.number().int().positive().default(10_000_000),
  /** Columns a table may have; more: 413 `LIMIT_EXCEEDED`. */
  MAX_COLUMNS: z.coerce.number().int().positive().max(SPEC_LIMITS.columnsPerTable).default(SPEC_LIMITS.columnsPerTable),
  /** Tables a report may have; more: 413 `LIMIT_EXCEEDED`. */
  MAX_TABLES: z.coerce.number().int().positive().max(SPEC_LIMITS.tables).default(SPEC_LIMITS.tables),
  /** Characters a cell may hold; more: 413 `LIMIT_EXCEEDED`. */
  MAX_STRING_LENGTH: z.coerce.number().int().positive().max(SPEC_LIMITS.stringLength).default(SPEC_LIMITS.stringLength),
  /** `POST /render` answers at once for reports up to this many rows; larger ones go through `/generate`. */
  SYNC_RENDER_MAX_ROWS: z.coerce.number().int().min(0).default(1_000),
  /** `POST /render` answers at once for reports up to this many cells. */
  SYNC_RENDER_MAX_CELLS: z.coerce.number().int().min(0).default(20_000),
  /** A `POST /render` that takes longer is stopped (413: queue it with `/generate`). */
  SYNC_RENDER_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Render threads of the BFF's own pool for `POST /render` (started on first use). */
  SYNC_RENDER_THREADS: z.coerce.number().int().min(1).max(16).default(1),
  /**
   * Synchronous renders (`POST /render`, `reports.render`) waiting for one of the `SYNC_RENDER_THREADS`, all owners
   * together; past it, 503 with `Retry-After` at once. 0: no waiting, only as many renders as threads.
   */
  SYNC_RENDER_QUEUE: z.coerce.number().int().min(0).default(8),
  /** Synchronous renders one owner may have running or waiting at once, per BFF process; past it, 429. */
  SYNC_RENDER_PER_OWNER: z.coerce.number().int().min(1).default(2),
  /** How long a synchronous render may wait for a thread before it is answered 503 with `Retry-After`. */
  SYNC_RENDER_WAIT_MS: z.coerce.number().int().min(0).default(5_000),
  /**
   * Open status streams (`GET /status/{id}/events` and the tRPC `reports.onStatus` subscription) one owner may
   * hold on one BFF process; one more is answered 429.
   */
  MAX_STREAMS_PER_OWNER: z.coerce.number().int().min(1).default(20),
  /** Open status streams of all owners on one BFF process; one more is answered 429 with `Retry-After`. */
  MAX_STREAMS: z.coerce.number().int().min(1).default(1_000),
  /**
   * Hosts a webhook may name although they are private, loopback or link-local IP literals (comma-separated, e.g.
   * `127.0.0.1`): any other such literal in `webhook.url` is a 400 at submission. The workers' setting of the same
   * name decides delivery; give both the same value.
   */
  WEBHOOK_ALLOWED_HOSTS: envHostSet,
  /**
   * Requests per owner per minute (a fixed window) on the report routes; 0 turns rate limiting off. With Redis, the
   * BFF replicas share one count, each judging requests itself from the count it last exchanged with Redis (every
   * 50 ms while the owner is busy): together they may let a few requests over in a burst.
   */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  /**
   * Rows per owner per minute over every report they queue (REST and tRPC, JSON and JSON Lines), so a
   * million-row report costs a million: past it, `429 RATE_LIMITED` with `Retry-After`. A JSON body is charged
   * when it arrives; a JSON Lines body as its rows stream in, refused mid-way with its stored rows removed. A
   * refused or replayed report costs nothing. At least MAX_ROWS; 0 turns it off.
   */
  ROWS_PER_MINUTE: z.coerce.number().int().min(0).default(5_000_000),
  /**
   * Origins a browser app may call the API from (comma-separated, e.g. `https://app.example.com`; `*` for any).
   * Empty: no CORS headers, same-origin only (put the API behind the app's own origin, or a proxy).
   */
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((list) =>
      (list ?? "")
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  /** Log one line per HTTP request. */
  LOG_REQUESTS: envBool.default(true),
});
export type BffSettings = z.infer<typeof bffSettings>;

/** Refuses settings that would run an unprotected or half-configured API. */
export function checkAuthSettings(env: BffSettings, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV === "production" && env.AUTH_MODE === "none") {
    ctx.addIssue({
      code: "custom",
      path: ["AUTH_MODE"],
      message: "AUTH_MODE=none is refused with NODE_ENV=production: use apikey or jwt",
    });
  }
  if (env.AUTH_MODE === "jwt" && !env.JWT_SECRET && !env.JWT_JWKS_URL) {
    ctx.addIssue({ code: "custom", path: ["JWT_SECRET"], message: "AUTH_MODE=jwt needs JWT_SECRET or JWT_JWKS_URL" });
  }
}

/** Refuses limits that contradict each other. */
export function checkLimitSettings(env: BffSettings, ctx: z.RefinementCtx): void {
  if (env.ROWS_PER_MINUTE > 0 && env.ROWS_PER_MINUTE < env.MAX_ROWS) {
    ctx.addIssue({
      code: "custom",
      path: ["ROWS_PER_MINUTE"],
      message: `ROWS_PER_MINUTE must be 0 or at least MAX_ROWS (${env.MAX_ROWS}): a report that big could never be queued`,
    });
  }
}

export const bffEnv = serviceEnv
  .extend(bffSettings.shape)
  .superRefine(checkAuthSettings)
  .superRefine(checkLimitSettings);
export type BffEnv = z.infer<typeof bffEnv>;

/** Parses the BFF's environment once at start-up; a bad setting stops it with one line naming the variable. */
export function readBffEnv(env: NodeJS.ProcessEnv = process.env): BffEnv {
  return parseEnvOrExit(bffEnv, "reports bff", env);
}

const keysEnv = z.object({
  DATABASE_URL: z.string({
    error: "DATABASE_URL is required: a postgres:// URL, or the embedded database's directory",
  }),
});

/** The keys command's settings. */
export function readKeysEnv(env: NodeJS.ProcessEnv = process.env): z.infer<typeof keysEnv> {
  return parseEnvOrExit(keysEnv, "reports keys", env);
}

const storageInitEnv = serviceEnv.pick({
  S3_BUCKET: true,
  S3_ENDPOINT: true,
  S3_FORCE_PATH_STYLE: true,
  S3_CHECKSUMS: true,
  AWS_REGION: true,
  AWS_ACCESS_KEY_ID: true,
  AWS_SECRET_ACCESS_KEY: true,
});

/** The settings of the one-shot bucket creation (`storage-init`): the S3 ones only. */
export function readStorageInitEnv(env: NodeJS.ProcessEnv = process.env): z.infer<typeof storageInitEnv> {
  return parseEnvOrExit(storageInitEnv, "reports storage-init", env);
}
