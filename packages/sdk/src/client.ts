import type { GenerateResult, ReportSpec, ReportStatus } from "./api-types";
import { fetchReportFile } from "./download";
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from "./retry";
import { createTransport, type TransportOptions, toSdkError } from "./transport";
import { type WaitOptions, waitForStatus } from "./wait";

export interface ReportsClientOptions {
  /** Where the API runs, e.g. `https://reports.example.com` or `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>` on every request to the API. */
  apiKey?: string;
  /** A `fetch` implementation (default: the global one). */
  fetch?: typeof globalThis.fetch;
  /**
   * An `EventSource` class for the status stream. By default a bundled fetch-based one is used, which
   * sends the API key; a browser's own `EventSource` cannot send headers (only cookies).
   */
  EventSource?: TransportOptions["EventSource"];
  /** How reads, and `generate` with an idempotency key, are retried on network errors, 429 and 503. */
  retry?: Partial<RetryPolicy>;
}

export interface GenerateOptions {
  /**
   * Makes retries safe: the API runs one report per key and answers a repeat with the first request.
   * A random key is made for each call by default; `false` sends none (and then the call is not retried).
   */
  idempotencyKey?: string | false;
  signal?: AbortSignal;
}

export interface ReportsClient {
  /**
   * Queues a report; resolves as soon as it is stored and queued (`status: "queued"`).
   *
   * @example
   * const { requestId } = await reports.generate({
   *   format: "xlsx",
   *   title: "Q3 sales",
   *   tables: [{ name: "Orders", columns: [{ key: "amount", header: "Amount", type: "currency", currency: "EUR" }], rows: [{ amount: 1234.5 }] }],
   * });
   */
  generate(spec: ReportSpec, options?: GenerateOptions): Promise<GenerateResult>;
  /**
   * The current status; `url` is a fresh, expiring download link once `done`.
   *
   * @example
   * const { status, progress } = await reports.getStatus(requestId);
   */
  getStatus(requestId: string, options?: { signal?: AbortSignal }): Promise<ReportStatus>;
  /**
   * Waits for the report: pushed over SSE (the current status at once, then every change, progress
   * included), polling with backoff when SSE is unavailable. Resolves with the final status; rejects with
   * `ReportFailedError` (the report ended in `error`), `TimeoutError`, `AbortError` or `ApiError`.
   *
   * @example
   * const done = await reports.waitForStatus(requestId, {
   *   timeoutMs: 60_000,
   *   onUpdate: (s) => console.log(s.status, s.progress ?? ""),
   * });
   * console.log(done.url);
   */
  waitForStatus(requestId: string, options?: WaitOptions): Promise<ReportStatus>;
  /**
   * The finished report's file as a `Response` (read it with `.blob()`, `.arrayBuffer()` or `.body`).
   * Rejects with `ReportFailedError` for a failed report and `ApiError` `NOT_READY` for an unfinished one.
   *
   * @example
   * const file = await reports.download(requestId);
   * await writeFile("q3.xlsx", new Uint8Array(await file.arrayBuffer()));
   */
  download(requestId: string, options?: { signal?: AbortSignal }): Promise<Response>;
  /**
   * Cancels a queued or processing report and resolves with its `cancelled` status (again for one already
   * cancelled); a `done` or `error` report rejects with `ApiError` `NOT_CANCELLABLE`. Waiting on it then rejects with `ReportCancelledError`.
   *
   * @example
   * await reports.cancel(requestId);
   */
  cancel(requestId: string, options?: { signal?: AbortSignal }): Promise<ReportStatus>;
}

/** A key for one `generate` call; `crypto.randomUUID` where there is one (browsers' secure contexts, Node). */
function newIdempotencyKey(): string {
  const uuid = globalThis.crypto?.randomUUID?.();
  return (
    uuid ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`
  );
}

/**
 * A typed client of the Reports API, for browsers and Node (20+).
 *
 * @example
 * import { createReportsClient } from "@reports/sdk";
 *
 * const reports = createReportsClient({ baseUrl: "http://127.0.0.1:3000", apiKey: key });
 * const { requestId } = await reports.generate({ format: "pdf", title: "Sales", tables: [...] });
 * const done = await reports.waitForStatus(requestId, { onUpdate: (s) => console.log(s.progress) });
 * const file = await reports.download(requestId);
 */
export function createReportsClient(options: ReportsClientOptions): ReportsClient {
  const trpc = createTransport(options);
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const fileFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  const call = async <T>(run: () => Promise<T>, signal: AbortSignal | undefined, retried: boolean): Promise<T> => {
    const once = async () => {
      try {
        return await run();
      } catch (error) {
        throw toSdkError(error, signal);
      }
    };
    return retried ? withRetry(once, policy, signal) : once();
  };

  const getStatus: ReportsClient["getStatus"] = (requestId, { signal } = {}) =>
    call(() => trpc.reports.status.query({ requestId }, signal ? { signal } : {}), signal, true);

  return {
    generate(spec, { idempotencyKey = newIdempotencyKey(), signal } = {}) {
      const input = idempotencyKey === false ? spec : { ...spec, idempotencyKey };
      return call(
        () => trpc.reports.generate.mutate(input, signal ? { signal } : {}),
        signal,
        idempotencyKey !== false,
      );
    },
    getStatus,
    waitForStatus: (requestId, waitOptions) => waitForStatus({ trpc, getStatus }, requestId, waitOptions),
    async download(requestId, { signal } = {}) {
      return fetchReportFile(await getStatus(requestId, signal ? { signal } : {}), fileFetch, signal);
    },
    // cancelling twice answers the same: safe to retry
    cancel: (requestId, { signal } = {}) =>
      call(() => trpc.reports.cancel.mutate({ requestId }, signal ? { signal } : {}), signal, true),
  };
}
