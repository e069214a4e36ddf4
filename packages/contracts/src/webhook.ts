import { z } from "zod";
import { reportStatus } from "./status";

export const webhookEventType = z.enum(["report.done", "report.error"]);
export type WebhookEventType = z.infer<typeof webhookEventType>;

/** The body of a delivery: `data` is what `GET /status/:requestId` answers, with a fresh link when done. */
export const webhookEvent = z.object({
  /** The delivery's id, also in `X-Reports-Delivery`: the same event retried keeps it (dedupe on it). */
  id: z.string(),
  type: webhookEventType,
  createdAt: z.string(),
  data: reportStatus,
});
export type WebhookEvent = z.infer<typeof webhookEvent>;

/** Headers of a delivery. The signature is `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export const WEBHOOK_HEADERS = {
  signature: "x-reports-signature",
  event: "x-reports-event",
  delivery: "x-reports-delivery",
} as const;
