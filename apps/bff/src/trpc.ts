import {
  type AdminRequest,
  type ApiErrorCode,
  fieldErrors,
  reportSpec,
  requestId as requestIdSchema,
} from "@reports/contracts";
import { toAdminRequest } from "@reports/db";
import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
import {
  adminOverview,
  adminPruneDeadLetters,
  adminReplay,
  adminRequest,
  pageInput,
  queueDepths,
  replayInput,
  requestsInput,
} from "./admin";
import type { AppDeps } from "./deps";
import { ApiError, internalError } from "./errors";
import { cancelReport, createReport, getReportStatus, renderNow } from "./service";
import { onStatusInput, statusSubscription } from "./status-subscription";
import { isUnavailable } from "./unavailable";

export interface TrpcContext {
  deps: AppDeps;
  /** The HTTP exchange's id (`X-Request-Id`), sent back in every error's `data.traceId`. */
  traceId: string;
  /** Who is calling; set by the BFF's auth middleware before tRPC runs. */
  owner: string;
  /** Whether the caller is an operator (the `admin` procedures). */
  admin: boolean;
}

type TrpcCode = TRPCError["code"];

const TRPC_CODES: Record<ApiErrorCode, TrpcCode> = {
  VALIDATION_FAILED: "BAD_REQUEST",
  MALFORMED_ID: "BAD_REQUEST",
  NOT_FOUND: "NOT_FOUND",
  UNAUTHORIZED: "UNAUTHORIZED",
  NOT_READY: "CONFLICT",
  NOT_CANCELLABLE: "CONFLICT",
  // tRPC has no 410; the catalog code in `data.code` says GONE
  GONE: "NOT_FOUND",
  FORBIDDEN: "FORBIDDEN",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  LIMIT_EXCEEDED: "PAYLOAD_TOO_LARGE",
  IDEMPOTENCY_KEY_REUSED: "UNPROCESSABLE_CONTENT",
  RENDER_FAILED: "UNPROCESSABLE_CONTENT",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

function apiCodeOf(error: TRPCError): { code: ApiErrorCode; errors?: ReturnType<typeof fieldErrors> } {
  const cause = error.cause;
  if (cause instanceof ApiError) return { code: cause.code, ...(cause.errors ? { errors: cause.errors } : {}) };
  if (cause instanceof z.ZodError) return { code: "VALIDATION_FAILED", errors: fieldErrors(cause.issues) };
  switch (error.code) {
    case "BAD_REQUEST":
    case "PARSE_ERROR":
      return { code: "VALIDATION_FAILED" };
    case "NOT_FOUND":
      return { code: "NOT_FOUND" };
    case "UNAUTHORIZED":
      return { code: "UNAUTHORIZED" };
    case "TOO_MANY_REQUESTS":
      return { code: "RATE_LIMITED" };
    case "PAYLOAD_TOO_LARGE":
      return { code: "PAYLOAD_TOO_LARGE" };
    case "UNSUPPORTED_MEDIA_TYPE":
      return { code: "UNSUPPORTED_MEDIA_TYPE" };
    default:
      return { code: "INTERNAL" };
  }
}

const t = initTRPC.context<TrpcContext>().create({
  // a comment line on quiet status streams, so proxies and load balancers keep them open
  sse: { ping: { enabled: true, intervalMs: 15_000 } },
  errorFormatter({ shape, error, ctx }) {
    const { code, errors } = apiCodeOf(error);
    // Same catalog as the REST problem bodies; an internal message never reaches the client; a refused input
    // says which fields in one line (zod's own message is its issue list as JSON)
    const message =
      code === "INTERNAL"
        ? internalError().detail
        : error.cause instanceof z.ZodError && errors
          ? `The request is not valid: ${errors.map((e) => `${e.path || "(input)"}: ${e.message}`).join("; ")}`
          : shape.message;
    const { stack: _stack, ...data } = shape.data;
    const trace = ctx?.traceId ? { traceId: ctx.traceId } : {};
    return { ...shape, message, data: { ...data, code, ...trace, ...(errors ? { errors } : {}) } };
  },
});

/** Turns our typed errors into tRPC errors with the matching HTTP status. */
const apiErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof ApiError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODES[cause.code], message: cause.detail, cause });
  }
  if (!result.ok && isUnavailable(result.error.cause)) {
    const cause = new ApiError("UNAVAILABLE", "A service Reports depends on is unavailable; try again shortly.");
    throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: cause.detail, cause });
  }
  return result;
});

const procedure = t.procedure.use(apiErrors);

/** Only for operators: an admin API key, a JWT with the admin role, or anyone when AUTH_MODE=none (never in production). */
const adminProcedure = procedure.use(({ ctx, next }) => {
  if (!ctx.admin) throw new ApiError("FORBIDDEN", "This caller is not an operator: use an admin key or token.");
  return next();
});

const byId = z.object({ requestId: requestIdSchema });

/** The operator dashboard's API (`/admin`): what the system is doing, and the fixes (replay, cancel). */
const adminRouter = t.router({
  /** Who the dashboard is signed in as. */
  whoami: adminProcedure.query(({ ctx }) => ({ owner: ctx.owner, authMode: ctx.deps.settings.authMode })),
  /** Counts by status and error type, queue depths, workers alive. */
  overview: adminProcedure.query(({ ctx }) => adminOverview(ctx.deps)),
  /** Reports ended per minute by outcome, with render p50/p95, oldest minute first. */
  throughput: adminProcedure
    .input(z.object({ minutes: z.number().int().min(1).max(180).default(60) }).default({ minutes: 60 }))
    .query(({ ctx, input }) => ctx.deps.admin.throughput(input.minutes)),
  /** Requests, newest first: search by id, owner or title, filter by status, page. */
  requests: adminProcedure.input(requestsInput).query(({ ctx, input }) => ctx.deps.admin.requests(input)),
  /** One request with its status history and download link. */
  request: adminProcedure.input(byId).query(({ ctx, input }) => adminRequest(ctx.deps, input.requestId)),
  /** Requests in `error` (the dead-letter queue as the database sees it), latest first, and the broker's count. */
  deadLetters: adminProcedure.input(pageInput.default({ page: 1, pageSize: 25 })).query(async ({ ctx, input }) => {
    const [page, depth] = await Promise.all([ctx.deps.admin.failed(input), queueDepths(ctx.deps)]);
    return { ...page, brokerCount: depth?.deadLettered ?? null };
  }),
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

export const appRouter = t.router({
  admin: adminRouter,
  reports: t.router({
    /** Queues a report; same rules as `POST /generate`. */
    generate: procedure
      .input(reportSpec.safeExtend({ idempotencyKey: z.string().optional() }))
      .mutation(async ({ ctx, input: { idempotencyKey, ...spec } }) => {
        const { result } = await createReport(ctx.deps, spec, { owner: ctx.owner, idempotencyKey });
        return result;
      }),
    /** Renders a small report at once; same rules as `POST /render`. The file comes back base64-encoded. */
    render: procedure.input(reportSpec).mutation(async ({ ctx, input }) => {
      const file = await renderNow(ctx.deps, input);
      return {
        fileName: file.fileName,
        contentType: file.contentType,
        base64: file.data.toString("base64"),
      };
    }),
    /** The status of a report; same rules as `GET /status/:requestId`. */
    status: procedure
      .input(z.object({ requestId: z.string() }))
      .query(({ ctx, input }) => getReportStatus(ctx.deps, input.requestId, ctx.owner)),
    /** Cancels a queued or processing report; same as `POST /reports/:requestId/cancel`. */
    cancel: procedure
      .input(z.object({ requestId: z.string() }))
      .mutation(({ ctx, input }) => cancelReport(ctx.deps, input.requestId, ctx.owner)),
    /** The status at once, then every change until `done` or `error`, over SSE; same as `GET /status/:requestId/events`. */
    onStatus: procedure
      .input(onStatusInput)
      .subscription(({ ctx, input, signal }) => statusSubscription(ctx, input.requestId, signal)),
  }),
});

/** The API's type, imported (type-only) by `@reports/sdk`. */
export type AppRouter = typeof appRouter;
