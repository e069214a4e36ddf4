import { randomUUID } from "node:crypto";
import { inputKeys } from "@reports/contracts";
import { createRetentionRepository, type RetentionRepository, toCachedStatus } from "@reports/db";
import type { ListedObject } from "@reports/storage";
import type { WorkerDeps } from "./deps";
import type { RetentionSettings } from "./env";

const LEASE = "retention";

/** What one run removed. */
export interface RetentionSummary {
  /** Files of `done` reports removed (the reports are now `expired`). */
  filesExpired: number;
  /** Finished requests deleted, with their events, webhook deliveries and idempotency keys. */
  requestsDeleted: number;
  /** Objects removed from storage: files, stored inputs and orphans. */
  objectsDeleted: number;
  /** Idempotency keys past their expiry deleted. */
  keysDeleted: number;
  /**
   * Stored inputs no request references, older than `unreferencedInputsMs` (uploads that never became a request),
   * and leftovers of uploads that never finished, removed.
   */
  orphansDeleted: number;
  /** Where the next run goes on listing `inputs/` (null: from the start). */
  inputsAfter: string | null;
  /** True when the run stopped at `maxRunMs` with work left (the next run goes on). */
  cutShort: boolean;
}

type RetentionDeps = Pick<WorkerDeps, "db" | "storage" | "cache" | "logger">;

/**
 * One retention run, if no other process runs one (a lease row, not a transaction: a run is many short
 * statements). In batches, until nothing is left or `maxRunMs` is spent: expires the files of `done` reports
 * finished more than `filesMs` ago (database first, so no status hands out a link to a removed file; then storage;
 * a file storage could not remove is tried again next run), deletes finished requests created more than
 * `requestsMs` ago (storage first: their files and stored inputs, then the rows, which cascade to their events,
 * webhook deliveries and idempotency keys; the cache forgets them), deletes expired idempotency keys, and
 * removes stored inputs no request references once older than `unreferencedInputsMs` (a BFF killed mid-upload
 * leaves them; walked in key order from `inputsAfter`, where a run cut short stopped). `now` is the clock (a
 * test ages data by moving it). Returns null when another process holds the lease.
 */
export async function retainOnce(
  deps: RetentionDeps,
  settings: RetentionSettings,
  options: { now?: Date; holder?: string; inputsAfter?: string | null } = {},
): Promise<RetentionSummary | null> {
  const repo = createRetentionRepository(deps.db);
  const holder = options.holder ?? randomUUID();
  // the lease outlives the run's budget, so a live runner never loses it mid-run
  if (!(await repo.takeLease(LEASE, holder, settings.maxRunMs * 2 + 60_000))) return null;
  const started = Date.now();
  const now = options.now ?? new Date();
  const outOfTime = () => Date.now() - started >= settings.maxRunMs;
  const summary: RetentionSummary = {
    filesExpired: 0,
    requestsDeleted: 0,
    objectsDeleted: 0,
    keysDeleted: 0,
    orphansDeleted: 0,
    inputsAfter: options.inputsAfter ?? null,
    cutShort: false,
  };
  const removeObjects = async (keys: string[]) => {
    const results = await Promise.allSettled(keys.map((key) => deps.storage.delete(key)));
    const failed = results.filter((r) => r.status === "rejected");
    if (failed[0]) deps.logger.warn({ err: failed[0].reason, failed: failed.length }, "retention: objects not removed");
    summary.objectsDeleted += results.length - failed.length;
    return failed.length === 0;
  };
  try {
    const filesBefore = new Date(now.getTime() - settings.filesMs);
    for (;;) {
      if (outOfTime()) return { ...summary, cutShort: true };
      const expired = await repo.expireFiles({ before: filesBefore, now, limit: settings.batch });
      // the cache must not keep answering `done` with a link to a file about to go
      for (const row of expired) await deps.cache.publish(toCachedStatus(row));
      summary.filesExpired += expired.length;
      if (expired.length < settings.batch) break;
    }
    for (let after: string | null = null; ; ) {
      if (outOfTime()) return { ...summary, cutShort: true };
      const files = await repo.filesToRemove({ after, limit: settings.batch });
      const removed: string[] = [];
      for (const { requestId, fileKey } of files) {
        if (await removeObjects([fileKey])) removed.push(requestId);
      }
      await repo.fileRemoved(removed);
      if (files.length < settings.batch) break;
      after = files.at(-1)?.requestId ?? null;
    }

    const requestsBefore = new Date(now.getTime() - settings.requestsMs);
    for (;;) {
      if (outOfTime()) return { ...summary, cutShort: true };
      const finished = await repo.finishedBefore({ before: requestsBefore, limit: settings.batch });
      const keys = finished.flatMap((f) => [...(f.fileKey ? [f.fileKey] : []), ...(f.input ? inputKeys(f.input) : [])]);
      await removeObjects(keys);
      const ids = finished.map((f) => f.requestId);
      summary.requestsDeleted += await repo.deleteRequests(ids);
      // a cached `expired` or `done` must not answer for a request that is gone
      await deps.cache.forget(ids);
      if (finished.length < settings.batch) break;
    }
    for (;;) {
      if (outOfTime()) return { ...summary, cutShort: true };
      const deleted = await repo.deleteExpiredKeys({ before: now, limit: settings.batch });
      summary.keysDeleted += deleted;
      if (deleted < settings.batch) break;
    }

    const orphansBefore = new Date(now.getTime() - settings.unreferencedInputsMs);
    summary.orphansDeleted += await deps.storage.removeUnfinished(orphansBefore);
    const removeOrphans = async (objects: ListedObject[]) => {
      const removedBefore = summary.objectsDeleted;
      await removeObjects(await unreferenced(repo, objects));
      summary.orphansDeleted += summary.objectsDeleted - removedBefore;
    };
    const old: ListedObject[] = [];
    const after = summary.inputsAfter;
    summary.inputsAfter = null;
    for await (const object of deps.storage.list(INPUTS, after ? { startAfter: after } : {})) {
      if (object.lastModified < orphansBefore) old.push(object);
      if (old.length >= settings.batch) await removeOrphans(old.splice(0));
      // checked per object: a bucket of young inputs is listed within the run's time too
      if (outOfTime()) {
        await removeOrphans(old.splice(0));
        return { ...summary, inputsAfter: object.key, cutShort: true };
      }
    }
    await removeOrphans(old);
    return summary;
  } finally {
    await repo.releaseLease(LEASE, holder);
  }
}

/** Where streamed reports' rows wait: `inputs/<upload>/<table>.jsonl.gz`. */
const INPUTS = "inputs/";

/** The keys of those of `objects` whose upload (`inputs/<upload>/`) no request references. */
async function unreferenced(repo: RetentionRepository, objects: readonly ListedObject[]): Promise<string[]> {
  const prefixOf = (key: string) => key.slice(0, key.lastIndexOf("/"));
  const referenced = await repo.referencedInputs([...new Set(objects.map((o) => prefixOf(o.key)))]);
  return objects.filter((o) => !referenced.has(prefixOf(o.key))).map((o) => o.key);
}

/**
 * Runs {@link retainOnce} every `settings.intervalMs` until stopped.
 *
 * @example
 * const retention = startRetention(deps, retentionSettings(env));
 * process.once("SIGTERM", () => retention.stop());
 */
export function startRetention(deps: RetentionDeps, settings: RetentionSettings): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  let inputsAfter: string | null = null;
  const run = () => {
    running ??= retainOnce(deps, settings, { inputsAfter })
      .then((summary) => {
        if (summary) inputsAfter = summary.inputsAfter;
        if (
          summary &&
          (summary.filesExpired || summary.requestsDeleted || summary.keysDeleted || summary.orphansDeleted)
        ) {
          deps.logger.info(summary, "retention removed old data");
        }
      })
      .catch((err) => deps.logger.error({ err }, "retention run failed"))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(run, settings.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
