import type { GenerateResult } from "./api-types";
import { AbortError, ApiError, apiError, errorOfResponse } from "./errors";
import { checkRowNames, isReplayable, jsonLinesBody, type StreamedReportSpec, type StreamedRows } from "./json-lines";
import { backoff, isTransient, type RetryPolicy, sleep } from "./retry";
import { toSdkError } from "./transport";

/** How the gzipped body goes out: streamed as it is made, or made whole (compressed) first. */
export type UploadMode = "stream" | "buffer";

export interface StreamedUpload {
  apiUrl: string;
  /** `fetch` with the API key. */
  fetch: typeof globalThis.fetch;
  policy: RetryPolicy;
  spec: StreamedReportSpec;
  rows: Record<string, StreamedRows>;
  idempotencyKey: string | false;
  upload: UploadMode;
  signal?: AbortSignal | undefined;
}

/**
 * Whether this runtime can send a request body as a stream over HTTP/1.1. Browsers cannot: Chromium
 * streams request bodies only over HTTP/2 and HTTP/3, Firefox and Safari not at all.
 */
export function defaultUploadMode(): UploadMode {
  const scope = globalThis as { document?: unknown; WorkerGlobalScope?: unknown };
  return scope.document !== undefined || scope.WorkerGlobalScope !== undefined ? "buffer" : "stream";
}

/**
 * `POST /generate` with the report as gzipped JSON Lines. Retried like `generate` (network errors, 429,
 * 503, with the same idempotency key) when the body can be sent again: a buffered body always, a streamed
 * one when every row source is a function, or when the failure came before any row was read.
 */
export async function generateStreamed(upload: StreamedUpload): Promise<GenerateResult> {
  const unknown = checkRowNames(upload.spec, upload.rows);
  if (unknown.length > 0) {
    const errors = unknown.map((name) => ({ path: `rows.${name}`, message: "no table of the spec has this name" }));
    const problem = apiError("VALIDATION_FAILED", 400, `No table named ${unknown.join(", ")} in the spec.`);
    throw new ApiError({ ...problem, errors });
  }
  const { signal, policy } = upload;
  const headers: Record<string, string> = { "content-type": "application/x-ndjson", "content-encoding": "gzip" };
  if (upload.idempotencyKey !== false) headers["idempotency-key"] = upload.idempotencyKey;
  const url = `${upload.apiUrl.replace(/\/+$/, "")}/generate`;

  // a buffered body is made once (compressed, as a Blob that browsers may keep on disk) and sent again as is
  const buffered = upload.upload === "buffer" ? await compressWhole(upload.spec, upload.rows, signal) : null;

  for (let attempt = 1; ; attempt++) {
    let started = false;
    let sourceError: unknown;
    const stop = new AbortController();
    const body =
      buffered ??
      jsonLinesBody(upload.spec, upload.rows, {
        stop: stop.signal,
        onStart: () => {
          started = true;
        },
        onSourceError: (error) => {
          sourceError = error;
        },
      });
    try {
      return await send(url, body, headers, upload.fetch, signal);
    } catch (thrown) {
      // the rows themselves failed (a source threw, a row was not an object): that is the caller's error
      if (sourceError !== undefined && !signal?.aborted) throw sourceError;
      const error = toSdkError(thrown, signal, upload.apiUrl);
      const again = buffered !== null || isReplayable(upload.rows) || !started;
      if (!again || attempt >= policy.attempts || !isTransient(error) || signal?.aborted) throw error;
      if (upload.idempotencyKey === false) throw error;
      await sleep(backoff(policy, attempt), signal);
    } finally {
      stop.abort(); // a failed or early-answered upload leaves rows unread: close their sources
    }
  }
}

async function compressWhole(
  spec: StreamedReportSpec,
  rows: Record<string, StreamedRows>,
  signal: AbortSignal | undefined,
): Promise<Blob> {
  let sourceError: unknown;
  const body = jsonLinesBody(spec, rows, {
    ...(signal ? { stop: signal } : {}),
    onSourceError: (error) => {
      sourceError = error;
    },
  });
  let blob: Blob;
  try {
    blob = await new Response(body).blob();
  } catch (error) {
    throw sourceError ?? error;
  }
  // aborting closes the rows, which ends the body early: never send what was cut short
  if (signal?.aborted) throw new AbortError(signal.reason);
  return blob;
}

async function send(
  url: string,
  body: ReadableStream<Uint8Array> | Blob,
  headers: Record<string, string>,
  fetch: typeof globalThis.fetch,
  signal: AbortSignal | undefined,
): Promise<GenerateResult> {
  // stops the upload when the API answers before it has read the whole body (a refused spec or row)
  const upload = new AbortController();
  const onAbort = () => upload.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const init: RequestInit & { duplex?: "half" } = { method: "POST", headers, body, signal: upload.signal };
    if (body instanceof ReadableStream) init.duplex = "half";
    const response = await fetch(url, init);
    if (response.ok) return (await response.json()) as GenerateResult;
    throw await errorOfResponse(response, "The API refused the upload");
  } catch (error) {
    if (signal?.aborted) throw new AbortError(signal.reason);
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    upload.abort();
  }
}
