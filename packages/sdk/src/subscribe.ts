import type { ReportStatus } from "./api-types";
import { NetworkError } from "./errors";
import { type Transport, toSdkError } from "./transport";

export interface StatusSubscription {
  /** Each status pushed by the API: the current one first, then every change. */
  onStatus(status: ReportStatus): void;
  /** The stream failed or ended early (an error, a dropped connection, nothing within `startTimeoutMs`). */
  onFail(error: Error): void;
}

/**
 * Subscribes to `reports.onStatus` over SSE until `signal` aborts. Calls `onFail` at most once, and
 * then stops: a stream that cannot connect, drops, or sends nothing within `startTimeoutMs` (a proxy
 * that buffers it) is reported rather than retried, so the caller can poll instead.
 */
export function subscribeStatus(
  trpc: Transport,
  requestId: string,
  handlers: StatusSubscription,
  options: { signal: AbortSignal; startTimeoutMs: number },
): void {
  const { signal } = options;
  let failed = false;
  const fail = (error: Error) => {
    clearTimeout(startTimer);
    if (failed || signal.aborted) return;
    failed = true;
    subscription.unsubscribe();
    handlers.onFail(error);
  };
  const startTimer = setTimeout(
    () => fail(new NetworkError(`no status arrived over SSE within ${options.startTimeoutMs} ms`)),
    options.startTimeoutMs,
  );
  const subscription = trpc.reports.onStatus.subscribe(
    { requestId },
    {
      onData: (event) => {
        clearTimeout(startTimer);
        if (!failed && !signal.aborted) handlers.onStatus(event.data);
      },
      onError: (error) => fail(toSdkError(error)),
      onConnectionStateChange: (state) => {
        if (state.state === "connecting" && state.error) fail(toSdkError(state.error));
      },
      onComplete: () => fail(new NetworkError("the status stream ended before a final status")),
    },
  );
  signal.addEventListener(
    "abort",
    () => {
      clearTimeout(startTimer);
      subscription.unsubscribe();
    },
    { once: true },
  );
}
