import { execFileSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";
import { APPS_RUN_AS } from "./system";

/** One measured comparison: ours beside a baseline, with the goal the ratio is held to (if any). */
export interface Comparison {
  part: string;
  what: string;
  ours: Measure;
  baseline?: Measure & { name: string };
  /** ours ÷ baseline on the main figure (higher is better). */
  ratio?: number;
  goal?: number;
}

export interface Measure {
  /** The main figure: requests/s or jobs/s. */
  perSecond: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  [extra: string]: number | string | undefined;
}

export function compare(
  part: string,
  what: string,
  ours: Measure,
  baseline?: Measure & { name: string },
  goal?: number,
): Comparison {
  const ratio =
    baseline && baseline.perSecond > 0 ? Math.round((ours.perSecond / baseline.perSecond) * 100) / 100 : undefined;
  return {
    part,
    what,
    ours,
    ...(baseline ? { baseline } : {}),
    ...(ratio === undefined ? {} : { ratio }),
    ...(goal === undefined ? {} : { goal }),
  };
}

/** p-th percentile (0–100) of `values` (any order). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

/** A run's measure: jobs per second over `spanMs`, and the latency percentiles of `latencies`. */
export function jobsMeasure(jobs: number, spanMs: number, latencies: readonly number[]): Measure {
  return {
    perSecond: round(jobs / (spanMs / 1000), 1) as number,
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    jobs,
  };
}

export const round = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n) ? undefined : Math.round(n * 10 ** digits) / 10 ** digits;

export function machine() {
  let sha = "unknown";
  try {
    sha = execFileSync("git", ["rev-parse", "--short", "HEAD"]).toString().trim();
  } catch {}
  return {
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? "?",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    loadAverage: loadavg().map((n) => Math.round(n * 10) / 10),
    gitSha: sha,
    apps: APPS_RUN_AS,
  };
}

const fmt = (n: number | string | undefined) =>
  n === undefined ? "" : typeof n === "number" ? n.toLocaleString("en-US", { maximumFractionDigits: 1 }) : n;

/** The comparisons as a Markdown table. */
export function markdown(rows: readonly Comparison[]): string {
  const lines = [
    "| part | what | ours /s | p50 ms | p99 ms | baseline | baseline /s | p50 ms | p99 ms | ratio | goal |",
    "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    const b = r.baseline;
    const verdict =
      r.goal === undefined || r.ratio === undefined
        ? ""
        : r.ratio >= r.goal
          ? `≥ ${r.goal}× met`
          : `≥ ${r.goal}× **missed**`;
    lines.push(
      `| ${r.part} | ${r.what} | ${fmt(r.ours.perSecond)} | ${fmt(r.ours.p50Ms)} | ${fmt(r.ours.p99Ms)} | ${b?.name ?? ""} | ${fmt(b?.perSecond)} | ${fmt(b?.p50Ms)} | ${fmt(b?.p99Ms)} | ${r.ratio === undefined ? "" : `${r.ratio}×`} | ${verdict} |`,
    );
  }
  return lines.join("\n");
}
