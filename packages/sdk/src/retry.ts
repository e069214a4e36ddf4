import { AbortError, ApiError, NetworkError } from "./errors";

/** How a call is retried: `attempts` in all, the delay growing from `baseDelayMs` to `maxDelayMs`. */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 4_000 };

/** Resolves after `ms`, or rejects with `AbortError` when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError(signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The delay before attempt `attempt + 1`: exponential, capped, with up to 20% jitter off it. */
export function backoff(policy: RetryPolicy, attempt: number): number {
  const delay = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return Math.round(delay * (1 - Math.random() * 0.2));
}

/** Errors worth another try: the API was unreachable, rate limited or briefly unavailable. */
export const isTransient = (error: unknown) =>
  error instanceof NetworkError || (error instanceof ApiError && error.retryable);

/** Runs `call` until it succeeds, a non-transient error, or the last attempt. */
export async function withRetry<T>(call: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= policy.attempts || !isTransient(error) || signal?.aborted) throw error;
      await sleep(backoff(policy, attempt), signal);
    }
  }
}
