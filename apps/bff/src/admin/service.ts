import {
  ADMIN_FAILED_COUNT_CAP,
  type AdminOverview,
  type AdminRequestDetail,
  type AdminRequestsInput,
  type QueueDepths,
  REPLAY_BATCH_MAX,
  reportState,
  requestId as requestIdSchema,
} from "@reports/contracts";
import { parseAdminCursor, toAdminRequest, toCachedStatus } from "@reports/db";
import { pruneDeadLetters, type ReplaySummary, replayDeadLetters } from "@reports/queue";
import { z } from "zod";
import type { AppDeps } from "../deps";
import { ApiError } from "../http/errors";

/** What the operator dashboard does, behind the `admin` procedures (only for callers with `admin`). */

export const replayInput = z.object({
  requestIds: z.array(requestIdSchema).min(1).max(REPLAY_BATCH_MAX),
  /** A batch of "replay all": its dead letters go in one `admin.pruneDeadLetters` after the last batch. */
  keepDeadLetters: z.boolean().default(false),
});

export const pageInput = z.object({
  /** The previous page's `nextCursor`: lists are read by key, so a page deep in them costs what the first does. */
  cursor: z
    .string()
    .max(200)
    .refine((cursor) => parseAdminCursor(cursor) !== null, { error: "not a cursor this server gave (nextCursor)" })
    .optional(),
  pageSize: z.number().int().min(1).max(200).default(25),
});

export const requestsInput = pageInput.extend({
  search: z.string().trim().max(200).optional(),
  status: reportState.optional(),
}) satisfies z.ZodType<AdminRequestsInput, AdminRequestsInput>;

/**
 * A page of the requests in `error`, how many there are (exactly up to {@link ADMIN_FAILED_COUNT_CAP}), and the
 * broker's dead-letter count (null when the broker does not answer).
 */
export async function adminDeadLetters(deps: AppDeps, input: z.infer<typeof pageInput>) {
  const [page, failed, depth] = await Promise.all([
    deps.admin.failed(input),
    deps.admin.countFailed(ADMIN_FAILED_COUNT_CAP),
    queueDepths(deps),
  ]);
  return {
    ...page,
    failedCount: failed.count,
    failedCountCapped: failed.capped,
    brokerCount: depth?.deadLettered ?? null,
  };
}

/** Counts, queue depths and workers alive; a broker that does not answer leaves `queue` null, not the page blank. */
export async function adminOverview(deps: AppDeps): Promise<AdminOverview> {
  const [counts, errorsByType, workers, queue] = await Promise.all([
    deps.admin.countsByStatus(),
    deps.admin.errorsByType(),
    deps.admin.workersAlive(),
    queueDepths(deps),
  ]);
  return {
    counts: counts.counts,
    countsEstimated: counts.estimated,
    errorsByType,
    queue,
    workers,
    generatedAt: new Date().toISOString(),
  };
}

/** The broker's queue depths, or null (logged) when it does not answer. */
export async function queueDepths(deps: AppDeps): Promise<QueueDepths | null> {
  try {
    return await deps.queue.depth();
  } catch (err) {
    deps.logger.warn({ err }, "queue depth unavailable");
    return null;
  }
}

/** One request with its status history and, when done, a fresh download link. */
export async function adminRequest(deps: AppDeps, requestId: string): Promise<AdminRequestDetail> {
  const id = requestId.toLowerCase();
  const row = await deps.repo.findStatus(id);
  if (!row) throw new ApiError("NOT_FOUND", `No report request ${id}.`);
  const history = await deps.admin.history(id);
  const downloadUrl =
    row.status === "done" && row.fileKey
      ? await deps.storage.downloadUrl(row.fileKey, {
          expiresInSeconds: deps.settings.downloadUrlTtlSeconds,
          fileName: row.fileName,
        })
      : null;
  const warnings = row.status === "done" ? (row.warnings ?? []) : [];
  return { ...toAdminRequest(row), fileName: row.fileName, history, downloadUrl, webhookUrl: row.webhookUrl, warnings };
}

/**
 * Replays failed requests (the same code as `pnpm --filter @reports/worker replay`): back to `queued` with fresh
 * attempts, republished, their dead letters removed; the cache hears of each at once.
 */
export async function adminReplay(
  deps: AppDeps,
  requestIds: readonly string[],
  options: { keepDeadLetters?: boolean } = {},
): Promise<ReplaySummary> {
  const summary = await replayDeadLetters(deps, {
    ids: requestIds.map((id) => id.toLowerCase()),
    onReplayed: (row) => deps.cache.publish(toCachedStatus(row)),
    keepDeadLetters: options.keepDeadLetters ?? false,
  });
  deps.logger.info({ replayed: summary.replayed.length, skipped: summary.skipped.length }, "dead letters replayed");
  return summary;
}

/** Removes the dead letters of requests no longer in `error`, in one pass over the dead-letter queue. */
export async function adminPruneDeadLetters(deps: AppDeps): Promise<{ removed: number }> {
  const removed = await pruneDeadLetters(deps);
  deps.logger.info({ removed }, "dead letters of replayed requests removed");
  return { removed };
}
