/**
 * The client's memory while it streams a report at Excel's limit: `generate(spec, { rows })` with
 * 1,048,575 rows made by an async generator, against the embedded server in a process of its own (so this
 * process is only the client). Samples this process's RSS every 50 ms during the upload and reads its
 * peak (VmHWM), then checks the API counted every row.
 *
 *   pnpm --filter @reports/sdk bench:stream [rows]     (default 1048575)
 *
 * Writes bench/results/sdk-stream.json at the repository's root.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sampleRow, sampleSpec } from "@reports/contracts/testing";
import { freePort, ROOT, startProcess } from "../../../test/support/processes";
import { createReportsClient, type Row } from "../src/index";

const rows = Number(process.argv[2] ?? 1_048_575);
const MB = 1024 * 1024;

async function peakRssMb(): Promise<number> {
  const status = await readFile("/proc/self/status", "utf8");
  return Math.round(Number(status.match(/VmHWM:\s+(\d+)/)?.[1] ?? 0) / 1024);
}

async function* orders(): AsyncGenerator<Row> {
  for (let i = 0; i < rows; i++) yield sampleRow(i);
}

const dataDir = await mkdtemp(join(tmpdir(), "reports-sdk-stream-"));
const port = await freePort();
const server = startProcess("apps/standalone/src/main.ts", {
  PORT: String(port),
  DATA_DIR: dataDir,
  RENDER_THREADS: "1",
  LOG_REQUESTS: "false",
});
try {
  await server.waitForLog("listening", 60_000);
  const reports = createReportsClient({ baseUrl: `http://127.0.0.1:${port}` });
  const { tables, ...rest } = sampleSpec({ rows: 0, title: `${rows} streamed rows` });
  const spec = { ...rest, tables: tables.map(({ rows: _rows, ...table }) => table) };

  globalThis.gc?.();
  const before = Math.round(process.memoryUsage().rss / MB);
  let sampled = before;
  const sampler = setInterval(() => {
    sampled = Math.max(sampled, Math.round(process.memoryUsage().rss / MB));
  }, 50);
  const started = performance.now();
  const { requestId } = await reports.generate(spec, { rows: { Orders: orders } });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const status = await reports.getStatus(requestId);
  if (status.report.rowCount !== rows) throw new Error(`the API counted ${status.report.rowCount} rows, not ${rows}`);

  const result = {
    rows,
    uploadSeconds: Number(seconds.toFixed(1)),
    rowsPerSecond: Math.round(rows / seconds),
    clientRssBeforeMb: before,
    clientRssMaxDuringUploadMb: sampled,
    clientPeakRssMb: await peakRssMb(),
    heapUsedAfterMb: Math.round(process.memoryUsage().heapUsed / MB),
    node: process.version,
    measuredAt: new Date().toISOString(),
  };
  console.log(JSON.stringify(result, null, 2));
  await writeFile(join(ROOT, "bench/results/sdk-stream.json"), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
