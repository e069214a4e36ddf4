import { tracked } from "@trpc/server";
import { z } from "zod";
import { openStatusStream, statusEventId } from "../reports/events";
import type { TrpcContext } from "./init";

/** `lastEventId` is sent back by the client when it reconnects; the stream starts from the current status anyway. */
export const onStatusInput = z.object({ requestId: z.string(), lastEventId: z.string().nullish() });

/**
 * The resolver of `reports.onStatus`: the current status at once, then every change until a final state.
 * Unknown and other owners' ids fail before the stream starts, with the same codes as `reports.status`.
 *
 * @example
 * onStatus: procedure.input(onStatusInput).subscription(({ ctx, input, signal }) => statusSubscription(ctx, input.requestId, signal)),
 */
export async function statusSubscription(ctx: TrpcContext, requestId: string, signal: AbortSignal | undefined) {
  // shutdown ends the subscription too: the client's link reconnects, to another replica
  const ended = signal ? AbortSignal.any([signal, ctx.deps.closing]) : ctx.deps.closing;
  const statuses = await openStatusStream(ctx.deps, requestId, ctx.owner, ended);
  return (async function* () {
    for await (const status of statuses) yield tracked(statusEventId(status), status);
  })();
}
