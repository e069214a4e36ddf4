import type { ApiErrorCode, FieldError } from "@reports/contracts";
import { TRPCClientError } from "@trpc/client";

/** An error answer of the API, with the code of its error catalog. */
export class ReportsApiError extends Error {
  override readonly name = "ReportsApiError";
  constructor(
    message: string,
    readonly code: ApiErrorCode | "NETWORK",
    readonly httpStatus: number | null,
    readonly errors: FieldError[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `waitForStatus` gave up before the report reached the state it waited for. */
export class ReportsTimeoutError extends Error {
  override readonly name = "ReportsTimeoutError";
  constructor(
    readonly requestId: string,
    readonly timeoutMs: number,
  ) {
    super(`report ${requestId} did not finish within ${timeoutMs} ms`);
  }
}

interface ErrorData {
  code?: ApiErrorCode;
  httpStatus?: number;
  errors?: FieldError[];
}

/** Our error for anything the tRPC client threw. */
export function toReportsError(error: unknown): unknown {
  if (!(error instanceof TRPCClientError)) return error;
  const data = (error.data ?? {}) as ErrorData;
  if (!data.code) return new ReportsApiError(error.message, "NETWORK", null, [], { cause: error });
  return new ReportsApiError(error.message, data.code, data.httpStatus ?? null, data.errors ?? [], { cause: error });
}
