import { request } from "node:http";
import { setImmediate as nextTick } from "node:timers/promises";

/** How the client sends its body: all of it, part of it then nothing (until answered), or part of it then gone. */
export type Ending = "complete" | "stall" | "disconnect";

export type Answer =
  | { kind: "answered"; status: number; contentType: string; body: string }
  /** The connection broke before an answer (the client left, or the server closed on a body it had refused). */
  | { kind: "reset"; code: string };

export interface Sending {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Fractions (0..1) of the body at which to cut it into separate writes. */
  cuts: number[];
  ending: Ending;
  /** For `stall` and `disconnect`: the fraction of the body sent first. */
  sentFraction: number;
}

/** Waits this long for an answer after the body (or a stalled part of it) went out. */
const ANSWER_TIMEOUT_MS = 10_000;

/**
 * Sends one request as a real client would, over its own connection, chunk by chunk; for
 * `disconnect` the socket is destroyed mid-body and the answer is `reset` (nobody is listening).
 */
export function send(baseUrl: string, sending: Sending): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (answer: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${sending.method} ${sending.path}: no answer within ${ANSWER_TIMEOUT_MS} ms`));
    }, ANSWER_TIMEOUT_MS);
    const req = request(new URL(sending.path, baseUrl), {
      method: sending.method,
      headers: sending.headers,
      agent: false,
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", () => {});
      res.on("end", () => {
        settle({
          kind: "answered",
          status: res.statusCode ?? 0,
          contentType: String(res.headers["content-type"] ?? ""),
          body: Buffer.concat(chunks).toString("utf8"),
        });
        if (sending.ending !== "complete") req.destroy();
      });
    });
    req.on("error", (error: NodeJS.ErrnoException) => settle({ kind: "reset", code: error.code ?? error.message }));
    // headers go out now, as a browser's would: a client that then sends nothing is still a request
    req.flushHeaders();
    void (async () => {
      const end =
        sending.ending === "complete" ? sending.body.length : Math.floor(sending.body.length * sending.sentFraction);
      const cuts = [...new Set(sending.cuts.map((c) => Math.floor(c * end)))].sort((a, b) => a - b);
      let at = 0;
      for (const cut of [...cuts, end]) {
        if (settled || req.destroyed) return;
        if (cut > at) req.write(sending.body.subarray(at, cut));
        at = Math.max(at, cut);
        await nextTick();
      }
      if (sending.ending === "complete") req.end();
      else if (sending.ending === "disconnect") {
        req.destroy();
        settle({ kind: "reset", code: "CLIENT_LEFT" });
      }
    })();
  });
}
