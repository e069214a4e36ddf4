import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import type { AppRouter } from "../../src/trpc";

const KEY_STORAGE = "reports.adminKey";

/** The operator's key, kept for this tab only. */
export const adminKey = {
  get: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  set: (key: string) => sessionStorage.setItem(KEY_STORAGE, key),
  clear: () => sessionStorage.removeItem(KEY_STORAGE),
};

/** The BFF's typed tRPC client, as the SDK uses it, sending the stored key. */
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

/** The API's error code of a failed call (our problem codes travel in `data.code`). */
export function errorCode(error: unknown): ApiErrorCode {
  if (error instanceof TRPCClientError) {
    const code = (error.data as { code?: string } | undefined)?.code;
    if (code === "UNAUTHORIZED" || code === "FORBIDDEN" || code === "NOT_FOUND") return code;
    // a 401 from the BFF's auth middleware comes back as problem+json, outside tRPC's envelope
    const status =
      (error.data as { httpStatus?: number } | undefined)?.httpStatus ??
      (error.meta as { response?: Response } | undefined)?.response?.status;
    if (status === 401) return "UNAUTHORIZED";
    if (status === 403) return "FORBIDDEN";
  }
  return "OTHER";
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
