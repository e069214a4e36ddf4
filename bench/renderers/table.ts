/** One case as `case.ts` prints it. */
export interface CaseResult {
  engine: string;
  format: "xlsx" | "pdf";
  rows: number;
  ms: number;
  rowsPerSecond: number;
  peakRssMb: number;
  rssBeforeMb: number;
  fileMb: number;
  loopP99Ms: number;
  loopMaxMs: number;
}

const NAMES: Record<string, string> = {
  ours: "@reports/renderers (pool)",
  streamed: "@reports/renderers (pool), rows and file streamed",
  grouped: "@reports/renderers (pool), streamed, grouped (presorted, 1 subtotal per 1,000 rows)",
  exceljs: "ExcelJS streaming writer",
  pdfkit: "pdfkit, drawn directly",
};

/** The results as a Markdown table, with our rows/s beside the baseline's at the same size. */
export function markdownTable(results: readonly CaseResult[]): string {
  const lines = [
    "| format | rows | renderer | ms | rows/s | vs baseline | peak RSS MB | RSS before MB | file MB | loop p99 ms | loop max ms |",
    "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of results) {
    const baseline = results.find(
      (b) => b.format === r.format && b.rows === r.rows && (b.engine === "exceljs" || b.engine === "pdfkit"),
    );
    const ratio =
      r.engine !== baseline?.engine && baseline ? `${(r.rowsPerSecond / baseline.rowsPerSecond).toFixed(2)}×` : "";
    const cells = [
      r.format.toUpperCase(),
      r.rows.toLocaleString("en-US"),
      NAMES[r.engine] ?? r.engine,
      r.ms.toLocaleString("en-US"),
      r.rowsPerSecond.toLocaleString("en-US"),
      ratio,
      r.peakRssMb,
      r.rssBeforeMb,
      r.fileMb,
      r.loopP99Ms,
      r.loopMaxMs.toLocaleString("en-US"),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}
