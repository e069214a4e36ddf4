import type { Column, ColumnTotal, ReportLayout, ReportSpec } from "@reports/contracts";
import { readableOn } from "./colors";
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
import { orderedRows } from "./groups";
import type { LogoImage } from "./image";
import { EXCEL_MAX_DATA_ROWS, type RenderLimits } from "./limits";
import type { Progress } from "./progress";
import { RowCursor, type RowSource, SAMPLE_ROWS } from "./rows";
import { partName, sheetNames } from "./sheet-names";
import type { ChunkSink } from "./sink";
import { type Aggregate, aggregates, SUBTOTAL_FUNCTION, type Tally, TOTALS_LABEL, totalsColumn } from "./totals";
import { sheetColumnWidths } from "./widths";
import { cellWriter, numberCell, type TextStyles, textCell, textStyles } from "./xlsx-cells";
import { conditionalFormattingXml, headerFooterXml, logoParts, withLogoTypes } from "./xlsx-decor";
import { workbookParts } from "./xlsx-scaffold";
import { filterRef, type SheetDecor, type SheetJob, writeSheet } from "./xlsx-sheet";
import { type CellStyle, StyleSheet } from "./xlsx-styles";
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
  look: WorkbookLook,
): Promise<number> {
  if (spec.tables.some((t) => t.groupBy)) {
    const { renderGroupedXlsx } = await import("./xlsx-grouped");
    return renderGroupedXlsx(spec, sources, progress, limits, sink, look);
  }
  const context = formatContext(spec);
  const top = look.logo ? 1 : 0;
  const parts = planSheets(spec, sources, limits, top);
  const scaffold = workbookParts(
    spec.title,
    parts.map((part) => {
      const letters = columnName((spec.tables[part.table]?.columns.length ?? 1) - 1);
      return { name: part.name, filterRef: filterRef({ letters: [letters], rows: part.rows }, top) };
    }),
  );
  const styles = new StyleSheet();
  const tables = spec.tables.map((table, t) => {
    const ranges = parts.filter((p) => p.table === t && p.rows > 0).map((p) => sheetArea(p.name, top + 2, p.rows));
    return tableWriter(table.columns, styles, context, ranges, SUBTOTAL_FUNCTION, spec.layout);
  });
  const decors = spec.tables.map((table) => sheetDecor(spec, table.columns, styles, look));
  const zip = new ZipWriter(sink);
  try {
    for (const { path, data } of scaffold.parts) {
      zip.addBuffer(path, look.logo && path === CONTENT_TYPES ? withLogoTypes(data, look.logo, parts.length) : data);
    }
    const writers = scaffold.sheetPaths.map((path) => zip.addStream(path));
    let p = 0;
    for (const [t, source] of sources.entries()) {
      const table = spec.tables[t];
      const writer = tables[t];
      if (!table || !writer) throw new Error(`no table ${t} for its rows`);
      const cursor = new RowCursor(await orderedRows(table, source, spec.locale));
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
          decor: decors[t] as SheetDecor,
        };
        await writeSheet(writers[p] as NonNullable<(typeof writers)[number]>, job, cursor, progress);
      }
    }
    // Last: cells register styles as their values ask for them (a zone's summer time, a number's decimals).
    zip.addBuffer(scaffold.stylesPath, Buffer.from(styles.toXml()));
    if (look.logo) for (const { path, data } of logoParts(look.logo, parts.length)) zip.addBuffer(path, data);
    return await zip.finish();
  } catch (error) {
    zip.abort();
    throw error;
  }
}

function planSheets(spec: ReportSpec, sources: readonly RowSource[], limits: RenderLimits, top: number): SheetPart[] {
  const parts: SheetPart[] = [];
  const names = sheetNames(spec.tables.map((t) => t.name));
  spec.tables.forEach((table, t) => {
    const count = sources[t]?.count ?? 0;
    const hasTotals = table.columns.some((c) => c.totals !== undefined);
    const capacity = sheetCapacity(limits, top);
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

/** What a workbook shows beside its rows: the logo checked and measured, the time of `{{generatedAt}}`. */
export interface WorkbookLook {
  logo: LogoImage | null;
  generatedAt: string;
}

const CONTENT_TYPES = "[Content_Types].xml";

/** Data rows a sheet holds below its header (and the logo's row). */
export function sheetCapacity(limits: RenderLimits, top: number): number {
  return Math.min(limits.xlsxSheetRows, EXCEL_MAX_DATA_ROWS - top);
}

/** A range of rows `first`… (`rows` of them) of a sheet, column letters left out: `'Name'!{col}2:{col}9`. */
export interface SheetArea {
  sheet: string;
  first: number;
  last: number;
}

export function sheetArea(sheet: string, first: number, rows: number): SheetArea {
  return { sheet, first, last: first + rows - 1 };
}

/** The layout's additions to each sheet of a table. */
export function sheetDecor(
  spec: ReportSpec,
  columns: readonly Column[],
  styles: StyleSheet,
  look: WorkbookLook,
): SheetDecor {
  const letters = columns.map((_, c) => columnName(c));
  const styled = columns.flatMap((column, c) => (column.styles ? [{ column, letters: letters[c] as string }] : []));
  return {
    top: look.logo ? 1 : 0,
    headerFooter: headerFooterXml(spec.layout, look.generatedAt),
    conditional: (first, last) => {
      const priority = { next: 1 };
      return styled
        .map(({ column, letters }) =>
          conditionalFormattingXml(
            column,
            `${letters}${first}:${letters}${last}`,
            `${letters}${first}`,
            styles,
            priority,
          ),
        )
        .join("");
    },
  };
}

/** The header row's look: bold, in the accent colour (with white or black text, whichever reads) when there is one. */
function headerLook(layout: ReportLayout | undefined): Omit<CellStyle, "bold" | "format" | "align"> {
  const accent = layout?.accentColor;
  return accent ? { fill: accent, color: readableOn(accent) } : {};
}

/** The cell writers, header and totals row of one table, shared by its sheets. */
export function tableWriter(
  columns: readonly Column[],
  styles: StyleSheet,
  context: FormatContext,
  ranges: readonly SheetArea[],
  functions: Record<ColumnTotal, number>,
  layout: ReportLayout | undefined,
  /** Also takes each column's values (a grouped table's open groups), beside the table's totals. */
  also?: (column: number) => Tally,
) {
  const letters = columns.map((_, c) => columnName(c));
  const totals = aggregates(columns);
  const tally = (c: number): Tally | undefined => {
    const total = totals?.[c];
    const more = also?.(c);
    if (!more) return total;
    return {
      add(value, key) {
        total?.add(value, key);
        more.add(value, key);
      },
    };
  };
  const writers = columns.map((column, c) => cellWriter(column, letters[c] as string, styles, context, tally(c)));
  const bold = textStyles(styles, true);
  const header = headerLook(layout);
  const headers = columns.map((column) => textStyles(styles, true, { ...header, align: column.align }));
  const headerXml = (row: number) =>
    columns.map((column, c) => textCell(`${letters[c]}${row}`, column.header, headers[c] as TextStyles)).join("");
  let totalsRow: (row: number) => string = () => "";
  if (totals) {
    totalsRow = (row) =>
      summaryCells(columns, totals, { text: TOTALS_LABEL, column: 0 }, row, ranges, {
        styles,
        context,
        bold,
        letters,
        functions,
      });
  }
  return { letters, writers, headerXml, totalsRow, totals };
}

/** What a totals or subtotal row is written with. */
export interface SummaryStyle {
  styles: StyleSheet;
  context: FormatContext;
  bold: TextStyles;
  letters: readonly string[];
  functions: Record<ColumnTotal, number>;
}

/** A totals row's cells: each column's SUBTOTAL over `ranges`, and the label in its column if that has no total. */
export function summaryCells(
  columns: readonly Column[],
  totals: ReadonlyArray<Aggregate | undefined>,
  label: { text: string; column: number },
  row: number,
  ranges: readonly SheetArea[],
  { styles, context, bold, letters, functions }: SummaryStyle,
): string {
  return columns
    .map((column, c) => {
      const ref = `${letters[c]}${row}`;
      const total = totals[c];
      if (total === undefined) return c === label.column ? textCell(ref, label.text, bold) : "";
      const style = styles.style({ format: totalFormat(column, total, context), bold: true, align: column.align });
      return totalCell(ref, total, style, ranges, letters[c] as string, functions);
    })
    .join("");
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
  ranges: readonly SheetArea[],
  letters: string,
  functions: Record<ColumnTotal, number>,
): string {
  const value = total.number();
  if (ranges.length === 0) return value === null ? "" : numberCell(ref, value, style);
  const areas = ranges.map((p) => `'${p.sheet.replace(/'/g, "''")}'!${letters}${p.first}:${letters}${p.last}`);
  const formula = escapeText(`SUBTOTAL(${functions[total.kind]},${areas.join(",")})`);
  const cached = value === null ? "" : `<v>${value}</v>`;
  return `<c r="${ref}"${style === 0 ? "" : ` s="${style}"`}><f>${formula}</f>${cached}</c>`;
}
