import { request } from "node:http";
import { createNoCache } from "@reports/cache";
import { inputKeys, type ReportSpecInput, type StoredInput } from "@reports/contracts";
import { ndjsonOf, sampleSpec } from "@reports/contracts/testing";
import { reportRequests } from "@reports/db/schema";
import { silentLogger } from "@reports/logger";
import { retainOnce, retentionSettings, workerSettings } from "@reports/worker";
import { count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningProcess, startProcess } from "../support/processes";
import { type System, startSystem } from "../support/system";

/** The sample's orders, then a second table: a streamed report stores one object per table. */
function twoTables(rows: number, format: "xlsx" | "pdf" = "xlsx"): ReportSpecInput {
  const spec = sampleSpec({ rows, format });
  return {
    ...spec,
    tables: [
      ...spec.tables,
      { name: "Notes", columns: [{ key: "note", header: "Note", type: "string" }], rows: [{ note: "first" }] },
    ],
  };
}

/**
 * Starts a JSON Lines upload that sends `head` and then waits; resolves with how it ended (the BFF killed under it
 * resets the connection). `body.end()` would finish it.
 */
function openUpload(baseUrl: string, head: string) {
  const url = new URL("/generate", baseUrl);
  const req = request({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: "POST",
    headers: { "content-type": "application/x-ndjson", "transfer-encoding": "chunked" },
  });
  const ended = new Promise<string>((resolve) => {
    req.once("response", (res) => resolve(`answered ${res.statusCode}`));
    req.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
  req.write(head);
  return { ended };
}

describe("the BFF SIGKILLed mid-upload (JSON Lines on S3)", () => {
  let system: System;
  let bff: RunningProcess | undefined;

  beforeAll(async () => {
    // a PDF over 100 rows fails (TOO_LARGE): its stored rows stay for a replay, referenced by its request
    system = await startSystem({ workers: 1, env: { RENDER_PDF_MAX_ROWS: "100" } });
  });
  afterAll(async () => {
    await bff?.stop();
    await system?.stop();
  });

  const post = async (body: string, contentType: string) => {
    const res = await fetch(`${system.baseUrl}/generate`, {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    });
    if (res.status !== 201) throw new Error(`POST /generate: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { requestId: string }).requestId;
  };
  const rows = () =>
    system.database.db
      .select({
        id: reportRequests.requestId,
        status: reportRequests.status,
        completions: reportRequests.completions,
        input: reportRequests.input,
      })
      .from(reportRequests);

  it("loses no accepted report, and the retention leaves no stored input without its request", async () => {
    // accepted before the kill: JSON bodies and streamed reports (their rows stored under inputs/)
    const accepted: string[] = [];
    for (let i = 0; i < 4; i++) {
      accepted.push(await post(JSON.stringify(sampleSpec({ rows: 5 + i })), "application/json"));
      accepted.push(await post(ndjsonOf(twoTables(20 + i)), "application/x-ndjson"));
    }
    const failing = await post(ndjsonOf(twoTables(150, "pdf")), "application/x-ndjson");
    accepted.push(failing);

    // the victim: its first table is stored whole, its second is arriving when the BFF dies
    const storedBefore = new Set(await system.bucket.keys("inputs/"));
    const victim = ndjsonOf(twoTables(2_000));
    const upload = openUpload(system.baseUrl, victim.slice(0, victim.lastIndexOf("\n", victim.length - 2) + 1));
    let orphan: string[] = [];
    await expect
      .poll(
        async () => {
          orphan = (await system.bucket.keys("inputs/")).filter((key) => !storedBefore.has(key));
          return orphan;
        },
        { timeout: 30_000, interval: 50 },
      )
      .toHaveLength(1);
    system.bff.child.kill("SIGKILL");
    expect(await system.bff.stop()).toBeNull(); // killed: no exit code
    expect(await upload.ended).toMatch(/ECONNRESET|EPIPE|socket hang up/);

    // a new BFF; the worker finishes every accepted report, and no request came of the killed upload
    bff = startProcess("apps/bff/src/main.ts", system.env);
    await bff.waitForLog("bff listening", 60_000);
    const final = (r: { status: string }) => r.status === "done" || r.status === "error";
    await expect
      .poll(async () => (await rows()).filter(final).length, { timeout: 120_000, interval: 250 })
      .toBe(accepted.length);
    const after = await rows();
    expect(after.map((r) => r.id).sort()).toEqual([...accepted].sort());
    expect(after.filter((r) => r.status !== "done").map((r) => r.id)).toEqual([failing]);
    expect(after.filter((r) => r.id !== failing && r.completions !== 1)).toEqual([]);

    // the killed upload's table is stored with no request: an orphan until the retention's cut-off passes
    // a done report's rows went with its render; the failed one's stay for a replay
    const kept = after.flatMap((r) => (r.id === failing && r.input ? inputKeys(r.input as StoredInput) : []));
    expect(kept).toHaveLength(2);
    const inputsBefore = await system.bucket.keys("inputs/");
    expect(inputsBefore.sort()).toEqual([...kept, ...orphan].sort());

    const settings = retentionSettings(workerSettings.parse({ RETENTION_BATCH: "5" }));
    const deps = {
      db: system.database.db,
      storage: system.bucket.storage,
      cache: createNoCache(),
      logger: silentLogger(),
    };
    // an hour on (within UPLOAD_TIMEOUT_MS and the margin) the upload might still be finishing: it stays
    const hour = await retainOnce(deps, settings, { now: new Date(Date.now() + 3_600_000) });
    expect(hour).toMatchObject({ orphansDeleted: 0, requestsDeleted: 0, filesExpired: 0 });
    expect((await system.bucket.keys("inputs/")).sort()).toEqual(inputsBefore.sort());
    // past them, it goes, and every stored input left belongs to a request
    const past = await retainOnce(deps, settings, {
      now: new Date(Date.now() + settings.unreferencedInputsMs + 60_000),
    });
    expect(past).toMatchObject({ orphansDeleted: 1, requestsDeleted: 0, filesExpired: 0, cutShort: false });
    const inputsAfter = await system.bucket.keys("inputs/");
    expect(inputsAfter.sort()).toEqual(kept.sort());
    const [requests] = await system.database.db.select({ n: count() }).from(reportRequests);
    console.info(
      JSON.stringify({
        accepted: accepted.length,
        done: after.filter((r) => r.status === "done").length,
        failedAsExpected: after.filter((r) => r.status === "error").length,
        requests: requests?.n,
        uploadEnded: await upload.ended,
        inputsBeforeSweep: inputsBefore.length,
        orphansBeforeSweep: orphan.length,
        inputsAfterSweep: inputsAfter.length,
      }),
    );
  });
});
