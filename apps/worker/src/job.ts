import { fieldErrors, type ReportMessage, reportSpec } from "@reports/contracts";
import { type Claim, toCachedStatus } from "@reports/db";
import { classifyError } from "./classify";
import type { WorkerDeps } from "./deps";

export type JobOutcome = "done" | "error" | "skipped";

/** The deterministic object key: a re-run overwrites, never duplicates. */
export const fileKeyOf = (requestId: string, extension: string) => `reports/${requestId}.${extension}`;

/**
 * One report, as ARCHITECTURE.md §1 lists the steps: claim, render in a thread,
 * upload, complete (only the claim's holder can), publish the status.
 */
export async function processReport(deps: WorkerDeps, message: ReportMessage): Promise<JobOutcome> {
  const log = deps.logger.child({ requestId: message.requestId, attempt: message.attempt });
  const started = Date.now();

  const claim = await deps.repo.claim(message.requestId, { leaseMs: deps.settings.leaseMs });
  if (!claim) {
    log.info("not claimable (done, held by another worker, or unknown); skipped");
    return "skipped";
  }
  await deps.cache.publish(toCachedStatus(claim.row));
  log.info({ format: claim.row.format, rowCount: claim.row.rowCount }, "report claimed");

  const stopRenewing = renewWhileRunning(deps, claim);
  try {
    const spec = reportSpec.safeParse(claim.row.spec);
    if (!spec.success) {
      const problems = fieldErrors(spec.error.issues.slice(0, 3)).map((e) => `${e.path}: ${e.message}`);
      return await finishWithError(deps, claim, { type: "INVALID_SPEC", message: problems.join("; ") });
    }
    const renderStarted = Date.now();
    const file = await deps.renderer.render(spec.data);
    const renderMs = Date.now() - renderStarted;
    const key = fileKeyOf(claim.row.requestId, file.extension);
    await deps.storage.put(key, file.data, { contentType: file.contentType });
    const done = await deps.repo.complete(claim, key);
    if (!done) {
      log.warn("claim lost before completion; the new holder's result stands");
      return "skipped";
    }
    await deps.cache.publish(toCachedStatus(done));
    log.info({ renderMs, ms: Date.now() - started, bytes: file.data.byteLength }, "report done");
    return "done";
  } catch (error) {
    const classified = classifyError(error);
    log.error({ err: error, errorType: classified.type }, "report failed");
    return await finishWithError(deps, claim, classified);
  } finally {
    stopRenewing();
  }
}

async function finishWithError(
  deps: WorkerDeps,
  claim: Claim,
  error: { type: Parameters<WorkerDeps["repo"]["fail"]>[1]; message: string },
): Promise<JobOutcome> {
  const failed = await deps.repo.fail(claim, error.type, error.message);
  if (!failed) return "skipped";
  await deps.cache.publish(toCachedStatus(failed));
  return "error";
}

/** Renews the lease from the main thread every third of its length while the render runs. */
function renewWhileRunning(deps: WorkerDeps, claim: Claim): () => void {
  const timer = setInterval(() => {
    deps.repo.renew(claim, { leaseMs: deps.settings.leaseMs }).then(
      (held) => {
        if (!held) deps.logger.warn({ requestId: claim.row.requestId }, "lease lost while rendering");
      },
      (err) => deps.logger.warn({ err, requestId: claim.row.requestId }, "lease renewal failed"),
    );
  }, deps.settings.leaseMs / 3);
  timer.unref();
  return () => clearInterval(timer);
}
