import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Comparison } from "./report";

/** A series of points to draw: a line (x numeric) or bars (x as labels). */
interface Series {
  name: string;
  points: Array<[number, number]>;
}

const W = 640;
const H = 320;
const PAD = { left: 64, right: 16, top: 48, bottom: 48 };
const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c"];
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

function ticks(max: number): number[] {
  const step = 10 ** Math.floor(Math.log10(max || 1));
  const unit = max / step > 5 ? step * 2 : max / step > 2 ? step : step / 2;
  return Array.from({ length: Math.floor(max / unit) + 1 }, (_, i) => i * unit);
}

/** A line chart, both axes linear from 0 (or x logarithmic), as standalone SVG. */
export function lineChart(title: string, xLabel: string, yLabel: string, series: Series[], logX = false): string {
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const ys = series.flatMap((s) => s.points.map(([, y]) => y));
  const xMin = logX ? Math.min(...xs) : 0;
  const xMax = Math.max(...xs);
  const yMax = Math.max(...ys) * 1.1 || 1;
  const fx = (x: number) =>
    PAD.left +
    (logX ? Math.log10(x / xMin) / Math.log10(xMax / xMin || 10) : x / (xMax || 1)) * (W - PAD.left - PAD.right);
  const fy = (y: number) => H - PAD.bottom - (y / yMax) * (H - PAD.top - PAD.bottom);
  const grid = ticks(yMax)
    .map(
      (t) =>
        `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${fy(t)}" y2="${fy(t)}" stroke="#e5e7eb"/><text x="${PAD.left - 6}" y="${fy(t) + 4}" text-anchor="end">${t.toLocaleString("en-US")}</text>`,
    )
    .join("");
  const distinct = [...new Set(xs)].sort((a, b) => a - b);
  const xTicks = (distinct.length <= 8 ? distinct : ticks(xMax))
    .map(
      (x) => `<text x="${fx(x)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${x.toLocaleString("en-US")}</text>`,
    )
    .join("");
  const lines = series
    .map((s, i) => {
      const color = COLORS[i % COLORS.length];
      const d = s.points.map(([x, y], j) => `${j === 0 ? "M" : "L"}${fx(x).toFixed(1)},${fy(y).toFixed(1)}`).join("");
      const dots = s.points.map(([x, y]) => `<circle cx="${fx(x)}" cy="${fy(y)}" r="3" fill="${color}"/>`).join("");
      const legend = `<rect x="${PAD.left + 8 + i * 190}" y="${PAD.top - 22}" width="10" height="10" fill="${color}"/><text x="${PAD.left + 22 + i * 190}" y="${PAD.top - 13}">${esc(s.name)}</text>`;
      return `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>${dots}${legend}`;
    })
    .join("");
  return frame(title, xLabel, yLabel, grid + xTicks + lines);
}

/** A bar chart of labelled values. */
export function barChart(
  title: string,
  yLabel: string,
  bars: Array<{ label: string; value: number; color?: string }>,
): string {
  const yMax = Math.max(...bars.map((b) => b.value)) * 1.15 || 1;
  const fy = (y: number) => H - PAD.bottom - (y / yMax) * (H - PAD.top - PAD.bottom);
  const slot = (W - PAD.left - PAD.right) / bars.length;
  const grid = ticks(yMax)
    .map(
      (t) =>
        `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${fy(t)}" y2="${fy(t)}" stroke="#e5e7eb"/><text x="${PAD.left - 6}" y="${fy(t) + 4}" text-anchor="end">${t.toLocaleString("en-US")}</text>`,
    )
    .join("");
  const rects = bars
    .map((b, i) => {
      const x = PAD.left + i * slot + slot * 0.2;
      const w = slot * 0.6;
      return `<rect x="${x}" y="${fy(b.value)}" width="${w}" height="${H - PAD.bottom - fy(b.value)}" fill="${b.color ?? COLORS[0]}"/><text x="${x + w / 2}" y="${fy(b.value) - 4}" text-anchor="middle">${b.value.toLocaleString("en-US", { maximumFractionDigits: 1 })}</text><text x="${x + w / 2}" y="${H - PAD.bottom + 16}" text-anchor="middle">${esc(b.label)}</text>`;
    })
    .join("");
  return frame(title, "", yLabel, grid + rects);
}

function frame(title: string, xLabel: string, yLabel: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" font-family="system-ui, sans-serif" font-size="11" fill="#111827">
<title>${esc(title)}</title>
<rect width="${W}" height="${H}" fill="#fff"/>
<text x="${W / 2}" y="14" text-anchor="middle" font-size="13" font-weight="600">${esc(title)}</text>
<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#9ca3af"/>
<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" stroke="#9ca3af"/>
<text x="${(W + PAD.left) / 2}" y="${H - 10}" text-anchor="middle">${esc(xLabel)}</text>
<text transform="translate(14 ${(H - PAD.bottom + PAD.top) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>
${body}
</svg>
`;
}

/** The share of values at or under each x: a latency distribution as a cumulative curve. */
function cdf(values: number[], steps = 40): Array<[number, number]> {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  return Array.from({ length: steps + 1 }, (_, i) => {
    const index = Math.min(sorted.length - 1, Math.floor((i / steps) * (sorted.length - 1)));
    return [Math.round(sorted[index] as number), Math.round((i / steps) * 100)] as [number, number];
  });
}

const ENGINE_NAMES: Record<string, string> = {
  ours: "Reports, rows in the spec",
  streamed: "Reports, streamed in and out",
  exceljs: "ExcelJS streaming",
  pdfkit: "pdfkit, drawn directly",
};

/** Writes the bench's charts (SVG) into `dir` from the latest results and bench/results/renderers.json. */
export function writeCharts(dir: string, latest: { results: Comparison[]; [key: string]: unknown }): void {
  mkdirSync(dir, { recursive: true });
  const scaling = latest.scaling as Array<{ workers: number; jobsPerSecond: number }> | undefined;
  if (scaling?.length) {
    writeFileSync(
      join(dir, "jobs-by-workers.svg"),
      barChart(
        "Jobs/s by worker processes (100-row XLSX, 2 cores)",
        "jobs/s",
        scaling.map((s) => ({ label: `${s.workers} worker${s.workers > 1 ? "s" : ""}`, value: s.jobsPerSecond })),
      ),
    );
  }
  const e2e = latest.e2e as { latencyHistogram?: { ours: number[]; bullmq: number[] } } | undefined;
  if (e2e?.latencyHistogram) {
    writeFileSync(
      join(dir, "e2e-latency.svg"),
      lineChart("Submit → done latency, cumulative (2,000 reports, 2 workers)", "latency (ms)", "% of reports", [
        { name: "Reports", points: cdf(e2e.latencyHistogram.ours).map(([x, y]) => [x, y]) },
        { name: "minimal BullMQ", points: cdf(e2e.latencyHistogram.bullmq).map(([x, y]) => [x, y]) },
      ]).replace(/<circle[^>]*\/>/g, ""),
    );
  }
  const api = latest.results.filter((r) => r.baseline && r.part !== "e2e");
  if (api.length) {
    writeFileSync(
      join(dir, "api-ratios.svg"),
      barChart(
        "API requests/s: ours ÷ bare baseline",
        "ratio",
        api.map((r) => ({
          label: r.part,
          value: r.ratio ?? 0,
          color: (r.ratio ?? 0) >= (r.goal ?? 0) ? "#16a34a" : "#dc2626",
        })),
      ),
    );
  }
  const renderersFile = new URL("../results/renderers.json", import.meta.url);
  if (existsSync(renderersFile)) {
    const { results } = JSON.parse(readFileSync(renderersFile, "utf8")) as {
      results: Array<{ engine: string; format: string; rows: number; ms: number; peakRssMb: number }>;
    };
    for (const format of ["xlsx", "pdf"]) {
      const engines = [...new Set(results.filter((r) => r.format === format).map((r) => r.engine))];
      const series = (field: "ms" | "peakRssMb") =>
        engines.map((engine) => ({
          name: ENGINE_NAMES[engine] ?? engine,
          points: results
            .filter((r) => r.format === format && r.engine === engine)
            .map((r) => [r.rows, r[field]] as [number, number]),
        }));
      writeFileSync(
        join(dir, `renderers-${format}-time.svg`),
        lineChart(`${format.toUpperCase()} render time by rows`, "rows (log scale)", "ms", series("ms"), true),
      );
      writeFileSync(
        join(dir, `renderers-${format}-memory.svg`),
        lineChart(`${format.toUpperCase()} peak RSS by rows`, "rows (log scale)", "MB", series("peakRssMb"), true),
      );
    }
  }
}
