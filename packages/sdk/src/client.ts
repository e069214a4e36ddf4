import type {
  DefinitionDetail,
  DefinitionSummary,
  GenerateFromDefinition,
  GenerateResult,
  ReportDefinition,
  ReportSpec,
  ReportStatus,
} from "./api-types";
import { fetchReportFile } from "./download";
import type { StreamedReportSpec, StreamedRows } from "./json-lines";
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from "./retry";
import { defaultUploadMode, generateStreamed, type UploadMode } from "./stream-generate";
import { authorizedFetch, createTransport, type TransportOptions, toSdkError } from "./transport";
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

export interface StreamedGenerateOptions extends GenerateOptions {
  /**
   * The rows of big tables, by table name, sent as gzipped JSON Lines to `POST /generate` as they are
   * read (tables not named here send the spec's own `rows`). A source (async iterable, iterable,
   * `ReadableStream`) is read once; a function returning one (or an array) can be read again, which lets
   * an upload that failed half-way be retried.
   */
  rows: Record<string, StreamedRows>;
  /**
   * `"stream"` sends the body as it is made (constant memory; Node, Deno, Bun, and browsers only over
   * HTTP/2); `"buffer"` compresses it whole first (memory of the gzipped size). Default: `"buffer"` in
   * browsers, `"stream"` elsewhere.
   */
  upload?: UploadMode;
}

/**
 * A report made from a saved definition: its name, the params and the rows of its tables by name. Give `P` (the
 * params' type) to have them checked at compile time: `generate<{ month: string }>({ definition, params, tables })`.
 */
export type DefinitionReport<P extends Record<string, unknown> = Record<string, unknown>> = Omit<
  GenerateFromDefinition,
  "params"
> &
  (Record<string, never> extends P ? { params?: P } : { params: P });

/** Report definitions: saved layouts, versioned, of which one is published. */
export interface DefinitionsClient {
  /**
   * Saves version 1 of a new definition (a draft until published); a name you already have rejects with
   * `ApiError` `ALREADY_EXISTS`.
   *
   * @example
   * await reports.definitions.create("sales-monthly", { formats: ["pdf"], title: "Sales {{params.month}}", tables: [...] });
   */
  create(name: string, definition: ReportDefinition, options?: { signal?: AbortSignal }): Promise<DefinitionSummary>;
  /** Your definitions, by name. */
  list(options?: { signal?: AbortSignal }): Promise<DefinitionSummary[]>;
  /** A definition with every version, newest first; another owner's or an unknown one rejects with `NOT_FOUND`. */
  get(name: string, options?: { signal?: AbortSignal }): Promise<DefinitionDetail>;
  /** Saves the next version (a draft: requests keep the published one until you publish this). */
  update(name: string, definition: ReportDefinition, options?: { signal?: AbortSignal }): Promise<DefinitionSummary>;
  /**
   * Makes `version` the one `generate({ definition })` uses when it names no version.
   *
   * @example
   * await reports.definitions.publish("sales-monthly", 2);
   */
  publish(name: string, version: number, options?: { signal?: AbortSignal }): Promise<DefinitionSummary>;
}

export interface ReportsClient {
  /** Report definitions: create, list, get, update, publish. */
  definitions: DefinitionsClient;
  /**
   * Queues a report; resolves as soon as it is stored and queued (`status: "queued"`).
   *
   * @example
   * const { requestId } = await reports.generate({
   *   format: "xlsx",
   *   title: "Q3 sales",
   *   tables: [{ name: "Orders", columns: [{ key: "amount", header: "Amount", type: "currency", currency: "EUR" }], rows: [{ amount: 1234.5 }] }],
   * });
   *
   * From a saved definition only its params and rows travel; without `version`, the published version is used,
   * and the status's `report.definition` names the version the report was made from. Give the params' type to
   * have them checked:
   *
   * @example
   * const { requestId } = await reports.generate<{ month: string }>({
   *   definition: "sales-monthly",
   *   params: { month: "2026-11" },
   *   tables: [{ name: "Orders", rows: [{ region: "North", amount: 1200 }] }],
   * });
   */
  generate<P extends Record<string, unknown> = Record<string, unknown>>(
    spec: ReportSpec | DefinitionReport<P>,
    options?: GenerateOptions,
  ): Promise<GenerateResult>;
  /**
   * Queues a big report (up to 1,048,575 rows) whose rows are streamed: gzipped JSON Lines, compressed
   * and sent as the rows are read, so neither side holds them whole. The API checks every row; a refused
   * row rejects with `ApiError` `VALIDATION_FAILED` whose `errors` name the line and the field.
   *
   * @example
   * async function* orders() { for (let id = 1; id <= 1_000_000; id++) yield { id, amount: id / 100 }; }
   * const { requestId } = await reports.generate(
   *   { format: "xlsx", title: "Orders", tables: [{ name: "Orders", columns: [{ key: "id", header: "Id" }, { key: "amount", header: "Amount", type: "currency" }] }] },
   *   { rows: { Orders: orders } }, // a function: a failed upload can be retried with fresh rows
   * );
   */
  generate(spec: StreamedReportSpec, options: StreamedGenerateOptions): Promise<GenerateResult>;
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
        throw toSdkError(error, signal, options.baseUrl);
      }
    };
    return retried ? withRetry(once, policy, signal) : once();
  };

  const getStatus: ReportsClient["getStatus"] = (requestId, { signal } = {}) =>
    call(() => trpc.reports.status.query({ requestId }, signal ? { signal } : {}), signal, true);

  const apiFetch = authorizedFetch(options);

  const definitions: DefinitionsClient = {
    create: (name, definition, { signal } = {}) =>
      call(() => trpc.definitions.create.mutate({ name, ...definition }, signal ? { signal } : {}), signal, false),
    list: async ({ signal } = {}) =>
      (await call(() => trpc.definitions.list.query(undefined, signal ? { signal } : {}), signal, true)).items,
    get: (name, { signal } = {}) =>
      call(() => trpc.definitions.get.query({ name }, signal ? { signal } : {}), signal, true),
    update: (name, definition, { signal } = {}) =>
      call(() => trpc.definitions.update.mutate({ name, definition }, signal ? { signal } : {}), signal, false),
    // publishing the same version twice answers the same: safe to retry
    publish: (name, version, { signal } = {}) =>
      call(() => trpc.definitions.publish.mutate({ name, version }, signal ? { signal } : {}), signal, true),
  };

  return {
    definitions,
    generate(
      spec: ReportSpec | StreamedReportSpec | DefinitionReport,
      { idempotencyKey = newIdempotencyKey(), signal, ...streamed }: GenerateOptions | StreamedGenerateOptions = {},
    ) {
      if ("definition" in spec) {
        const input = idempotencyKey === false ? spec : { ...spec, idempotencyKey };
        return call(
          () => trpc.definitions.generate.mutate(input, signal ? { signal } : {}),
          signal,
          idempotencyKey !== false,
        );
      }
      if ("rows" in streamed && streamed.rows) {
        return generateStreamed({
          apiUrl: options.baseUrl,
          fetch: apiFetch,
          policy,
          spec,
          rows: streamed.rows,
          idempotencyKey,
          upload: streamed.upload ?? defaultUploadMode(),
          signal,
        });
      }
      // without `rows`, the overloads admit only a full ReportSpec
      const whole = spec as ReportSpec;
      const input = idempotencyKey === false ? whole : { ...whole, idempotencyKey };
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
