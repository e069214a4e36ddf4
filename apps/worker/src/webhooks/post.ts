import { createHmac } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from "request-filtering-agent";

export interface PostOutcome {
  /** The receiver's status, or null when there was no answer. */
  statusCode: number | null;
  /** Why it is not a success, or null for a 2xx. */
  error: string | null;
  /** Whether trying again cannot help (the address is not allowed). */
  final: boolean;
}

export interface PostOptions {
  timeoutMs: number;
  /** Host names (or IP literals) allowed even when they are private, loopback or link-local. */
  allowedHosts: ReadonlySet<string>;
}

// Blocks every address that is not public unicast (loopback, private, link-local, unique-local, CGNAT, the
// metadata service, IPv4-mapped forms…), checked on the address the socket actually connects to, after DNS,
// so a name that resolves (or re-resolves) to an internal address is refused too.
const guarded = {
  http: new RequestFilteringHttpAgent({ keepAlive: false }),
  https: new RequestFilteringHttpsAgent({ keepAlive: false }),
};

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, what `verifyWebhook` in the SDK checks. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${v1}`;
}

/**
 * POSTs a webhook body, SSRF-safe: http(s) only, no address that is not public unless its host is allowed,
 * no redirects followed (a 3xx is a failure), one time limit for connecting and answering, the answer's body
 * never read.
 */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: PostOptions,
): Promise<PostOutcome> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ statusCode: null, error: "not a URL", final: true });
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    return Promise.resolve({ statusCode: null, error: `${target.protocol} is not http(s)`, final: true });
  }
  const secure = target.protocol === "https:";
  const host = target.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const agent = options.allowedHosts.has(host) ? undefined : secure ? guarded.https : guarded.http;
  return new Promise((resolve) => {
    const request = (secure ? https : http).request(
      target,
      {
        method: "POST",
        ...(agent ? { agent } : {}),
        headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        timeout: options.timeoutMs,
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (response) => {
        const statusCode = response.statusCode ?? 0;
        response.destroy(); // the answer's body is not ours to read
        if (statusCode >= 200 && statusCode < 300) resolve({ statusCode, error: null, final: false });
        else if (statusCode >= 300 && statusCode < 400) {
          resolve({ statusCode, error: `HTTP ${statusCode}: redirects are not followed`, final: false });
        } else resolve({ statusCode, error: `HTTP ${statusCode}`, final: false });
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    request.on("error", (error) => {
      const blocked = /is not allowed/.test(error.message);
      resolve({
        statusCode: null,
        error: blocked ? `address not allowed: ${error.message}` : error.message,
        final: blocked,
      });
    });
    request.end(body);
  });
}
