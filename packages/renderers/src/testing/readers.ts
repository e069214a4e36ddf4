import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const INSTALL = "apt-get update && apt-get install -y python3-openpyxl poppler-utils";

/** A cell as openpyxl reads it. */
export interface OpenpyxlCell {
  value: string | number | boolean | null;
  type: string;
  format: string;
  bold: boolean;
  quotePrefix: boolean;
}

export interface OpenpyxlSheet {
  name: string;
  dimensions: string;
  maxRow: number;
  freeze: string | null;
  filter: string | null;
  widths: Record<string, number>;
  /** The first rows, then the last one, keyed by coordinate. */
  cells: Record<string, OpenpyxlCell>;
}

const DUMP = `
import json, sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
limit = int(sys.argv[2])
out = []
for ws in wb.worksheets:
    cells = {}
    rows = list(range(1, min(ws.max_row, limit) + 1)) + ([ws.max_row] if ws.max_row > limit else [])
    for r in rows:
        for c in ws[r]:
            v = c.value
            if isinstance(v, (datetime.datetime, datetime.date)): v = v.isoformat()
            if v is None: continue
            cells[c.coordinate] = {"value": v, "type": c.data_type, "format": c.number_format,
                                   "bold": bool(c.font.b), "quotePrefix": bool(c.quotePrefix)}
    out.append({"name": ws.title, "dimensions": ws.dimensions, "maxRow": ws.max_row, "freeze": ws.freeze_panes,
                "filter": ws.auto_filter.ref, "widths": {k: d.width for k, d in ws.column_dimensions.items()},
                "cells": cells})
print(json.dumps(out))
`;

/** Debian's python3 first: a python of its own (pyenv) earlier on the PATH has no openpyxl. */
function pythonWithOpenpyxl(): string {
  for (const python of ["/usr/bin/python3", "python3"]) {
    if (spawnSync(python, ["-c", "import openpyxl"], { stdio: "ignore" }).status === 0) return python;
  }
  throw new Error(`openpyxl is missing: this test reads the XLSX with it. Install it: ${INSTALL}`);
}

/** Reads an XLSX with openpyxl, a reader nobody here wrote: every sheet, its first `rows` rows and its last. */
export function readWithOpenpyxl(data: Buffer, rows = 50): OpenpyxlSheet[] {
  const python = pythonWithOpenpyxl();
  return withFile(data, "book.xlsx", (file) =>
    JSON.parse(execFileSync(python, ["-c", DUMP, file, String(rows)], { maxBuffer: 64 << 20 }).toString()),
  );
}

/** The text of a PDF as poppler's pdftotext extracts it, pages separated by form feeds. */
export function pdfToText(data: Buffer, layout = false): string {
  if (spawnSync("pdftotext", ["-v"], { stdio: "ignore" }).status !== 0) {
    throw new Error(`pdftotext (poppler-utils) is missing: this test reads the PDF with it. Install it: ${INSTALL}`);
  }
  return withFile(data, "report.pdf", (file) =>
    execFileSync("pdftotext", [...(layout ? ["-layout"] : []), "-enc", "UTF-8", file, "-"], {
      maxBuffer: 64 << 20,
    }).toString(),
  );
}

function withFile<T>(data: Buffer, name: string, read: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "renderers-"));
  try {
    const path = join(dir, name);
    writeFileSync(path, data);
    return read(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A word on a PDF page as poppler places it (points, origin top left). */
export interface PdfWord {
  page: number;
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

/** Every word of a PDF with its box, from `pdftotext -bbox-layout`, and each page's size. */
export function pdfWords(data: Buffer): { pages: { width: number; height: number }[]; words: PdfWord[] } {
  const html = withFile(data, "report.pdf", (file) =>
    execFileSync("pdftotext", ["-bbox-layout", "-enc", "UTF-8", file, "-"], { maxBuffer: 64 << 20 }).toString(),
  );
  const pages: { width: number; height: number }[] = [];
  const words: PdfWord[] = [];
  const tag =
    /<page width="([\d.]+)" height="([\d.]+)">|<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g;
  for (const m of html.matchAll(tag)) {
    if (m[1] !== undefined) pages.push({ width: Number(m[1]), height: Number(m[2]) });
    else {
      const [xMin, yMin, xMax, yMax] = [m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number];
      words.push({ page: pages.length, text: m[7] ?? "", xMin, yMin, xMax, yMax });
    }
  }
  return { pages, words };
}

/** Pairs of words on one line of one page whose boxes overlap by more than `tolerance` points. */
export function overlappingWords(words: readonly PdfWord[], tolerance = 0.5): [PdfWord, PdfWord][] {
  const found: [PdfWord, PdfWord][] = [];
  const sorted = [...words].sort((a, b) => a.page - b.page || a.xMin - b.xMin);
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i] as PdfWord;
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j] as PdfWord;
      if (b.page !== a.page || b.xMin >= a.xMax - tolerance) break;
      const sameLine = Math.min(a.yMax, b.yMax) - Math.max(a.yMin, b.yMin) > tolerance;
      if (sameLine) found.push([a, b]);
    }
  }
  return found;
}

/** The fonts of a PDF as `pdffonts` lists them: name, whether embedded. */
export function pdfFonts(data: Buffer): { name: string; embedded: boolean }[] {
  const out = withFile(data, "report.pdf", (file) => execFileSync("pdffonts", [file]).toString());
  return out
    .split("\n")
    .slice(2)
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [name = ""] = line.split(/\s+/);
      // Columns from the right: object ID (two fields), uni, sub, emb.
      const fields = line.trim().split(/\s+/);
      return { name, embedded: fields.at(-5) === "yes" };
    });
}

/**
 * An XLSX's first sheet as LibreOffice Calc shows it (values in their number formats), through
 * `soffice --headless --convert-to csv`: what a spreadsheet user sees, read by an office suite nobody here wrote.
 */
export function readWithLibreOffice(data: Buffer, sheet = 1): string[][] {
  if (spawnSync("soffice", ["--version"], { stdio: "ignore" }).status !== 0) {
    throw new Error(
      "LibreOffice is missing: this test reads the XLSX with it. Install it: apt-get install -y libreoffice-calc",
    );
  }
  return withFile(data, "book.xlsx", (file) => {
    const dir = join(file, "..");
    // a profile of its own: instances sharing one wait on each other's lock
    execFileSync(
      "soffice",
      [
        `-env:UserInstallation=file://${dir}/profile`,
        "--headless",
        "--convert-to",
        // the twelfth option picks the sheet (LibreOffice 7.2 and later)
        sheet === 1
          ? "csv:Text - txt - csv (StarCalc):44,34,76"
          : `csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,${sheet}`,
        "--outdir",
        dir,
        file,
      ],
      { stdio: "ignore", timeout: 120_000 },
    );
    // a chosen sheet is written as book-{sheet name}.csv
    const csv = sheet === 1 ? "book.csv" : readdirSync(dir).find((f) => f.startsWith("book-") && f.endsWith(".csv"));
    return parseCsv(readFileSync(join(dir, csv ?? "book.csv"), "utf8"));
  });
}

/** RFC 4180 CSV, as LibreOffice writes it. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') field += text[++i];
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(field);
      field = "";
    } else if (char === "\n") {
      rows.push([...row, field.replace(/\r$/, "")]);
      row = [];
      field = "";
    } else field += char;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** What openpyxl reads of a sheet's layout: rows' outline levels and values (formulas as text), header, footer, images, conditional formats. */
export interface OpenpyxlLayout {
  name: string;
  summaryBelow: boolean | null;
  outlineLevelRow: number;
  /** Each row from the first: its outline level and its cells' values (a formula as `=…`). */
  rows: Array<{ level: number; values: Array<string | number | boolean | null> }>;
  header: { left: string | null; center: string | null; right: string | null };
  footer: { left: string | null; center: string | null; right: string | null };
  images: number;
  conditional: Array<{
    range: string;
    type: string;
    operator: string | null;
    formula: string[];
    stop: boolean;
    color: string | null;
    fill: string | null;
    bold: boolean;
  }>;
}

const LAYOUT_DUMP = `
import json, sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
out = []
def part(p): return p.text if p and p.text else None
for ws in wb.worksheets:
    rows = []
    for r in range(1, ws.max_row + 1):
        values = []
        for c in ws[r]:
            v = c.value
            if isinstance(v, (datetime.datetime, datetime.date)): v = v.isoformat()
            values.append(v)
        rows.append({"level": ws.row_dimensions[r].outlineLevel or 0, "values": values})
    cf = []
    for rng in ws.conditional_formatting:
        for rule in rng.rules:
            d = rule.dxf
            cf.append({"range": str(rng.sqref), "type": rule.type, "operator": rule.operator, "formula": list(rule.formula or []),
                       "stop": bool(rule.stopIfTrue),
                       "color": d.font.color.rgb if d and d.font and d.font.color else None,
                       "fill": d.fill.fgColor.rgb if d and d.fill and d.fill.fgColor is not None and d.fill.patternType else None,
                       "bold": bool(d and d.font and d.font.b)})
    out.append({"name": ws.title, "summaryBelow": ws.sheet_properties.outlinePr.summaryBelow if ws.sheet_properties.outlinePr else None,
                "outlineLevelRow": ws.sheet_format.outlineLevelRow or 0, "rows": rows,
                "header": {k: part(getattr(ws.oddHeader, k)) for k in ("left", "center", "right")},
                "footer": {k: part(getattr(ws.oddFooter, k)) for k in ("left", "center", "right")},
                "images": len(ws._images), "conditional": cf})
print(json.dumps(out))
`;

/** Reads every sheet's rows, outline levels, formulas, header, footer, images and conditional formats with openpyxl. */
export function readLayoutWithOpenpyxl(data: Buffer): OpenpyxlLayout[] {
  const python = pythonWithOpenpyxl();
  return withFile(data, "book.xlsx", (file) =>
    JSON.parse(execFileSync(python, ["-c", LAYOUT_DUMP, file], { maxBuffer: 64 << 20 }).toString()),
  );
}

const DROP_CACHED = `
import re, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
    for item in zin.infolist():
        data = zin.read(item.filename)
        if item.filename.startswith("xl/worksheets/sheet"):
            data = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\\1", data)
        zout.writestr(item, data)
`;

/**
 * The workbook with the cached results of its formulas removed: LibreOffice must then calculate every formula
 * itself, so what it shows is its own arithmetic, not ours.
 */
export function withoutCachedResults(data: Buffer): Buffer {
  const python = pythonWithOpenpyxl();
  return withFile(data, "in.xlsx", (file) => {
    const out = join(file, "..", "out.xlsx");
    execFileSync(python, ["-c", DROP_CACHED, file, out]);
    return readFileSync(out);
  });
}
