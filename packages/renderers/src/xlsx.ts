import * as zlib from "node:zlib";
import type { Column, ReportSpec, Table } from "@reports/contracts";
// The CommonJS build: Node exposes its exports only as a default import.
import XLSX from "xlsx";
import { invalidCell } from "./errors";
import { excelFormat, excelSerial, parseInstant } from "./format";
import type { Progress } from "./progress";
import { sheetNames } from "./sheet-names";
import { contentWidths } from "./widths";

/** Node's raw inflate under the old name SheetJS probes for (`bytesRead` is deprecated and warns). */
class InflateRaw extends zlib.InflateRaw {
  override get bytesRead(): number {
    return this.bytesWritten;
  }
}
// Native deflate instead of SheetJS's JavaScript one.
XLSX.CFB.utils.use_zlib({ InflateRaw, deflateRawSync: zlib.deflateRawSync });

/** Rows converted between two progress reports and abort checks. */
const CHUNK_ROWS = 10_000;
/** Excel's first free id for custom number formats; lower ids are reserved. */
const FIRST_CUSTOM_FORMAT = 164;
const MAX_CUSTOM_FORMAT = 0x187;
/** An underscore that starts what a reader would take for an escape; lookahead, as escapes may overlap. */
const ESCAPE_START = /_(?=x[0-9a-f]{4}_)/gi;

export const XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/**
 * Writes every table of the spec as one sheet with a header row, typed cells and column widths.
 * Styles and frozen panes are out of reach of SheetJS community; a streaming writer will add them.
 */
export async function renderXlsx(spec: ReportSpec, progress: Progress): Promise<Buffer> {
  const workbook = XLSX.utils.book_new();
  workbook.Props = { Title: spec.title };
  const names = sheetNames(spec.tables.map((t) => t.name));
  for (const [t, table] of spec.tables.entries()) {
    XLSX.utils.book_append_sheet(workbook, await buildSheet(table, progress), names[t]);
  }
  const data: Buffer = XLSX.write(workbook, { type: "buffer", bookType: "xlsx", compression: true });
  return data;
}

async function buildSheet(table: Table, progress: Progress): Promise<XLSX.WorkSheet> {
  const cells: XLSX.CellObject[][] = [table.columns.map((c) => ({ t: "s", v: escapeText(c.header) }))];
  const writers = table.columns.map(cellWriter);
  for (let start = 0; start < table.rows.length; start += CHUNK_ROWS) {
    const end = Math.min(start + CHUNK_ROWS, table.rows.length);
    for (let r = start; r < end; r++) {
      const values = table.rows[r] ?? {};
      const line: XLSX.CellObject[] = [];
      for (let c = 0; c < writers.length; c++) {
        const column = table.columns[c] as Column;
        const value = values[column.key];
        if (value === null || value === undefined) continue;
        const cell = (writers[c] as CellWriter)(value);
        if (cell === null) throw invalidCell(table.name, r, column.key, column.type);
        line[c] = cell;
      }
      cells.push(line);
    }
    await progress.advance(end - start);
  }
  const widths = contentWidths(table);
  return Object.assign(cells, {
    "!ref": XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: table.rows.length, c: table.columns.length - 1 } }),
    "!cols": table.columns.map((c, i) => ({ wch: c.width ?? Math.min(Math.max((widths[i] ?? 0) + 2, 8), 60) })),
  }) as unknown as XLSX.WorkSheet;
}

type CellWriter = (value: string | number | boolean) => XLSX.CellObject | null;

/** The converter of one column's values into SheetJS cells; null means the value does not fit the type. */
function cellWriter(column: Column): CellWriter {
  const z = excelFormat(column);
  if (z !== undefined) registerFormat(z);
  switch (column.type) {
    case "string":
      return (v) => ({ t: "s", v: escapeText(String(v)) });
    case "boolean":
      return (v) => (typeof v === "boolean" ? { t: "b", v } : null);
    case "integer":
      return (v) => (Number.isSafeInteger(v) ? { t: "n", v: v as number, z } : null);
    case "number":
    case "currency":
    case "percent":
      return (v) => (typeof v === "number" && Number.isFinite(v) ? { t: "n", v, z } : null);
    case "date":
    case "datetime": {
      const type = column.type;
      return (v) => {
        const ms = typeof v === "string" ? parseInstant(type, v) : null;
        if (ms === null) return null;
        const serial = excelSerial(ms);
        // Before 1900 Excel has no serial: keep the ISO text.
        return serial === null ? { t: "s", v } : { t: "n", v: serial, z };
      };
    }
  }
}

/** Readers turn a literal `_x0041_` into "A": escape its underscore as `_x005F_`. */
function escapeText(text: string): string {
  return text.includes("_") ? text.replace(ESCAPE_START, "_x005F_") : text;
}

/**
 * Gives a custom number format an id of its own (≥ 164) in SheetJS's process-wide table,
 * or SheetJS picks one in Excel's reserved range.
 */
function registerFormat(format: string): void {
  const table: Record<number, string | undefined> = XLSX.SSF.get_table();
  if (Object.values(table).includes(format)) return;
  for (let id = FIRST_CUSTOM_FORMAT; id <= MAX_CUSTOM_FORMAT; id++) {
    if (table[id] === undefined) {
      XLSX.SSF.load(format, id);
      return;
    }
  }
}
