import { type AdminRequest, requestId as requestIdSchema } from "@reports/contracts";
import { toAdminRequest } from "@reports/db";
import { z } from "zod";
import {
  adminDeadLetters,
  adminOverview,
  adminPruneDeadLetters,
  adminReplay,
  adminRequest,
  pageInput,
  replayInput,
  requestsInput,
} from "../admin/service";
import { ApiError } from "../http/errors";
import { cancelReport } from "../reports/service";
import { adminProcedure, router } from "./init";

const byId = z.object({ requestId: requestIdSchema });

/** The operator dashboard's API (`/admin`): what the system is doing, and the fixes (replay, cancel). */
export const adminRouter = router({
  /** Who the dashboard is signed in as. */
  whoami: adminProcedure.query(({ ctx }) => ({ owner: ctx.owner, authMode: ctx.deps.settings.authMode })),
  /** Counts by status and error type, queue depths, workers alive. */
  overview: adminProcedure.query(({ ctx }) => adminOverview(ctx.deps)),
  /** Reports ended per minute by outcome, with render p50/p95, oldest minute first. */
  throughput: adminProcedure
    .input(z.object({ minutes: z.number().int().min(1).max(180).default(60) }).default({ minutes: 60 }))
    .query(({ ctx, input }) => ctx.deps.admin.throughput(input.minutes)),
  /** Requests, newest first: search by id prefix, owner or title, filter by status, the page after a cursor. */
  requests: adminProcedure.input(requestsInput).query(({ ctx, input }) => ctx.deps.admin.requests(input)),
  /** One request with its status history and download link. */
  request: adminProcedure.input(byId).query(({ ctx, input }) => adminRequest(ctx.deps, input.requestId)),
  /** Requests in `error` (the dead-letter queue as the database sees it), latest first, their count, the broker's. */
  deadLetters: adminProcedure
    .input(pageInput.default({ pageSize: 25 }))
    .query(({ ctx, input }) => adminDeadLetters(ctx.deps, input)),
  /** Every request id in `error`, for "replay all" in batches. */
  failedIds: adminProcedure.query(({ ctx }) => ctx.deps.admin.failedIds()),
  /** Replays failed requests, as the replay command does. */
  replay: adminProcedure
    .input(replayInput)
    .mutation(({ ctx, input }) => adminReplay(ctx.deps, input.requestIds, { keepDeadLetters: input.keepDeadLetters })),
  /** After "replay all" in batches: the dead letters of every request no longer in `error`, in one pass. */
  pruneDeadLetters: adminProcedure.mutation(({ ctx }) => adminPruneDeadLetters(ctx.deps)),
  /** Cancels anyone's queued or processing report. */
  cancel: adminProcedure.input(byId).mutation(async ({ ctx, input }): Promise<AdminRequest> => {
    await cancelReport(ctx.deps, input.requestId, null);
    const row = await ctx.deps.repo.findStatus(input.requestId.toLowerCase());
    if (!row) throw new ApiError("NOT_FOUND", `No report request ${input.requestId}.`);
    return toAdminRequest(row);
  }),
});
