import { once } from "node:events";
import { createRequire } from "node:module";
import type { ReportSpec } from "@reports/contracts";
import PDFDocument from "pdfkit";

// The renderers' own copy of the font: the baseline draws with the same one.
const require = createRequire(createRequire(import.meta.url).resolve("@reports/renderers"));
const MARGIN = 36;
const ROW = 12;
const ZEBRA = "#f6f6f6";

/**
 * The baseline: pdfkit drawing the same table directly, the simplest way: fixed-height rows, a header row and
 * "Page n of N" on every page, zebra rows, right-aligned numbers, the bundled DejaVu Sans.
 */
export async function pdfkitPdf(spec: ReportSpec): Promise<Buffer> {
  const doc = new PDFDocument({ size: "A4", margin: MARGIN, autoFirstPage: false });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = once(doc, "end");
  doc.registerFont("regular", require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf"));
  doc.registerFont("bold", require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf"));
  const table = spec.tables[0];
  if (!table) throw new Error("no table");
  const width = 595.28 - 2 * MARGIN;
  const weights = table.columns.map((c) => (c.type === "string" || c.type === "datetime" ? 2.5 : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const widths = weights.map((w) => (w * width) / total);
  const formats = table.columns.map((c) => formatter(c.type));
  const perPage = Math.floor((841.89 - 2 * MARGIN - 60) / ROW);
  const pages = Math.max(1, Math.ceil(table.rows.length / perPage));
  for (let p = 0; p < pages; p++) {
    doc.addPage();
    let y = MARGIN;
    if (p === 0) {
      doc.font("bold").fontSize(16).text(spec.title, MARGIN, y, { lineBreak: false });
    }
    y += 24;
    doc.rect(MARGIN, y, width, ROW).fill("#e8e8e8").fillColor("#111111").font("bold").fontSize(8);
    let x = MARGIN;
    table.columns.forEach((c, i) => {
      doc.text(c.header, x + 3, y + 2, { width: (widths[i] ?? 0) - 6, lineBreak: false });
      x += widths[i] ?? 0;
    });
    y += ROW;
    doc.font("regular");
    for (let r = p * perPage; r < Math.min((p + 1) * perPage, table.rows.length); r++) {
      if (r % 2 === 1) doc.rect(MARGIN, y, width, ROW).fill(ZEBRA).fillColor("#111111");
      x = MARGIN;
      table.columns.forEach((c, i) => {
        const text = (formats[i] as (v: unknown) => string)(table.rows[r]?.[c.key]);
        const numeric = c.type === "integer" || c.type === "number" || c.type === "currency" || c.type === "percent";
        doc.text(text, x + 3, y + 2, {
          width: (widths[i] ?? 0) - 6,
          align: numeric ? "right" : "left",
          lineBreak: false,
        });
        x += widths[i] ?? 0;
      });
      y += ROW;
    }
    doc.text(`Page ${p + 1} of ${pages}`, MARGIN, 841.89 - MARGIN + 10, { width, align: "right", lineBreak: false });
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

function formatter(type: string): (value: unknown) => string {
  const number = (options: Intl.NumberFormatOptions) => {
    const format = new Intl.NumberFormat("en-US", options);
    return (v: unknown) => (typeof v === "number" ? format.format(v) : "");
  };
  switch (type) {
    case "integer":
      return number({ maximumFractionDigits: 0 });
    case "number":
      return number({ minimumFractionDigits: 2, maximumFractionDigits: 2 });
    case "currency":
      return number({ style: "currency", currency: "EUR" });
    case "percent":
      return number({ style: "percent", minimumFractionDigits: 2 });
    case "datetime":
      return (v) => (typeof v === "string" ? `${new Date(v).toISOString().slice(0, 19).replace("T", " ")} UTC` : "");
    case "boolean":
      return (v) => (v === true ? "Yes" : v === false ? "No" : "");
    default:
      return (v) => (v === null || v === undefined ? "" : String(v));
  }
}
