import type { AppRouter } from "@reports/bff";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from "@trpc/client";
import { EventSource as EventSourcePonyfill } from "eventsource";
import { AbortError, ApiError, apiError, isProblem, NetworkError, unreachable } from "./errors";

/**
 * Any `EventSource` class (the browser's, the `eventsource` package's), typed structurally so the
 * declarations need neither the DOM library nor a Node version that has one.
 */
export type EventSourceClass = new (
  url: string,
  // `never`: any init dictionary type is accepted, since the SDK passes none to a class of yours
  init?: never,
) => { readonly readyState: number; close(): void };

/** What a transport needs of the client's options. */
export interface TransportOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  fetch?: typeof globalThis.fetch | undefined;
  EventSource?: EventSourceClass | undefined;
}

/** `fetch` with the API key on every request (the key never goes to another origin, such as a file link). */
export function authorizedFetch(options: TransportOptions): typeof globalThis.fetch {
  const base = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  if (!options.apiKey) return base;
  const authorization = `Bearer ${options.apiKey}`;
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set("authorization", authorization);
    return base(input, { ...init, headers });
  };
}

/** The typed tRPC client: queries and mutations batched over fetch, the status subscription over SSE. */
export function createTransport(options: TransportOptions) {
  const url = `${options.baseUrl.replace(/\/+$/, "")}/trpc`;
  const fetch = authorizedFetch(options);
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        // the ponyfill (fetch-based) sends the API key; a browser's own EventSource cannot send headers
        true: options.EventSource
          ? httpSubscriptionLink({ url, EventSource: options.EventSource as unknown as typeof EventSourcePonyfill })
          : httpSubscriptionLink({ url, EventSource: EventSourcePonyfill, eventSourceOptions: { fetch } }),
        false: httpBatchLink({ url, fetch }),
      }),
    ],
  });
}

export type Transport = ReturnType<typeof createTransport>;

interface TrpcErrorData {
  code?: ApiError["code"];
  httpStatus?: number;
  errors?: ApiError["errors"];
  traceId?: string;
}

/**
 * Our typed error for anything a call threw: `ApiError`, `NetworkError` or `AbortError`. `apiUrl` is where
 * the call went: a browser's failed request to another origin then says it may be CORS.
 */
export function toSdkError(error: unknown, signal?: AbortSignal, apiUrl?: string): Error {
  if (signal?.aborted) return new AbortError(signal.reason);
  if (error instanceof ApiError || error instanceof NetworkError || error instanceof AbortError) return error;
  const failedFetch = (message: string, cause: unknown) =>
    apiUrl ? unreachable(message, cause, apiUrl) : new NetworkError(message, { cause });
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? {}) as TrpcErrorData;
    if (data.code) {
      const status = data.httpStatus ?? 500;
      // tRPC's own input validation sends zod's issue list as the message: say it in one line instead
      const detail = data.errors?.length && error.message.startsWith("[") ? summary(data.errors) : error.message;
      const problem = apiError(data.code, status, detail, { cause: error });
      const trace = data.traceId ? { traceId: data.traceId, instance: `urn:reports:trace:${data.traceId}` } : {};
      return new ApiError({ ...problem, ...trace, ...(data.errors ? { errors: data.errors } : {}) }, { cause: error });
    }
    // the BFF's middleware (auth, rate limits, outages) answers before tRPC runs, with problem+json
    const meta = error.meta as { response?: unknown; responseJSON?: unknown } | undefined;
    const body = Array.isArray(meta?.responseJSON) ? meta.responseJSON[0] : meta?.responseJSON;
    if (isProblem(body)) return new ApiError(body, { cause: error });
    if (isAbort(error.cause)) return new AbortError(error.cause);
    // no answer at all (fetch threw), rather than an answer that is not the API's
    if (!meta?.response && error.cause instanceof TypeError) return failedFetch(error.message, error);
    return new NetworkError(error.message, { cause: error });
  }
  if (isAbort(error)) return new AbortError(error);
  if (error instanceof TypeError) return failedFetch(error.message, error);
  return error instanceof Error ? error : new Error(String(error));
}

const isAbort = (error: unknown) => error instanceof Error && error.name === "AbortError";

const summary = (errors: ApiError["errors"]) =>
  `The request is not valid: ${errors.map((e) => `${e.path || "(body)"}: ${e.message}`).join("; ")}`;
