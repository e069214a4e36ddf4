import { once } from "node:events";
import { PassThrough } from "node:stream";
import {
  backoffMs,
  fieldErrors,
  inputKeys,
  progressVersion,
  type ReportErrorType,
  type ReportMessage,
  type ReportSpec,
  type Row,
  reportSpec,
  type StoredInput,
  withJitter,
} from "@reports/contracts";
import { type Claim, createOwnerCap, type RequestSummary, toCachedStatus } from "@reports/db";
import type { Logger } from "@reports/logger";
import { fileTypeOf, loadAssets, type RenderedFile, type RenderOptions } from "@reports/renderers";
import { classifyError } from "./classify";
import type { WorkerDeps } from "./deps";
import { storedRowSources } from "./input-rows";
import { publishTaken } from "./sweeper";

/**
 * - `done`: the file is stored and the request completed;
 * - `retrying`: a retryable failure; the request is `queued` again and a delayed message is on its way;
 * - `error`: a fatal failure or the last attempt; the request is `error` and its message dead-lettered;
 * - `released`: the worker is shutting down; the request is `queued` again and republished;
 * - `skipped`: nothing to do (done, held by another worker, unknown, or the claim was lost);
 * - `cancelled`: the request was cancelled while it rendered; the render was stopped, nothing kept;
 * - `parked`: its owner already has `maxRunningPerOwner` reports rendering; the first of them to end publishes it.
 */
export type JobOutcome = "done" | "retrying" | "error" | "released" | "skipped" | "cancelled" | "parked";

/** The deterministic object key: a re-run overwrites, never duplicates. */
export const fileKeyOf = (requestId: string, extension: string) => `reports/${requestId}.${extension}`;

/**
 * One report, as ARCHITECTURE.md §1 lists the steps: claim, render in a thread, upload, complete
 * (only the claim's holder can), publish the status; on failure, retry later or dead-letter.
 * `signal` aborts when the worker shuts down: the request is then released, not failed.
 * A request whose owner is at its cap is parked instead of claimed; whenever a claimed report leaves
 * `processing` (whatever the outcome), the owner's oldest parked request is published again.
 */
export async function processReport(
  deps: WorkerDeps,
  message: ReportMessage,
  options: { signal?: AbortSignal; redelivered?: boolean } = {},
): Promise<JobOutcome> {
  const log = deps.logger.child({ requestId: message.requestId, attempt: message.attempt });
  const cap = createOwnerCap(deps.db);
  const limits = { leaseMs: deps.settings.leaseMs, maxRunningPerOwner: deps.settings.maxRunningPerOwner };

  const claim = await cap.claimOrPark(message.requestId, limits);
  if (claim === "parked") {
    log.info(
      { maxRunningPerOwner: limits.maxRunningPerOwner },
      "owner at its cap; parked until one of its reports ends",
    );
    return "parked";
  }
  if (!claim) {
    if (options.redelivered) return checkBackAfterLease(deps, message, log);
    log.info("not claimable (done, held by another worker, or unknown); skipped");
    return "skipped";
  }
  try {
    return await runClaimed(deps, claim, message, options, log);
  } finally {
    // the owner's slot is free again: the next of its parked requests goes back on the queue
    await cap
      .unparkNext(claim.row.owner, limits)
      .then((taken) => publishTaken(deps, taken))
      .catch((err: unknown) => log.warn({ err }, "parked requests not given back; the sweeper will"));
  }
}

/** The steps after the claim: render, upload, complete, publish; on failure, retry later or dead-letter. */
async function runClaimed(
  deps: WorkerDeps,
  claim: Claim,
  message: ReportMessage,
  options: { signal?: AbortSignal },
  log: Logger,
): Promise<JobOutcome> {
  const started = Date.now();
  await deps.cache.publish(toCachedStatus(claim.row));
  deps.metrics.queueWaitSeconds.observe(
    Math.max(0, Date.now() - (claim.row.enqueuedAt ?? claim.row.createdAt).getTime()) / 1000,
  );
  const { attempts } = claim.row;
  log.info({ format: claim.row.format, rowCount: claim.row.rowCount, attempts }, "report claimed");

  if (attempts > deps.settings.retry.maxAttempts) {
    // only a worker that died mid-render (lease expired, sweeper republished) gets here: stop the crash loop
    const message = `gave up after ${attempts - 1} attempts that never finished`;
    return finishWithError(deps, claim, { type: "INTERNAL", message }, "attempts-exhausted", log);
  }

  // a cancel (seen at a progress tick) or a lost claim (seen at a lease renewal) stops the render
  const stopped = new AbortController();
  // the render's signal: stops for a cancel or a lost claim, and for shutdown (a listener on the worker's
  // long-lived signal, removed below, rather than AbortSignal.any, whose dependents that signal would keep)
  const render = new AbortController();
  const onShutdown = () => render.abort(options.signal?.reason);
  const onStopped = () => render.abort(stopped.signal.reason);
  options.signal?.addEventListener("abort", onShutdown, { once: true });
  stopped.signal.addEventListener("abort", onStopped, { once: true });
  if (options.signal?.aborted) onShutdown();
  const signal = render.signal;
  const stopRenewing = renewWhileRunning(deps, claim, log, stopped);
  try {
    const spec = checkedSpec(claim.row.spec);
    if (!spec.success) {
      return await finishWithError(deps, claim, { type: "INVALID_SPEC", message: spec.message }, "fatal", log);
    }
    const renderStarted = Date.now();
    const onProgress = progressPublisher(deps, claim, log, stopped);
    const input = claim.row.input;
    const { extension } = fileTypeOf(spec.data.format);
    const key = fileKeyOf(claim.row.requestId, extension);
    const assets = await loadAssets(deps.storage, spec.data);
    const file = await renderToStorage(deps, key, spec.data, {
      onProgress,
      assets,
      // the request's time, not the attempt's: a retry shows what the first attempt would have
      generatedAt: claim.row.createdAt.toISOString(),
      ...(input ? { rows: storedRowSources(deps.storage, input) } : {}),
      signal,
    });
    const renderMs = Date.now() - renderStarted;
    deps.metrics.renderSeconds.observe({ format: extension }, renderMs / 1000);
    const done = await deps.repo.complete(claim, key, file.warnings);
    if (!done) {
      if ((await deps.repo.findStatus(claim.row.requestId))?.status === "cancelled") {
        await deps.storage.delete(key).catch((err: unknown) => log.warn({ err }, "file of a cancelled report kept"));
        log.info("cancelled while it rendered; the file is not kept");
        return "cancelled";
      }
      log.warn("claim lost before completion; the new holder's result stands");
      return "skipped";
    }
    await deps.cache.publish(toCachedStatus(done));
    await notify(deps, done, log);
    log.info(
      { renderMs, ms: Date.now() - started, bytes: file.bytes, warnings: file.warnings.map((w) => w.code) },
      "report done",
    );
    if (input) await removeInput(deps, input, log);
    return "done";
  } catch (error) {
    if (stopped.signal.aborted) {
      const cancelled = (await deps.repo.findStatus(claim.row.requestId))?.status === "cancelled";
      log.info(
        cancelled ? "cancelled while it rendered; render stopped" : "claim lost while rendering; render stopped",
      );
      return cancelled ? "cancelled" : "skipped";
    }
    if (options.signal?.aborted) return await release(deps, claim, message, log);
    const classified = classifyError(error, { retryRenderTimeout: deps.settings.retryRenderTimeout });
    const last = attempts >= deps.settings.retry.maxAttempts;
    log.error({ err: error, errorType: classified.type, retryable: classified.retryable, last }, "attempt failed");
    if (!classified.retryable || last) {
      return await finishWithError(deps, claim, classified, classified.retryable ? "attempts-exhausted" : "fatal", log);
    }
    return await retryLater(deps, claim, classified, log);
  } finally {
    stopRenewing();
    options.signal?.removeEventListener("abort", onShutdown);
  }
}

/**
 * The stored spec, checked again but for its rows' cells: the API checked every cell before storing it, and the
 * renderer checks each cell as it writes it (a bad one fails the render with INVALID_SPEC), so the worker's main
 * thread does not walk every row a second time. Rows are not transformed by the contract: they go through as stored.
 */
function checkedSpec(stored: unknown): { success: true; data: ReportSpec } | { success: false; message: string } {
  const tables = (stored as { tables?: unknown } | null)?.tables;
  const rows = Array.isArray(tables) ? tables.map((t) => (t as { rows?: unknown } | null)?.rows) : [];
  if (!rows.every(Array.isArray)) return { success: false, message: "tables: every table's rows must be an array" };
  const outline = Array.isArray(tables)
    ? { ...(stored as object), tables: tables.map((t) => ({ ...t, rows: [] })) }
    : stored;
  const parsed = reportSpec.safeParse(outline);
  if (!parsed.success) {
    const problems = fieldErrors(parsed.error.issues.slice(0, 3)).map((e) => `${e.path}: ${e.message}`);
    return { success: false, message: problems.join("; ") };
  }
  const data = { ...parsed.data, tables: parsed.data.tables.map((t, i) => ({ ...t, rows: rows[i] as Row[] })) };
  return { success: true, data };
}

/**
 * A redelivered message (its worker lost the connection or died) for a request still `processing`:
 * if that worker is dead, its lease runs out, so look again just after it does instead of waiting
 * for the sweeper. If the holder is alive it completes, and this message is then skipped.
 */
async function checkBackAfterLease(deps: WorkerDeps, message: ReportMessage, log: Logger): Promise<JobOutcome> {
  const row = await deps.repo.findStatus(message.requestId);
  if (row?.status !== "processing" || !row.leaseExpiresAt) {
    log.info("redelivered, not claimable; skipped");
    return "skipped";
  }
  const delayMs = Math.max(0, row.leaseExpiresAt.getTime() - Date.now()) + 250;
  await deps.queue.retry(message, delayMs);
  log.info({ delayMs }, "redelivered while another claim holds it; will look again after its lease");
  return "skipped";
}

async function retryLater(
  deps: WorkerDeps,
  claim: Claim,
  error: { type: ReportErrorType; message: string },
  log: Logger,
): Promise<JobOutcome> {
  const released = await deps.repo.release(claim, error);
  if (!released) return "skipped";
  await deps.cache.publish(toCachedStatus(released));
  deps.metrics.retries.inc({ error_type: error.type });
  const policy = deps.settings.retry;
  const delayMs = withJitter(policy, backoffMs(policy, claim.row.attempts));
  await deps.queue.retry({ requestId: claim.row.requestId, attempt: claim.row.attempts + 1 }, delayMs);
  log.warn({ delayMs, nextAttempt: claim.row.attempts + 1 }, "report will be retried");
  return "retrying";
}

async function finishWithError(
  deps: WorkerDeps,
  claim: Claim,
  error: { type: ReportErrorType; message: string },
  reason: "fatal" | "attempts-exhausted",
  log: Logger,
): Promise<JobOutcome> {
  const failed = await deps.repo.fail(claim, error.type, error.message);
  if (!failed) return "skipped";
  await deps.cache.publish(toCachedStatus(failed));
  await notify(deps, failed, log);
  await deps.queue.deadLetter(
    { requestId: claim.row.requestId, attempt: claim.row.attempts },
    { reason, errorType: error.type, attempts: claim.row.attempts },
  );
  deps.metrics.deadLetters.inc({ reason, error_type: error.type });
  log.error({ errorType: error.type, reason }, "report failed; dead-lettered");
  return "error";
}

/**
 * Renders a report into storage. Rows streamed from storage can make a file of any size (an XLSX of a million rows
 * is some 60 MB): its bytes go to the upload as the render makes them, so the worker never holds it whole. A spec
 * that holds its own rows came in one JSON body (the API's `MAX_BODY_BYTES`) and is held whole already: its file is
 * rendered whole, moved from the render thread in one piece rather than copied over in chunks, and sent in one
 * request (or in parts, past the S3 client's part size).
 */
async function renderToStorage(
  deps: WorkerDeps,
  key: string,
  spec: ReportSpec,
  options: Omit<RenderOptions, "output">,
): Promise<RenderedFile> {
  if (options.rows) return renderStreamed(deps, key, spec, options);
  const file = await deps.renderer.render(spec, options);
  await deps.storage.put(key, file.data, {
    contentType: file.contentType,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return file;
}

/** Renders straight into an upload: a failed upload stops the render, and a failed render drops the upload. */
async function renderStreamed(
  deps: WorkerDeps,
  key: string,
  spec: ReportSpec,
  options: Omit<RenderOptions, "output">,
): Promise<RenderedFile> {
  const body = new PassThrough({ highWaterMark: UPLOAD_BUFFER });
  const stored = deps.storage.put(key, body, {
    contentType: fileTypeOf(spec.format).contentType,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  stored.catch(() => {}); // settled and looked at below, whatever happens first
  try {
    const file = await deps.renderer.render(spec, {
      ...options,
      output: (chunk) =>
        body.write(chunk) ? undefined : Promise.race([once(body, "drain").then(() => undefined), stored]),
    });
    body.end();
    await stored;
    return file;
  } catch (error) {
    body.destroy();
    await stored.catch(() => {});
    throw error;
  }
}

/** Bytes of a file waiting for the upload to take them, beside the upload's own part buffers. */
const UPLOAD_BUFFER = 1 << 20;

/** Records a final request's webhook event; the sweep catches it if this fails (or the worker dies here). */
async function notify(deps: WorkerDeps, row: RequestSummary, log: Logger): Promise<void> {
  await deps.webhooks?.finished(row).catch((err: unknown) => log.warn({ err }, "webhook event not recorded yet"));
}

/** A done report's rows are not needed again; a failed one's stay for a replay. */
async function removeInput(deps: WorkerDeps, input: StoredInput, log: Logger): Promise<void> {
  const results = await Promise.allSettled(inputKeys(input).map((key) => deps.storage.delete(key)));
  const failed = results.filter((r) => r.status === "rejected");
  if (failed.length > 0) log.warn({ err: (failed[0] as PromiseRejectedResult).reason }, "stored rows not removed");
}

async function release(deps: WorkerDeps, claim: Claim, message: ReportMessage, log: Logger): Promise<JobOutcome> {
  const released = await deps.repo.release(claim, null);
  if (!released) return "skipped";
  await deps.cache.publish(toCachedStatus(released));
  await deps.queue.publish(message);
  log.info("shutting down: report released to the queue");
  return "released";
}

/** Rendered rows are published as a percentage at most every this often, and only when it changed. */
const PROGRESS_EVERY_MS = 500;

/**
 * Progress goes to the cache only (no database write per tick) with a sub-version of the claim's
 * version, so the row's next real write (done, error, released) always supersedes it.
 */
function progressPublisher(deps: WorkerDeps, claim: Claim, log: Logger, stop: AbortController) {
  let lastPercent = 0;
  let lastAt = 0;
  return (rowsDone: number, rowsTotal: number) => {
    // every render ends by reporting all its rows, and its `done` (or failure) follows at once: publishing that as
    // "99 %" (and asking the cache about a cancel) cost every report two round trips and an event no one could see
    if (rowsDone >= rowsTotal) return;
    const percent = Math.floor((rowsDone / rowsTotal) * 100);
    const now = Date.now();
    if (percent <= lastPercent || now - lastAt < PROGRESS_EVERY_MS) return;
    lastPercent = percent;
    lastAt = now;
    // a cancel is written to the cache at once; without a shared cache the next lease renewal sees it
    deps.cache.get(claim.row.requestId).then(
      (current) => {
        if (current?.status === "cancelled") stop.abort(new Error("the report was cancelled"));
      },
      () => {},
    );
    const status = { ...toCachedStatus(claim.row), progress: percent };
    deps.cache
      .publish({ ...status, version: progressVersion(claim.row.version, percent) })
      .catch((err: unknown) => log.debug({ err }, "progress not published"));
  };
}

/**
 * Renews the lease from the main thread every third of its length while the render runs; a lost claim (the
 * request was cancelled, or another worker took it after a stall) stops the render.
 */
function renewWhileRunning(deps: WorkerDeps, claim: Claim, log: Logger, stop: AbortController): () => void {
  const timer = setInterval(() => {
    deps.repo.renew(claim, { leaseMs: deps.settings.leaseMs }).then(
      (held) => {
        if (held) return;
        log.warn("claim lost while rendering (cancelled, or taken over); stopping the render");
        stop.abort(new Error("the claim was lost"));
      },
      (err) => log.warn({ err }, "lease renewal failed"),
    );
  }, deps.settings.leaseMs / 3);
  timer.unref();
  return () => clearInterval(timer);
}
