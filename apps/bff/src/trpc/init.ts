/**
 * tRPC's set-up for the BFF: the context every procedure receives, the error shape (the REST problem catalog in
 * `data.code`), and the procedures the routers build on.
 */
import { type ApiErrorCode, fieldErrors } from "@reports/contracts";
import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
import type { AppDeps } from "../deps";
import { ApiError, internalError } from "../http/errors";
import { isUnavailable } from "../http/unavailable";

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
  ALREADY_EXISTS: "CONFLICT",
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

/** Every procedure: our typed errors become tRPC errors with the matching status. */
export const procedure = t.procedure.use(apiErrors);

/** Only for operators: an admin API key, a JWT with the admin role, or anyone when AUTH_MODE=none (never in production). */
export const adminProcedure = procedure.use(({ ctx, next }) => {
  if (!ctx.admin) throw new ApiError("FORBIDDEN", "This caller is not an operator: use an admin key or token.");
  return next();
});

/** Builds a router of procedures (`reports`, `admin`, and the app's root). */
export const router = t.router;
