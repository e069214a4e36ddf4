import { hash } from "node:crypto";
import {
  type CachedStatus,
  type DefinitionRef,
  downloadName,
  type GenerateResult,
  inputKeys,
  type ReportSpec,
  type ReportStatus,
  requestId as requestIdSchema,
  rowCount,
  type StoredInput,
  toReportStatus,
} from "@reports/contracts";
import { IdempotencyKeyReusedError, type RequestSummary, toCachedStatus } from "@reports/db";
import { loadAssets, RenderError, type RenderedFile } from "@reports/renderers";
import { logoProblem } from "../definitions/logos";
import type { AppDeps } from "../deps";
import { ApiError, ClientGoneError } from "../http/errors";
import { overLimits } from "./limits";
import { overRowBudget } from "./row-budget";
import { webhookUrlProblem } from "./webhook-url";

/** Who asks for a report, and what it was made from. */
export interface Caller {
  owner: string;
  idempotencyKey?: string | undefined;
  /** The definition version the spec was resolved from. */
  definition?: DefinitionRef | undefined;
  /** What an idempotency key is bound to, when not the spec itself (a request naming a definition: its body). */
  bodyHash?: string | undefined;
}

/**
 * Stores a validated spec as `queued` and queues it. REST and tRPC both call this.
 * The row is stored before the message is published, so a crash in between leaves a
 * `queued` row to republish, never a message without a row. Its rows are taken from the owner's row budget
 * (a streamed report's were, as they arrived); a refused or replayed report gives them back.
 */
export async function createReport(
  deps: AppDeps,
  spec: ReportSpec,
  caller: Caller,
  streamed?: { input: StoredInput; bodyHash: string; charged: number },
): Promise<{ result: GenerateResult; replayed: boolean }> {
  // a streamed report's rows were taken as they arrived (none if it replays a key)
  let rows = streamed?.charged ?? 0;
  if (!streamed) {
    const waitSeconds = await deps.rowBudget.take(caller.owner, rowCount(spec));
    if (waitSeconds === null) rows = rowCount(spec);
    else if (!(await isReplay(deps, caller))) throw overRowBudget(deps.settings.rowsPerMinute, waitSeconds);
  }
  try {
    const created = await storeAndQueue(deps, spec, caller, streamed);
    if (created.replayed) await deps.rowBudget.refund(caller.owner, rows);
    return created;
  } catch (error) {
    await deps.rowBudget.refund(caller.owner, rows);
    throw error;
  }
}

/** A request under a live idempotency key of its owner's only replays it: it costs no rows, even past the budget. */
export async function isReplay(deps: AppDeps, caller: Caller): Promise<boolean> {
  return caller.idempotencyKey ? deps.repo.hasIdempotencyKey(caller.owner, caller.idempotencyKey) : false;
}

async function storeAndQueue(
  deps: AppDeps,
  spec: ReportSpec,
  caller: Caller,
  streamed?: { input: StoredInput; bodyHash: string },
): Promise<{ result: GenerateResult; replayed: boolean }> {
  const webhookProblem = spec.webhook ? webhookUrlProblem(spec.webhook.url, deps.settings.webhookAllowedHosts) : null;
  if (webhookProblem)
    throw new ApiError("VALIDATION_FAILED", "The webhook URL cannot be delivered to.", [webhookProblem]);
  const logo = await logoProblem(deps, caller.owner, spec);
  if (logo) throw new ApiError("VALIDATION_FAILED", "The report's logo cannot be used; see errors.", [logo]);
  const problems = overLimits(spec, deps.settings.limits);
  if (problems.length > 0) {
    throw new ApiError("LIMIT_EXCEEDED", "The report is over this server's limits; see errors.", problems);
  }
  const { row, replayed } = caller.idempotencyKey
    ? await createIdempotent(deps, spec, caller, caller.idempotencyKey, streamed)
    : { row: await createRow(deps, spec, caller, streamed), replayed: false };
  const result = { requestId: row.requestId, status: row.status, createdAt: row.createdAt.toISOString() };
  if (replayed) {
    // the first request's rows are the ones that count
    if (streamed) await deleteInput(deps, streamed.input);
    // its publish may have failed: send it again (the worker's claim makes a duplicate harmless)
    if (row.status === "queued" && row.enqueuedAt === null) await publishStored(deps, row);
    return { result, replayed };
  }
  await deps.cache.set(toCachedStatus(row));
  await publishStored(deps, row);
  deps.metrics.reportsCreated.inc({ format: row.format });
  deps.logger.info(
    { requestId: row.requestId, format: row.format, rowCount: row.rowCount, owner: row.owner },
    "report queued",
  );
  return { result, replayed };
}

/**
 * Publishes a stored request's message and records it. The stored row is the outbox: when the broker is away or
 * slow (the queue gives up after its publish timeout), the request stays `queued` with no `enqueuedAt`, and the
 * worker's relay publishes it within seconds of the broker's return. A client never waits on the broker longer
 * than the timeout, and never gets an error for a request that is stored.
 */
async function publishStored(deps: AppDeps, row: RequestSummary): Promise<void> {
  try {
    await deps.queue.publish({ requestId: row.requestId, attempt: row.attempts + 1 });
  } catch (error) {
    deps.logger.warn({ err: error, requestId: row.requestId }, "publish failed; the relay will send it");
    return;
  }
  await deps.repo.markEnqueued(row.requestId).catch((error: unknown) => {
    // without the mark the relay sends it once more: a harmless duplicate
    deps.logger.warn({ err: error, requestId: row.requestId }, "published, but not marked enqueued");
  });
}

/** Inserts the row; a streamed report's stored rows go when the insert fails (no request will read them). */
async function createRow(deps: AppDeps, spec: ReportSpec, caller: Caller, streamed?: { input: StoredInput }) {
  try {
    return await deps.repo.create(spec, {
      owner: caller.owner,
      ...(streamed ? { input: streamed.input } : {}),
      ...(caller.definition ? { definition: caller.definition } : {}),
    });
  } catch (error) {
    if (streamed) await deleteInput(deps, streamed.input);
    throw error;
  }
}

async function createIdempotent(
  deps: AppDeps,
  spec: ReportSpec,
  caller: Caller,
  key: string,
  streamed?: { input: StoredInput; bodyHash: string },
) {
  if (key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new ApiError("VALIDATION_FAILED", "The idempotency key must be 1 to 255 visible ASCII characters.", [
      { path: "idempotencyKey", message: "1 to 255 visible ASCII characters" },
    ]);
  }
  // without the raw body's hash (a tRPC call), the spec's JSON is hashed and then stored as it is
  const given = streamed?.bodyHash ?? caller.bodyHash;
  const specJson = given === undefined ? JSON.stringify(spec) : undefined;
  try {
    return await deps.repo.createIdempotent(spec, {
      owner: caller.owner,
      key,
      bodyHash: given ?? hash("sha256", specJson as string, "hex"),
      ...(specJson === undefined ? {} : { specJson }),
      ttlMs: deps.settings.idempotencyTtlMs,
      ...(streamed ? { input: streamed.input } : {}),
      ...(caller.definition ? { definition: caller.definition } : {}),
    });
  } catch (error) {
    if (streamed) await deleteInput(deps, streamed.input);
    if (error instanceof IdempotencyKeyReusedError) {
      throw new ApiError(
        "IDEMPOTENCY_KEY_REUSED",
        `This idempotency key already made request ${error.requestId} from another body; use a new key.`,
      );
    }
    throw error;
  }
}

/** Removes a streamed report's stored rows that no request will read. */
export async function deleteInput(deps: AppDeps, input: StoredInput): Promise<void> {
  const results = await Promise.allSettled(inputKeys(input).map((key) => deps.storage.delete(key)));
  for (const result of results) {
    if (result.status === "rejected") deps.logger.warn({ err: result.reason }, "stored input not removed");
  }
}

/** A request id as stored (lower case); a 400 `MALFORMED_ID` for anything but a UUID. */
function parseRequestId(requestId: string): string {
  if (!requestIdSchema.safeParse(requestId).success) {
    throw new ApiError("MALFORMED_ID", `"${requestId.slice(0, 64)}" is not a request id (a UUID).`, [
      { path: "requestId", message: "must be a UUID" },
    ]);
  }
  return requestId.toLowerCase();
}

/**
 * The status of one request: cache first, then the database (refilling the cache); with `cache: false` (a status
 * stream that knows Redis is unreachable), the database alone.
 */
export async function getReportStatus(
  deps: AppDeps,
  requestId: string,
  owner: string,
  options: { cache?: boolean } = {},
): Promise<ReportStatus> {
  const id = parseRequestId(requestId);
  let status = options.cache === false ? null : await deps.cache.get(id);
  deps.metrics.statusReads.inc({ cache: status ? "hit" : "miss" });
  if (!status) {
    const row = await deps.repo.findStatus(id);
    if (!row) throw notFound(id);
    status = toCachedStatus(row);
    if (options.cache !== false) await deps.cache.set(status);
  }
  // another owner's request is as unknown as a missing one: a 403 would confirm it exists
  if (status.owner !== owner) throw notFound(id);
  return withDownloadUrl(deps, status);
}

/**
 * Cancels a `queued` or `processing` request of `owner`: it is never rendered, or its worker stops at its next
 * progress tick or lease renewal. A final request is a 409 `NOT_CANCELLABLE`; another owner's, a 404. A null
 * owner is an operator, who may cancel anyone's.
 */
export async function cancelReport(deps: AppDeps, requestId: string, owner: string | null): Promise<ReportStatus> {
  const id = parseRequestId(requestId);
  const cancelled = await deps.repo.cancel(id, owner);
  if (cancelled) {
    const status = toCachedStatus(cancelled);
    await deps.cache.publish(status);
    deps.logger.info({ requestId: id, owner }, "report cancelled");
    return toReportStatus(status, null);
  }
  const row = await deps.repo.findStatus(id);
  if (!row || (owner !== null && row.owner !== owner)) throw notFound(id);
  // cancelling twice answers the same (a retried call must not fail because the first one worked)
  if (row.status === "cancelled") return toReportStatus(toCachedStatus(row), null);
  throw new ApiError(
    "NOT_CANCELLABLE",
    `Report ${id} is already ${row.status}; only a queued or processing report can be cancelled.`,
  );
}

const notFound = (id: string) => new ApiError("NOT_FOUND", `No report request ${id}.`);

/**
 * What a client was last shown of each status held in memory: an entry of the in-process cache is replaced, never
 * changed, when its status moves, and a link is handed out again for half its validity, so the same entry and link
 * make the same answer, built once (measured: building it was a twentieth of a status read's CPU). Frozen, as it
 * is shared between reads.
 */
const views = new WeakMap<CachedStatus, ReportStatus>();

async function withDownloadUrl(deps: AppDeps, cached: CachedStatus): Promise<ReportStatus> {
  const url =
    cached.status === "done" && cached.fileKey
      ? await deps.downloadLinks.url(cached.fileKey, cached.report.fileName)
      : null;
  const shown = views.get(cached);
  if (shown && shown.url === url) return shown;
  const view = Object.freeze(toReportStatus(cached, url));
  views.set(cached, view);
  return view;
}

/**
 * A status's JSON, made once per view: `getReportStatus` hands out the same frozen view while a status and its link
 * hold, and a poller reads the same one many times (measured: serialising it was a twentieth of a read's CPU).
 */
const statusBodies = new WeakMap<ReportStatus, string>();
export function statusJson(status: ReportStatus): string {
  let body = statusBodies.get(status);
  if (body === undefined) {
    body = JSON.stringify(status);
    statusBodies.set(status, body);
  }
  return body;
}

/**
 * Renders a small report of `owner` at once, in the BFF's own threads (never on its event loop): the preview
 * path. Larger reports are refused with a pointer to `/generate`; a busy pool with 429 (the owner's share) or 503
 * (everyone's queue); `signal` (the client leaving) stops the wait or the render.
 */
export async function renderNow(
  deps: AppDeps,
  spec: ReportSpec,
  owner: string,
  signal?: AbortSignal,
): Promise<RenderedFile & { fileName: string }> {
  const logo = await logoProblem(deps, owner, spec);
  if (logo) throw new ApiError("VALIDATION_FAILED", "The report's logo cannot be used; see errors.", [logo]);
  const problems = overLimits(spec, deps.settings.limits);
  if (problems.length > 0) {
    throw new ApiError("LIMIT_EXCEEDED", "The report is over this server's limits; see errors.", problems);
  }
  const { maxRows, maxCells } = deps.settings.syncRender;
  const rows = rowCount(spec);
  const cells = spec.tables.reduce((n, t) => n + t.rows.length * t.columns.length, 0);
  if (rows > maxRows || cells > maxCells) {
    throw new ApiError(
      "LIMIT_EXCEEDED",
      `POST /render takes up to ${maxRows} rows and ${maxCells} cells (this one: ${rows} rows, ${cells} cells); queue it with POST /generate.`,
      [{ path: "tables", message: "too large to render at once; use POST /generate" }],
    );
  }
  try {
    const file = await deps.renderGate.run(owner, signal, async () => {
      // a preview draws the logo too: its bytes come from storage, as the worker's do
      const assets = await loadAssets(deps.storage, spec);
      return deps.renderer.get().render(spec, { assets, ...(signal ? { signal } : {}) });
    });
    return { ...file, fileName: downloadName(spec) };
  } catch (error) {
    if (signal?.aborted && !(error instanceof ApiError)) throw new ClientGoneError(error);
    if (error instanceof RenderError) {
      if (error.type === "RENDER_TIMEOUT" || error.type === "TOO_LARGE") {
        throw new ApiError("LIMIT_EXCEEDED", "The report is too big to render at once; queue it with POST /generate.");
      }
      throw new ApiError("RENDER_FAILED", `The report could not be rendered: ${error.message}`);
    }
    throw error;
  }
}
