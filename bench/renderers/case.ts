/**
 * One bench case in a process of its own, so its peak RSS is its own: `node --import tsx case.ts <engine> <format> <rows>`.
 * Prints one JSON line. "ours" and "streamed" render through the pool (a warm worker thread, as the worker does);
 * the baselines run on the main thread, as their documentation shows.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { ReportFormat } from "@reports/contracts";
import { createRenderPool } from "@reports/renderers";
import { benchSpec, groupedBenchSpec, groupedRows, streamedRows } from "./data";
import { excelJsXlsx } from "./exceljs";
import { pdfkitPdf } from "./pdfkit";

const [engine = "ours", format = "xlsx", rowsArg = "1000"] = process.argv.slice(2);
const rows = Number(rowsArg);
// "streamed": the rows are made as the render reads them, as from storage, instead of held in the spec, and the
// file goes out as it is made (counted, then dropped), as the worker streams it into storage. "grouped": the same,
// grouped by a region column (presorted, a thousand rows a group) with subtotals.
const grouped = engine === "grouped";
const streamed = engine === "streamed" || grouped;
const spec = grouped
  ? groupedBenchSpec(format as ReportFormat)
  : benchSpec(format as ReportFormat, streamed ? 0 : rows);
// The worker's defaults: one thread, its heap capped at RENDER_MAX_HEAP_MB's 256.
const pool = engine === "ours" || streamed ? createRenderPool({ maxThreads: 1, maxHeapMb: 256 }) : null;
// A warm thread, as in a running worker: its start-up is not part of a render.
await pool?.render(benchSpec(format as ReportFormat, 10));
globalThis.gc?.();

const MB = 1024 * 1024;
const rssBefore = process.memoryUsage.rss();
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
// A loop blocked for the whole render yields no sample at all: the longest gap between ticks tells that.
let lastTick = performance.now();
let longestGap = 0;
const ticker = setInterval(() => {
  longestGap = Math.max(longestGap, performance.now() - lastTick);
  lastTick = performance.now();
}, 10);
const started = performance.now();
let bytes: number;
const source = grouped ? groupedRows(rows) : streamedRows(rows);
if (pool) bytes = (await pool.render(spec, streamed ? { rows: [source], output: () => {} } : {})).bytes;
else if (engine === "exceljs") bytes = (await excelJsXlsx(spec)).length;
else if (engine === "pdfkit") bytes = (await pdfkitPdf(spec)).length;
else throw new Error(`unknown engine ${engine}`);
const ms = performance.now() - started;
longestGap = Math.max(longestGap, performance.now() - lastTick);
clearInterval(ticker);
loop.disable();
await pool?.close();

console.log(
  JSON.stringify({
    engine,
    format,
    rows,
    ms: Math.round(ms),
    rowsPerSecond: Math.round(rows / (ms / 1000)),
    // Linux reports the peak in KiB.
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    rssBeforeMb: Math.round(rssBefore / MB),
    fileMb: Math.round((bytes / MB) * 10) / 10,
    loopP99Ms: Math.round((loop.percentile(99) / 1e6) * 10) / 10,
    loopMaxMs: Math.round(Math.max(loop.max / 1e6, longestGap - 10)),
  }),
);
