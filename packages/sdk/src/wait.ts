import type { ReportState, ReportStatus } from "./api-types";
import {
  AbortError,
  ApiError,
  ReportCancelledError,
  ReportExpiredError,
  ReportFailedError,
  TimeoutError,
} from "./errors";
import { isTransient, sleep } from "./retry";
import { subscribeStatus } from "./subscribe";
import type { Transport } from "./transport";

export interface WaitOptions {
  /** Resolve once the report is in this state, or final (default `"final"`: `done`; `error` rejects). */
  until?: "final" | ReportState;
  /** Give up after this long with `TimeoutError` (default 5 minutes). */
  timeoutMs?: number;
  /** Aborting it rejects with `AbortError`. */
  signal?: AbortSignal;
  /** Called with every newer status seen while waiting, progress updates included. */
  onUpdate?: (status: ReportStatus) => void;
  /** `"auto"` (default): pushed over SSE, polling when SSE fails; `"sse"` or `"polling"` only. */
  transport?: "auto" | "sse" | "polling";
  /** How long SSE gets to deliver the first status before `"auto"` polls instead (default 5 s). */
  sseStartTimeoutMs?: number;
  /** First delay between polls (default 250 ms), growing by half each time up to `maxIntervalMs` (default 2 s). */
  intervalMs?: number;
  maxIntervalMs?: number;
}

const FINAL = new Set<ReportState>(["done", "error", "cancelled", "expired"]);

/** Whether `next` moves a watcher forward from `last`: a later write, or more progress within one write. */
export function isNewer(next: ReportStatus, last: ReportStatus): boolean {
  if (next.updatedAt !== last.updatedAt) return next.updatedAt > last.updatedAt;
  if (next.status !== last.status) return FINAL.has(next.status);
  return (next.progress ?? -1) > (last.progress ?? -1);
}

interface WaitClient {
  trpc: Transport;
  getStatus(requestId: string, options: { signal?: AbortSignal }): Promise<ReportStatus>;
}

/** `waitForStatus` of the client: see `ReportsClient.waitForStatus`. */
export function waitForStatus(client: WaitClient, requestId: string, options: WaitOptions = {}): Promise<ReportStatus> {
  const { until = "final", timeoutMs = 300_000, signal, transport = "auto" } = options;
  const stop = new AbortController();
  return new Promise<ReportStatus>((resolve, reject) => {
    let last: ReportStatus | null = null;
    const finish = (error: Error | null, status?: ReportStatus) => {
      if (stop.signal.aborted) return;
      stop.abort();
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve(status as ReportStatus);
    };
    const onAbort = () => finish(new AbortError(signal?.reason));
    const timer = setTimeout(() => finish(new TimeoutError(requestId, timeoutMs, last)), timeoutMs);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });

    const see = (status: ReportStatus) => {
      if (stop.signal.aborted || (last && !isNewer(status, last))) return;
      last = status;
      try {
        options.onUpdate?.(status);
      } catch (error) {
        return finish(error instanceof Error ? error : new Error(String(error)));
      }
      if (status.status === "error" && until !== "error") finish(new ReportFailedError(status));
      else if (status.status === "cancelled" && until !== "cancelled") finish(new ReportCancelledError(status));
      else if (status.status === "expired" && until !== "expired") finish(new ReportExpiredError(status));
      else if (status.status === until || FINAL.has(status.status)) finish(null, status);
    };

    const poll = async () => {
      let interval = options.intervalMs ?? 250;
      while (!stop.signal.aborted) {
        try {
          see(await client.getStatus(requestId, { signal: stop.signal }));
        } catch (error) {
          // an unreachable API is waited out until the timeout; a real answer (404, 401, …) ends the wait
          if (stop.signal.aborted) return;
          if (!isTransient(error) || !(error instanceof Error)) return finish(toError(error));
        }
        await sleep(interval, stop.signal).catch(() => {});
        interval = Math.min(interval * 1.5, options.maxIntervalMs ?? 2_000);
      }
    };

    if (transport === "polling") {
      void poll();
      return;
    }
    subscribeStatus(
      client.trpc,
      requestId,
      {
        onStatus: see,
        onFail: (error) => {
          if (transport === "sse" || (error instanceof ApiError && !error.retryable)) finish(error);
          else void poll();
        },
      },
      { signal: stop.signal, startTimeoutMs: options.sseStartTimeoutMs ?? 5_000 },
    );
  });
}

const toError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));
