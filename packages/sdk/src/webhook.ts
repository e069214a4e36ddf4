import type { WebhookEvent } from "./api-types";

/** A webhook delivery that must not be trusted: bad or missing signature, stale timestamp, or not an event. */
export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
}

export interface VerifyWebhookOptions {
  /** How old a delivery's timestamp may be, in seconds (replays of older ones are refused). Default 300. */
  toleranceSeconds?: number;
  /** The current time in milliseconds, for tests. */
  now?: number;
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

const encoder = new TextEncoder();

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares in time that does not depend on where the strings differ. */
function timingSafeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

/**
 * Checks a webhook delivery from Reports and returns its event: the `X-Reports-Signature` header
 * (`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`) must match the raw body under `secret`, and `t` must
 * be recent. Pass the body exactly as received (before any JSON parsing). Works in Node 20+, browsers and edge
 * runtimes (WebCrypto). Throws a {@link WebhookVerificationError} otherwise.
 *
 * @example
 * app.post("/hooks/reports", async (c) => {
 *   const event = await verifyWebhook(await c.req.text(), c.req.raw.headers, webhookSecret);
 *   if (event.type === "report.done") console.log(event.data.url);
 *   return c.body(null, 204);
 * });
 */
export async function verifyWebhook(
  body: string,
  headers: HeaderSource,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<WebhookEvent> {
  const signature = header(headers, "x-reports-signature");
  if (!signature) throw new WebhookVerificationError("no X-Reports-Signature header");
  const parts = new Map(
    signature.split(",").map((part) => {
      const at = part.indexOf("=");
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get("t"));
  const v1 = parts.get("v1");
  if (!Number.isSafeInteger(t) || !v1) throw new WebhookVerificationError("malformed X-Reports-Signature header");
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - t) > tolerance) {
    throw new WebhookVerificationError(`the signature's timestamp is more than ${tolerance} s away from now`);
  }
  if (!timingSafeEqual(await hmacHex(secret, `${t}.${body}`), v1.toLowerCase())) {
    throw new WebhookVerificationError("the signature does not match the body");
  }
  let event: WebhookEvent;
  try {
    event = JSON.parse(body) as WebhookEvent;
  } catch {
    throw new WebhookVerificationError("the body is not JSON");
  }
  if (typeof event?.id !== "string" || typeof event.type !== "string" || typeof event.data !== "object") {
    throw new WebhookVerificationError("the body is not a Reports event");
  }
  return event;
}
