import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0"], { error: "must be true or false" })
  .transform((v) => v === "true" || v === "1");

/** Where Redis keys and the status event channel live when `REDIS_PREFIX` is unset. */
export const DEFAULT_REDIS_PREFIX = "reports:";

/**
 * The connection settings every distributed process reads (BFF, worker). Credentials
 * and region for S3 also come from the AWS SDK's standard chain (`AWS_ACCESS_KEY_ID`, …).
 */
export const serviceEnv = z.object({
  /**
   * PostgreSQL: `postgres://user:password@host:5432/database`. Queries run as prepared statements: through PgBouncer,
   * use session pooling or transaction pooling from 1.21 (`max_prepared_statements`).
   */
  DATABASE_URL: z.string({ error: "DATABASE_URL is required (postgres://…)" }).regex(/^postgres(ql)?:\/\//, {
    error: "DATABASE_URL must be a postgres:// URL",
  }),
  /** RabbitMQ: `amqp://user:password@host:5672` (or `amqps://`). */
  RABBITMQ_URL: z.string({ error: "RABBITMQ_URL is required (amqp://…)" }).regex(/^amqps?:\/\//, {
    error: "RABBITMQ_URL must be an amqp:// or amqps:// URL",
  }),
  /** Without it, each process keeps its own in-process status cache. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, { error: "REDIS_URL must be a redis:// or rediss:// URL" })
    .optional(),
  /** Prefix of the exchange and queue names, so several deployments (or test runs) can share a broker. */
  QUEUE_PREFIX: z.string().default(""),
  /**
   * Prefix of every Redis key (statuses, rate limits, row budgets) and of the status event channel, so several
   * deployments (or test runs) can share a Redis: each BFF then hears only its own deployment's status events.
   */
  REDIS_PREFIX: z.string().min(1, { error: "REDIS_PREFIX must not be empty" }).default(DEFAULT_REDIS_PREFIX),
  /** The bucket that holds the reports (`reports/`) and the rows of streamed reports (`inputs/`). */
  S3_BUCKET: z.string({ error: "S3_BUCKET is required" }).min(1),
  /** Any S3-compatible endpoint (MinIO, R2, s3rver); leave unset for AWS. */
  S3_ENDPOINT: z.url({ error: "S3_ENDPOINT must be a URL" }).optional(),
  /** Path-style URLs (`endpoint/bucket/key`); `true` by default when `S3_ENDPOINT` is set. */
  S3_FORCE_PATH_STYLE: bool.optional(),
  /** `when_required` avoids aws-chunked uploads that some S3-compatible servers store verbatim. */
  S3_CHECKSUMS: z.enum(["when_required", "when_supported"]).optional(),
  /** The S3 region. */
  AWS_REGION: z.string().default("us-east-1"),
  /** S3 credentials; unset: the AWS SDK's default chain (instance role, profile, …). */
  AWS_ACCESS_KEY_ID: z.string().optional(),
  /** The secret of `AWS_ACCESS_KEY_ID`. */
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
  /** JSON logs on stdout, one event per line, at this level and above. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});
export type ServiceEnv = z.infer<typeof serviceEnv>;

export const envBool = bool;

/** A comma-separated list of host names or IP literals, as a lower-case set (unset: empty). */
export const envHostSet = z
  .string()
  .optional()
  .transform(
    (list) =>
      new Set(
        (list ?? "")
          .split(",")
          .map((h) => h.trim().toLowerCase())
          .filter(Boolean),
      ),
  );

/** One line naming every bad variable, for a process that refuses to start. */
function describeEnvError(app: string, error: z.ZodError): string {
  const problems = error.issues.map((i) => {
    const name = i.path.join(".");
    return name && !i.message.startsWith(name) ? `${name}: ${i.message}` : i.message;
  });
  return `${app}: invalid environment: ${problems.join("; ")}`;
}

/** The S3 driver's settings from a parsed environment (undefined values left out). */
export function s3ConfigFromEnv(env: ServiceEnv) {
  return {
    bucket: env.S3_BUCKET,
    region: env.AWS_REGION,
    ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT } : {}),
    ...(env.S3_FORCE_PATH_STYLE !== undefined ? { forcePathStyle: env.S3_FORCE_PATH_STYLE } : {}),
    ...(env.S3_CHECKSUMS ? { checksums: env.S3_CHECKSUMS } : {}),
    ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
      : {}),
  };
}

/**
 * Parses a process's environment with its schema, or stops the process with one line naming
 * every bad variable. Each app's `env.ts` calls it once at start-up.
 *
 * @example
 * const env = parseEnvOrExit(bffEnv, "reports bff", process.env);
 */
export function parseEnvOrExit<S extends z.ZodType>(schema: S, app: string, env: NodeJS.ProcessEnv): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  console.error(describeEnvError(app, parsed.error));
  process.exit(1);
}
