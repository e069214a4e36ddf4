/**
 * Submit → done → downloaded, timed, against a running API.
 *
 *   pnpm bench:flow [baseUrl] [rows]      (defaults: http://127.0.0.1:3000, 1000)
 *
 * Prints one JSON line per format with the time to `done` and to the end of the download.
 */
import { sampleSpec } from "@reports/contracts/testing";
import { createReportsClient } from "@reports/sdk";

const baseUrl = process.argv[2] ?? "http://127.0.0.1:3000";
const rows = Number(process.argv[3] ?? 1_000);
const reports = createReportsClient({ baseUrl });

for (const format of ["xlsx", "pdf"] as const) {
  const started = performance.now();
  const { requestId } = await reports.generate(sampleSpec({ format, rows }));
  const accepted = performance.now();
  const status = await reports.waitForStatus(requestId, { timeoutMs: 600_000, intervalMs: 20, maxIntervalMs: 50 });
  const done = performance.now();
  if (status.status !== "done" || !status.url) throw new Error(`${format}: ${JSON.stringify(status.error)}`);
  const bytes = (await (await fetch(status.url)).arrayBuffer()).byteLength;
  const downloaded = performance.now();
  console.log(
    JSON.stringify({
      format,
      rows,
      acceptedMs: Math.round(accepted - started),
      doneMs: Math.round(done - started),
      downloadedMs: Math.round(downloaded - started),
      bytes,
    }),
  );
}
