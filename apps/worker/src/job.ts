import {
  backoffMs,
  fieldErrors,
  progressVersion,
  type ReportErrorType,
  type ReportMessage,
  reportSpec,
  withJitter,
} from "@reports/contracts";
import { type Claim, toCachedStatus } from "@reports/db";
import type { Logger } from "@reports/logger";
import { classifyError } from "./classify";
import type { WorkerDeps } from "./deps";

/**
 * - `done`: the file is stored and the request completed;
 * - `retrying`: a retryable failure; the request is `queued` again and a delayed message is on its way;
 * - `error`: a fatal failure or the last attempt; the request is `error` and its message dead-lettered;
 * - `released`: the worker is shutting down; the request is `queued` again and republished;
 * - `skipped`: nothing to do (done, held by another worker, unknown, or the claim was lost).
 */
export type JobOutcome = "done" | "retrying" | "error" | "released" | "skipped";

/** The deterministic object key: a re-run overwrites, never duplicates. */
export const fileKeyOf = (requestId: string, extension: string) => `reports/${requestId}.${extension}`;

/**
 * One report, as ARCHITECTURE.md §1 lists the steps: claim, render in a thread, upload, complete
 * (only the claim's holder can), publish the status; on failure, retry later or dead-letter.
 * `signal` aborts when the worker shuts down: the request is then released, not failed.
 */
export async function processReport(
  deps: WorkerDeps,
  message: ReportMessage,
  options: { signal?: AbortSignal; redelivered?: boolean } = {},
): Promise<JobOutcome> {
  const log = deps.logger.child({ requestId: message.requestId, attempt: message.attempt });
  const started = Date.now();

  const claim = await deps.repo.claim(message.requestId, { leaseMs: deps.settings.leaseMs });
  if (!claim) {
    if (options.redelivered) return checkBackAfterLease(deps, message, log);
    log.info("not claimable (done, held by another worker, or unknown); skipped");
    return "skipped";
  }
  await deps.cache.publish(toCachedStatus(claim.row));
  deps.metrics.queueWaitSeconds.observe(Math.max(0, Date.now() - claim.row.enqueuedAt.getTime()) / 1000);
  const { attempts } = claim.row;
  log.info({ format: claim.row.format, rowCount: claim.row.rowCount, attempts }, "report claimed");

  if (attempts > deps.settings.retry.maxAttempts) {
    // only a worker that died mid-render (lease expired, sweeper republished) gets here: stop the crash loop
    const message = `gave up after ${attempts - 1} attempts that never finished`;
    return finishWithError(deps, claim, { type: "INTERNAL", message }, "attempts-exhausted", log);
  }

  const stopRenewing = renewWhileRunning(deps, claim, log);
  try {
    const spec = reportSpec.safeParse(claim.row.spec);
    if (!spec.success) {
      const problems = fieldErrors(spec.error.issues.slice(0, 3)).map((e) => `${e.path}: ${e.message}`);
      return await finishWithError(deps, claim, { type: "INVALID_SPEC", message: problems.join("; ") }, "fatal", log);
    }
    const renderStarted = Date.now();
    const onProgress = progressPublisher(deps, claim, log);
    const file = await deps.renderer.render(spec.data, {
      onProgress,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const renderMs = Date.now() - renderStarted;
    deps.metrics.renderSeconds.observe({ format: file.extension }, renderMs / 1000);
    const key = fileKeyOf(claim.row.requestId, file.extension);
    await deps.storage.put(key, file.data, {
      contentType: file.contentType,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const done = await deps.repo.complete(claim, key);
    if (!done) {
      log.warn("claim lost before completion; the new holder's result stands");
      return "skipped";
    }
    await deps.cache.publish(toCachedStatus(done));
    log.info({ renderMs, ms: Date.now() - started, bytes: file.data.byteLength }, "report done");
    return "done";
  } catch (error) {
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
  }
}

/**
 * A redelivered message (its worker lost the connection or died) for a request still `processing`:
 * if that worker is dead, its lease runs out, so look again just after it does instead of waiting
 * for the sweeper. If the holder is alive it completes, and this message is then skipped.
 */
async function checkBackAfterLease(deps: WorkerDeps, message: ReportMessage, log: Logger): Promise<JobOutcome> {
  const row = await deps.repo.findById(message.requestId);
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
  await deps.queue.deadLetter(
    { requestId: claim.row.requestId, attempt: claim.row.attempts },
    { reason, errorType: error.type, attempts: claim.row.attempts },
  );
  deps.metrics.deadLetters.inc({ reason, error_type: error.type });
  log.error({ errorType: error.type, reason }, "report failed; dead-lettered");
  return "error";
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
function progressPublisher(deps: WorkerDeps, claim: Claim, log: Logger) {
  let lastPercent = 0;
  let lastAt = 0;
  return (rowsDone: number, rowsTotal: number) => {
    const percent = rowsTotal > 0 ? Math.min(99, Math.floor((rowsDone / rowsTotal) * 100)) : 0;
    const now = Date.now();
    if (percent <= lastPercent || now - lastAt < PROGRESS_EVERY_MS) return;
    lastPercent = percent;
    lastAt = now;
    const status = { ...toCachedStatus(claim.row), progress: percent };
    deps.cache
      .publish({ ...status, version: progressVersion(claim.row.version, percent) })
      .catch((err: unknown) => log.debug({ err }, "progress not published"));
  };
}

/** Renews the lease from the main thread every third of its length while the render runs. */
function renewWhileRunning(deps: WorkerDeps, claim: Claim, log: Logger): () => void {
  const timer = setInterval(() => {
    deps.repo.renew(claim, { leaseMs: deps.settings.leaseMs }).then(
      (held) => {
        if (!held) log.warn("lease lost while rendering");
      },
      (err) => log.warn({ err }, "lease renewal failed"),
    );
  }, deps.settings.leaseMs / 3);
  timer.unref();
  return () => clearInterval(timer);
}
