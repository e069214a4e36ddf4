import type { AppRouter } from "@reports/bff";
import type { GenerateResult, ReportSpecInput, ReportState, ReportStatus } from "@reports/contracts";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { ReportsTimeoutError, toReportsError } from "./errors";

export interface ReportsClientOptions {
  /** Where the API runs, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof globalThis.fetch;
}

export interface WaitOptions {
  /** Give up after this long (default 5 minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with every status seen while waiting. */
  onUpdate?: (status: ReportStatus) => void;
  /** First delay between polls (default 250 ms); grows to `maxIntervalMs`. */
  intervalMs?: number;
  maxIntervalMs?: number;
}

const FINAL: ReadonlySet<ReportState> = new Set(["done", "error"]);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * A typed client of the Reports API.
 *
 * @example
 * const reports = createReportsClient({ baseUrl: "http://127.0.0.1:3000" });
 * const { requestId } = await reports.generate({ format: "xlsx", title: "Sales", tables: [...] });
 * const status = await reports.waitForStatus(requestId, { timeoutMs: 60_000 });
 * if (status.status === "done") console.log(status.url);
 */
export function createReportsClient(options: ReportsClientOptions) {
  const trpc = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${options.baseUrl.replace(/\/$/, "")}/trpc`,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    ],
  });

  const call = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toReportsError(error);
    }
  };

  const getStatus = (requestId: string): Promise<ReportStatus> => call(() => trpc.reports.status.query({ requestId }));

  return {
    /** Queues a report; resolves with its id as soon as it is stored and queued. */
    generate: (spec: ReportSpecInput, opts: { signal?: AbortSignal } = {}): Promise<GenerateResult> =>
      call(() => trpc.reports.generate.mutate(spec, opts.signal ? { signal: opts.signal } : {})),

    /** The current status; `url` is a fresh, expiring download link once `done`. */
    getStatus,

    /**
     * Polls until the report is `done` or `error` (both resolve; check `status`),
     * with a growing interval. Rejects with `ReportsTimeoutError` or the signal's reason.
     */
    async waitForStatus(requestId: string, opts: WaitOptions = {}): Promise<ReportStatus> {
      const timeoutMs = opts.timeoutMs ?? 300_000;
      const deadline = Date.now() + timeoutMs;
      let interval = opts.intervalMs ?? 250;
      for (;;) {
        opts.signal?.throwIfAborted();
        const status = await getStatus(requestId);
        opts.onUpdate?.(status);
        if (FINAL.has(status.status)) return status;
        const left = deadline - Date.now();
        if (left <= 0) throw new ReportsTimeoutError(requestId, timeoutMs);
        await sleep(Math.min(interval, left), opts.signal);
        interval = Math.min(interval * 1.5, opts.maxIntervalMs ?? 2_000);
      }
    },
  };
}

export type ReportsClient = ReturnType<typeof createReportsClient>;
