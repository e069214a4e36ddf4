import type { Column, ReportSpec } from "@reports/contracts";
import { RenderError } from "./errors";
import {
  dateTimeFormat,
  excelFormat,
  type FormatContext,
  formatContext,
  givenFormat,
  showsAsGiven,
  zoneNamer,
  zoneOf,
} from "./format";
import type { RenderLimits } from "./limits";
import type { Progress } from "./progress";
import { RowCursor, type RowSource, SAMPLE_ROWS } from "./rows";
import { partName, sheetNames } from "./sheet-names";
import type { ChunkSink } from "./sink";
import { type Aggregate, aggregates, SUBTOTAL_FUNCTION, TOTALS_LABEL, totalsColumn } from "./totals";
import { sheetColumnWidths } from "./widths";
import { cellWriter, numberCell, textCell, textStyles } from "./xlsx-cells";
import { workbookParts } from "./xlsx-scaffold";
import { filterRef, type SheetJob, writeSheet } from "./xlsx-sheet";
import { StyleSheet } from "./xlsx-styles";
import { columnName, escapeText } from "./xml";
import { ZipWriter } from "./zip";

export { XLSX_CONTENT_TYPE } from "./file-type";

/** A run of one table's rows that goes on one sheet. */
interface SheetPart {
  table: number;
  name: string;
  firstRow: number;
  rows: number;
  /** Whether the table's totals row ends this sheet. */
  totals: boolean;
}

/**
 * Writes every table as a sheet (more when a table outgrows a sheet) with a bold frozen header, autofilter, column
 * widths, typed cells with number formats and an optional totals row. SheetJS writes the workbook's scaffolding;
 * each sheet's XML is streamed row by row into a streaming zip, so memory does not grow with the rows.
 */
export async function renderXlsx(
  spec: ReportSpec,
  sources: readonly RowSource[],
  progress: Progress,
  limits: RenderLimits,
  sink: ChunkSink,
): Promise<number> {
  const context = formatContext(spec);
  const parts = planSheets(spec, sources, limits);
  const scaffold = workbookParts(
    spec.title,
    parts.map((part) => {
      const letters = columnName((spec.tables[part.table]?.columns.length ?? 1) - 1);
      return { name: part.name, filterRef: filterRef({ letters: [letters], rows: part.rows }) };
    }),
  );
  const styles = new StyleSheet();
  const tables = spec.tables.map((table, t) => tableWriter(table.columns, styles, context, parts, t));
  const zip = new ZipWriter(sink);
  try {
    for (const { path, data } of scaffold.parts) zip.addBuffer(path, data);
    const writers = scaffold.sheetPaths.map((path) => zip.addStream(path));
    let p = 0;
    for (const [t, source] of sources.entries()) {
      const table = spec.tables[t];
      const writer = tables[t];
      if (!table || !writer) throw new Error(`no table ${t} for its rows`);
      const cursor = new RowCursor(source);
      const widths = sheetColumnWidths(table.columns, await cursor.sample(SAMPLE_ROWS), context);
      for (; parts[p]?.table === t; p++) {
        const part = parts[p] as SheetPart;
        const job: SheetJob = {
          ...writer,
          tableName: table.name,
          columns: table.columns,
          widths,
          firstRow: part.firstRow,
          rows: part.rows,
          totals: part.totals ? writer.totalsRow : null,
          selected: p === 0,
        };
        await writeSheet(writers[p] as NonNullable<(typeof writers)[number]>, job, cursor, progress);
      }
    }
    // Last: cells register styles as their values ask for them (a zone's summer time, a number's decimals).
    zip.addBuffer(scaffold.stylesPath, Buffer.from(styles.toXml()));
    return await zip.finish();
  } catch (error) {
    zip.abort();
    throw error;
  }
}

function planSheets(spec: ReportSpec, sources: readonly RowSource[], limits: RenderLimits): SheetPart[] {
  const parts: SheetPart[] = [];
  const names = sheetNames(spec.tables.map((t) => t.name));
  spec.tables.forEach((table, t) => {
    const count = sources[t]?.count ?? 0;
    const hasTotals = table.columns.some((c) => c.totals !== undefined);
    const capacity = limits.xlsxSheetRows;
    if (count + (hasTotals ? 1 : 0) > capacity && limits.xlsxOverflow === "reject") {
      throw new RenderError(
        "TOO_LARGE",
        `table "${table.name}" has ${count} rows${hasTotals ? " and a totals row" : ""}; a sheet holds ${capacity}`,
      );
    }
    for (let firstRow = 0; ; ) {
      const rows = Math.min(capacity, count - firstRow);
      const done = firstRow + rows >= count;
      // A full last sheet leaves no room for the totals row: it goes on a sheet of its own.
      const totals = hasTotals && done && rows < capacity;
      const n = parts.filter((p) => p.table === t).length + 1;
      const name = n === 1 ? (names[t] as string) : partName(names[t] as string, n);
      parts.push({ table: t, name, firstRow, rows, totals });
      firstRow += rows;
      if (done && (totals || !hasTotals)) break;
    }
  });
  const unique = sheetNames(parts.map((p) => p.name));
  return parts.map((part, i) => ({ ...part, name: unique[i] as string }));
}

/** The cell writers, header and totals row of one table, shared by its sheets. */
function tableWriter(
  columns: readonly Column[],
  styles: StyleSheet,
  context: FormatContext,
  parts: readonly SheetPart[],
  table: number,
) {
  const letters = columns.map((_, c) => columnName(c));
  const totals = aggregates(columns);
  const writers = columns.map((column, c) => cellWriter(column, letters[c] as string, styles, context, totals?.[c]));
  const bold = textStyles(styles, true);
  const headerXml = columns.map((column, c) => textCell(`${letters[c]}1`, column.header, bold)).join("");
  let totalsRow: (row: number) => string = () => "";
  if (totals) {
    const ranges = parts.filter((p) => p.table === table && p.rows > 0);
    totalsRow = (row) =>
      columns
        .map((_, c) => {
          const ref = `${letters[c]}${row}`;
          const total = totals[c];
          if (total === undefined) return c === 0 ? textCell(ref, TOTALS_LABEL, bold) : "";
          const style = styles.style({ format: totalFormat(columns[c] as Column, total, context), bold: true });
          return totalCell(ref, total, style, ranges, letters[c] as string);
        })
        .join("");
  }
  return { letters, writers, headerXml, totalsRow };
}

/** The number format of a totals cell: its column's, with the total's own decimals or zone name where those vary. */
function totalFormat(column: Column, total: Aggregate, context: FormatContext): string | undefined {
  const shown = totalsColumn(column);
  const value = total.number();
  if (showsAsGiven(shown) && value !== null) return givenFormat(value);
  const at = total.value();
  if (shown.type === "datetime" && typeof at === "string") {
    return dateTimeFormat(zoneNamer(zoneOf(column, context))(Date.parse(at)));
  }
  return excelFormat(shown, context.locale);
}

/** A live SUBTOTAL over the table's rows on every sheet (it follows the autofilter), with its value cached. */
function totalCell(
  ref: string,
  total: Aggregate,
  style: number,
  ranges: readonly SheetPart[],
  letters: string,
): string {
  const value = total.number();
  if (ranges.length === 0) return value === null ? "" : numberCell(ref, value, style);
  const areas = ranges.map((p) => `'${p.name.replace(/'/g, "''")}'!${letters}2:${letters}${p.rows + 1}`);
  const formula = escapeText(`SUBTOTAL(${SUBTOTAL_FUNCTION[total.kind]},${areas.join(",")})`);
  const cached = value === null ? "" : `<v>${value}</v>`;
  return `<c r="${ref}"${style === 0 ? "" : ` s="${style}"`}><f>${formula}</f>${cached}</c>`;
}
