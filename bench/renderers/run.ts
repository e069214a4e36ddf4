/**
 * Renderer benchmark: our XLSX and PDF renderers beside ExcelJS's streaming writer and raw pdfkit on the same
 * 8-column table, each case in a child process of its own (peak RSS is per process).
 *
 *   pnpm bench:renderers            XLSX 10k / 100k / 1,048,575 rows (also grouped, with subtotals), PDF 1k / 10k /
 *                                   50k rows; writes
 *                                   bench/results/renderers.json and the table in docs/performance.md
 *   pnpm bench:renderers --quick    small sizes, prints only
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { type CaseResult, markdownTable } from "./table";

const quick = process.argv.includes("--quick");
const sizes = quick
  ? { xlsx: [1_000, 10_000], pdf: [200, 1_000] }
  : { xlsx: [10_000, 100_000, 1_048_575], pdf: [1_000, 10_000, 50_000] };
const baselines = { xlsx: "exceljs", pdf: "pdfkit" } as const;
const caseFile = fileURLToPath(new URL("./case.ts", import.meta.url));
const root = fileURLToPath(new URL("../..", import.meta.url));

// Other work on the machine slows every case: the load average goes with the figures.
const loadBefore = loadavg()[0]?.toFixed(1);
const results: CaseResult[] = [];
for (const format of ["xlsx", "pdf"] as const) {
  for (const rows of sizes[format]) {
    const engines =
      format === "xlsx" ? ["ours", "streamed", "grouped", baselines[format]] : ["ours", baselines[format]];
    for (const engine of engines) {
      const output = execFileSync(
        process.execPath,
        ["--expose-gc", "--import", "tsx", caseFile, engine, format, String(rows)],
        { env: { ...process.env, NODE_ENV: "production" }, timeout: 600_000, maxBuffer: 1 << 20 },
      ).toString();
      const result = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as CaseResult;
      results.push(result);
      console.log(JSON.stringify(result));
    }
  }
}

const table = markdownTable(results);
console.log(`\n${table}`);
if (!quick) {
  const machine = `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}`;
  const load = `load average ${loadBefore} before, ${loadavg()[0]?.toFixed(1)} after`;
  const at = new Date().toISOString();
  writeFileSync(`${root}bench/results/renderers.json`, `${JSON.stringify({ at, machine, load, results }, null, 2)}\n`);
  const docs = `${root}docs/performance.md`;
  const start = "<!-- bench:renderers:start -->";
  const end = "<!-- bench:renderers:end -->";
  const text = readFileSync(docs, "utf8");
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${docs} has no ${start} … ${end} section`);
  const section = `${start}\n_${at.slice(0, 10)}, ${machine}, ${load}, \`pnpm bench:renderers\`:_\n\n${table}\n${end}`;
  writeFileSync(docs, text.slice(0, from) + section + text.slice(to + end.length));
}
