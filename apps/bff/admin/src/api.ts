import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import type { AppRouter } from "../../src/trpc/router";

const KEY_STORAGE = "reports.adminKey";

/** The operator's key, kept for this tab only (sessionStorage). */
export const adminKey = {
  get: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  set: (key: string): void => sessionStorage.setItem(KEY_STORAGE, key),
  clear: (): void => sessionStorage.removeItem(KEY_STORAGE),
};

/** The BFF's typed tRPC client (no transformer: dates travel as ISO strings), sending the stored key. */
export const api = createTRPCClient<AppRouter>({
  links: [
    httpBatchLink({
      url: "/trpc",
      headers: () => {
        const key = adminKey.get();
        return key ? { authorization: `Bearer ${key}` } : {};
      },
    }),
  ],
});

export type ApiErrorCode = "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "OTHER";

/** The API's error code of a failed call (tRPC's `data.code`, or the HTTP status when the error came from outside). */
export function errorCode(error: unknown): ApiErrorCode {
  if (!(error instanceof TRPCClientError)) return "OTHER";
  const data = error.data as { code?: unknown; httpStatus?: unknown } | null | undefined;
  const code = data?.code;
  if (code === "UNAUTHORIZED" || code === "FORBIDDEN" || code === "NOT_FOUND") return code;
  // a 401 from the BFF's auth middleware may come back as problem+json, outside tRPC's envelope
  const meta = error.meta as { response?: { status?: unknown } } | undefined;
  const status = typeof data?.httpStatus === "number" ? data.httpStatus : meta?.response?.status;
  if (status === 401) return "UNAUTHORIZED";
  if (status === 403) return "FORBIDDEN";
  if (status === 404) return "NOT_FOUND";
  return "OTHER";
}

/** Whether the error means the key no longer opens the dashboard. */
export const isAuthError = (error: unknown): boolean => {
  const code = errorCode(error);
  return code === "UNAUTHORIZED" || code === "FORBIDDEN";
};

/** A sentence for the operator. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    if (error.message === "Failed to fetch" || error.message === "NetworkError when attempting to fetch resource.") {
      return "The API could not be reached (network error).";
    }
    return error.message || error.name;
  }
  return String(error);
}
