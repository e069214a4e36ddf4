export type StorageOperation = "put" | "get" | "head" | "delete" | "list" | "downloadUrl" | "ensureBucket";

/**
 * A storage failure the worker can classify without knowing the driver:
 * `retryable` is true for network errors, throttling and 5xx, false for 4xx and bad keys.
 *
 * @example
 * try { await storage.put(key, body, { contentType }); }
 * catch (e) { if (e instanceof StorageError && e.retryable) return release(e); throw e; }
 */
export class StorageError extends Error {
  override readonly name = "StorageError";
  readonly retryable: boolean;
  readonly operation: StorageOperation;
  readonly key: string | undefined;
  /** The HTTP status the server answered with, when there was an answer. */
  readonly statusCode: number | undefined;

  constructor(
    message: string,
    options: {
      retryable: boolean;
      operation: StorageOperation;
      key?: string;
      statusCode?: number;
      cause?: unknown;
    },
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
    this.operation = options.operation;
    this.key = options.key;
    this.statusCode = options.statusCode;
  }
}

// S3 answers some transient conditions with a 4xx status.
const RETRYABLE_S3_NAMES = new Set([
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "RequestTimeTooSkewed",
]);

// The codes the SDK's own retry strategy treats as a lost or unreachable connection.
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

// Local file-system conditions that can clear up on their own.
const RETRYABLE_FS_CODES = new Set(["EAGAIN", "EBUSY", "EMFILE", "ENFILE", "EIO", "ENOSPC", "ETIMEDOUT"]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  cause?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

function isRetryableS3(error: SdkErrorShape, depth = 0): boolean {
  if (error.name === "AbortError") return false;
  const status = error.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 400) {
    return status >= 500 || status === 429 || status === 408 || RETRYABLE_S3_NAMES.has(error.name ?? "");
  }
  if (error.$retryable !== undefined || RETRYABLE_S3_NAMES.has(error.name ?? "")) return true;
  if (NETWORK_CODES.has(error.code ?? "")) return true;
  return typeof error.cause === "object" && error.cause !== null && depth < 5
    ? isRetryableS3(error.cause as SdkErrorShape, depth + 1)
    : false;
}

/**
 * Wraps an AWS SDK error: an HTTP answer ≥ 500 (or 408/429/throttling) and a lost or refused
 * connection are retryable; another 4xx, or an error from our own side (config, credentials), is not.
 */
export function fromS3Error(error: unknown, operation: StorageOperation, key?: string): StorageError {
  if (error instanceof StorageError) return error;
  const e = (typeof error === "object" && error !== null ? error : {}) as SdkErrorShape;
  const statusCode = e.$metadata?.httpStatusCode;
  const name = e.code ?? e.name ?? "Error";
  const detail = error instanceof Error ? error.message : String(error);
  return new StorageError(`S3 ${operation} failed${key ? ` for ${key}` : ""}: ${name}: ${detail}`, {
    retryable: isRetryableS3(e),
    operation,
    ...(key === undefined ? {} : { key }),
    ...(statusCode === undefined ? {} : { statusCode }),
    cause: error,
  });
}

/** Wraps a file-system error of the local driver. */
export function fromFsError(error: unknown, operation: StorageOperation, key?: string): StorageError {
  if (error instanceof StorageError) return error;
  const code = (error as { code?: string } | null)?.code;
  const detail = error instanceof Error ? error.message : String(error);
  return new StorageError(`local ${operation} failed${key ? ` for ${key}` : ""}: ${detail}`, {
    retryable: code !== undefined && RETRYABLE_FS_CODES.has(code),
    operation,
    ...(key === undefined ? {} : { key }),
    cause: error,
  });
}
