import { type ReportMessage, reportMessage } from "@reports/contracts";
import type { Logger } from "@reports/logger";
import type { ConsumeOptions, Handler, HandlerResult } from "./types";

export type Decoded = { ok: true; message: ReportMessage } | { ok: false; reason: string };

/**
 * Turns a body as it arrives (bytes, text, or JSON the AMQP client already parsed) into a valid message.
 *
 * @example
 * decodeMessage(Buffer.from('{"requestId":"…","attempt":1}')); // { ok: true, message }
 * decodeMessage("nope"); // { ok: false, reason: "body is not JSON" }
 */
export function decodeMessage(body: unknown): Decoded {
  let value = body;
  if (typeof body === "string" || body instanceof Uint8Array) {
    try {
      value = JSON.parse(Buffer.from(body).toString("utf8"));
    } catch {
      return { ok: false, reason: "body is not JSON" };
    }
  }
  const parsed = reportMessage.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  const reason = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`).join("; ");
  return { ok: false, reason };
}

/**
 * Decodes one delivery and runs the handler on it: the semantics both drivers share. Never throws: an invalid
 * body or a throwing handler means dead-letter.
 *
 * @example
 * const outcome = await runHandler(handler, msg.body, msg.redelivered, log); // "ack" | "dead-letter"
 */
export async function runHandler(
  handler: Handler,
  body: unknown,
  redelivered: boolean,
  log: Logger,
): Promise<HandlerResult> {
  const decoded = decodeMessage(body);
  if (!decoded.ok) {
    // the body itself is not logged: it is not a message of ours and may hold anything
    log.error({ reason: decoded.reason }, "invalid queue message dead-lettered");
    return "dead-letter";
  }
  const { requestId, attempt } = decoded.message;
  try {
    const result = await handler({ message: decoded.message, redelivered });
    if (result === "dead-letter") {
      log.warn({ requestId, attempt }, "report message dead-lettered by its handler");
      return "dead-letter";
    }
    return "ack";
  } catch (err) {
    log.error({ err, requestId, attempt }, "report handler threw; message dead-lettered");
    return "dead-letter";
  }
}

/** The consumer's prefetch, checked: a positive integer, 1 by default. */
export function prefetchOf(options: ConsumeOptions): number {
  const prefetch = options.prefetch ?? 1;
  if (!Number.isInteger(prefetch) || prefetch < 1) {
    throw new RangeError(`prefetch must be a positive integer, got ${prefetch}`);
  }
  return prefetch;
}
