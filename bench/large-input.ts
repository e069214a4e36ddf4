/**
 * A report at Excel's limit, end to end on the distributed system (separate BFF and worker processes on
 * PostgreSQL, RabbitMQ, Redis and s3rver): 1,048,575 rows streamed as gzipped JSON Lines to POST /generate,
 * rendered to XLSX by one worker thread, downloaded. Reports the time of each step and the peak RSS of the
 * BFF and of the worker (Linux's VmHWM of each process), and the CPU seconds each process used.
 *
 *   pnpm bench:large-input [rows] [format]     (defaults: 1048575 xlsx)
 *
 * Runs the apps' built output with plain node, as the images do, when there is one (`pnpm build`), else their
 * sources under tsx; the result says which. Writes bench/results/large-input.json.
 */
import { writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import type { ReportFormat } from "@reports/contracts";
import { ndjsonOf, sampleRow, sampleSpec } from "@reports/contracts/testing";
import { startSystem } from "../test/support/system";
import { cpuSecondsByRole, cpuSpent } from "./lib/cpu";
import { APPS_BUILT, APPS_RUN_AS, memoryOf, profileArgs } from "./lib/system";

const rows = Number(process.argv[2] ?? 1_048_575);
const format = (process.argv[3] ?? "xlsx") as ReportFormat;
const MB = 1024 * 1024;

/** The body, made as it is sent: the client holds a few lines at a time too. */
function body(): Readable {
  const header = ndjsonOf(sampleSpec({ format, rows: 0, title: `${rows} rows` }));
  async function* lines() {
    yield header;
    let batch = "";
    for (let i = 0; i < rows; i++) {
      batch += `${JSON.stringify(sampleRow(i))}\n`;
      if (batch.length > 256 * 1024) {
        yield batch;
        batch = "";
      }
    }
    yield batch;
  }
  return Readable.from(lines()).pipe(createGzip({ level: 1 }));
}

const system = await startSystem({
  workers: 1,
  built: APPS_BUILT,
  nodeArgs: profileArgs(),
  env: { LOG_REQUESTS: "false", RENDER_TIMEOUT_MS: "600000", LEASE_MS: "60000", WORKER_CONCURRENCY: "1" },
});
try {
  const bffPid = system.bff.child.pid;
  const workerPid = system.workers[0]?.child.pid;
  const before = { bff: await memoryOf(bffPid), worker: await memoryOf(workerPid) };
  let wireBytes = 0;
  const gz = body();
  gz.on("data", (chunk: Buffer) => {
    wireBytes += chunk.byteLength;
  });
  const cpuBefore = cpuSecondsByRole();
  const started = performance.now();
  const res = await fetch(`${system.baseUrl}/generate`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson", "content-encoding": "gzip" },
    body: Readable.toWeb(gz) as ReadableStream,
    duplex: "half",
  } as RequestInit);
  const accepted = performance.now();
  if (res.status !== 201) throw new Error(`POST /generate: ${res.status} ${await res.text()}`);
  const { requestId } = (await res.json()) as { requestId: string };
  const bffAfterUpload = await memoryOf(bffPid);

  let status: { status: string; url: string | null; error: unknown };
  for (;;) {
    status = (await (await fetch(`${system.baseUrl}/status/${requestId}`)).json()) as typeof status;
    if (status.status === "done" || status.status === "error") break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const done = performance.now();
  const cpuSeconds = cpuSpent(cpuBefore, cpuSecondsByRole());
  if (status.status !== "done" || !status.url) throw new Error(`report failed: ${JSON.stringify(status.error)}`);
  const file = await (await fetch(status.url)).arrayBuffer();
  const after = { bff: await memoryOf(bffPid), worker: await memoryOf(workerPid) };

  const result = {
    runAs: APPS_RUN_AS,
    rows,
    format,
    wireMb: Math.round((wireBytes / MB) * 10) / 10,
    acceptMs: Math.round(accepted - started),
    acceptedRowsPerSecond: Math.round(rows / ((accepted - started) / 1000)),
    submitToDoneMs: Math.round(done - started),
    renderAndStoreMs: Math.round(done - accepted),
    fileMb: Math.round((file.byteLength / MB) * 10) / 10,
    bff: { idleRssMb: before.bff.rssMb, rssAfterUploadMb: bffAfterUpload.rssMb, peakRssMb: after.bff.peakMb },
    worker: { idleRssMb: before.worker.rssMb, peakRssMb: after.worker.peakMb },
    /** from submit to done, by process (user + system) */
    cpuSeconds,
    loadAverage: loadavg().map((n) => Math.round(n * 10) / 10),
    node: process.version,
  };
  console.log(JSON.stringify(result, null, 2));
  await writeFile(new URL("./results/large-input.json", import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await system.stop();
}
