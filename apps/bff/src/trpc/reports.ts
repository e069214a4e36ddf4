import { reportSpec } from "@reports/contracts";
import { z } from "zod";
import { cancelReport, createReport, getReportStatus, renderNow } from "../reports/service";
import { procedure, router } from "./init";
import { onStatusInput, statusSubscription } from "./status-subscription";

/** The reports API, the same operations as the REST routes: the SDK's calls. */
export const reportsRouter = router({
  /** Queues a report; same rules as `POST /generate`. */
  generate: procedure
    .input(reportSpec.safeExtend({ idempotencyKey: z.string().optional() }))
    .mutation(async ({ ctx, input: { idempotencyKey, ...spec } }) => {
      const { result } = await createReport(ctx.deps, spec, { owner: ctx.owner, idempotencyKey });
      return result;
    }),
  /** Renders a small report at once; same rules as `POST /render`. The file comes back base64-encoded. */
  render: procedure.input(reportSpec).mutation(async ({ ctx, input, signal }) => {
    const file = await renderNow(ctx.deps, input, ctx.owner, signal);
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
});
