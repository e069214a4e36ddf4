import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { ndjsonOf, sampleSpec } from "@reports/contracts/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { capturingLogger, type FuzzTarget, startDistributedTarget, startEmbeddedTarget } from "../../test/fuzz/targets";

/**
 * Sends `head` and the start of a body over a raw socket, then vanishes: the client that goes away mid-body, or
 * (with the whole body sent) while its answer is being made.
 */
async function vanish(
  baseUrl: string,
  request: string,
  body: string,
  options: { sendAll?: boolean; waitMs?: number } = {},
) {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  socket.on("error", () => {});
  socket.write(request);
  socket.write(options.sendAll ? body : body.slice(0, Math.floor(body.length / 3)));
  await sleep(options.waitMs ?? 150);
  socket.destroy();
}

const post = (path: string, type: string, body: string) =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
const chunked = (path: string, type: string) =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nTransfer-Encoding: chunked\r\n\r\n`;

/** Waits until the logs hold `count` lines matching `match`, or a few seconds. */
async function logged(logs: FuzzTarget["logs"], match: (line: Record<string, unknown>) => boolean, count = 1) {
  for (let i = 0; i < 100 && logs.filter(match).length < count; i++) await sleep(50);
  return logs.filter(match);
}

const isAlarm = (line: Record<string, unknown>) =>
  line.msg === "a backing service is unavailable" || (typeof line.level === "number" && line.level >= 50);
const isGone = (line: Record<string, unknown>) => line.msg === "client closed the request";

describe.each(["distributed", "embedded"] as const)("a client that goes away (%s)", (driver) => {
  let target: FuzzTarget;
  const logs: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    // room for the largest report /render takes (1,000 rows), whose PDF takes seconds to render
    const settings = { MAX_BODY_BYTES: String(1024 * 1024), MAX_ROWS: "1000" };
    target =
      driver === "distributed"
        ? await startDistributedTarget(inject("s3"), logs, capturingLogger, settings)
        : await startEmbeddedTarget(logs, capturingLogger, settings);
  });
  afterAll(() => target?.close());

  it("mid-way through a JSON body, or a JSON Lines body, is logged as gone, never as an outage", async () => {
    const spec = JSON.stringify(sampleSpec({ rows: 50 }));
    await vanish(target.baseUrl, post("/generate", "application/json", spec), spec);
    await vanish(target.baseUrl, post("/trpc/reports.generate", "application/json", spec), spec);
    const lines = ndjsonOf(sampleSpec({ rows: 200 }));
    await vanish(
      target.baseUrl,
      chunked("/generate", "application/x-ndjson"),
      `${lines.length.toString(16)}\r\n${lines}`,
    );
    expect(await logged(logs, isGone, 2)).not.toHaveLength(0);
    expect(logs.filter(isAlarm)).toEqual([]);
    expect(await target.storedInputs()).toEqual([]);
  });

  it("while its report renders (POST /render, tRPC reports.render): the render stops, and it is logged as gone", async () => {
    // the largest report /render takes, as a PDF: seconds of work, of which the client waits 300 ms
    const spec = JSON.stringify(sampleSpec({ rows: 1_000, format: "pdf" }));
    const before = logs.filter(isGone).length;
    await vanish(target.baseUrl, post("/render", "application/json", spec), spec, { sendAll: true, waitMs: 300 });
    await vanish(target.baseUrl, post("/trpc/reports.render", "application/json", spec), spec, {
      sendAll: true,
      waitMs: 300,
    });
    for (let i = 0; i < 40 && target.deps.renderGate.load.running > 0; i++) await sleep(50);
    expect(target.deps.renderGate.load).toEqual({ running: 0, waiting: 0 });
    expect((await logged(logs, isGone, before + 2)).length).toBeGreaterThanOrEqual(before + 2);
    expect(logs.filter(isAlarm)).toEqual([]);
  });

  // only the embedded BFF serves files itself; the distributed one redirects to S3, so there is no download to leave
  it.runIf(driver === "embedded")("mid-way through a download is not logged as an outage", async () => {
    const key = "reports/client-gone-test.xlsx";
    await target.deps.storage.put(key, Buffer.alloc(8 * 1024 * 1024, 7), { contentType: "application/octet-stream" });
    const url = new URL(await target.deps.storage.downloadUrl(key, { expiresInSeconds: 60, fileName: "big.xlsx" }));
    const { hostname, port } = new URL(target.baseUrl);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    socket.on("error", () => {});
    socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const first = await new Promise<string>((resolve) =>
      socket.once("data", (chunk: Buffer) => resolve(chunk.toString("latin1", 0, 12))),
    );
    expect(first).toBe("HTTP/1.1 200");
    socket.destroy();
    await sleep(500);
    expect(logs.filter(isAlarm)).toEqual([]);
  });
});
