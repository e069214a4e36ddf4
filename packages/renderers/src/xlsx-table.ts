import type { Column, ColumnTotal, ReportLayout, ReportSpec } from "@reports/contracts";
import { readableOn } from "./colors";
import {
  dateTimeFormat,
  excelFormat,
  type FormatContext,
  givenFormat,
  showsAsGiven,
  zoneNamer,
  zoneOf,
} from "./format";
import type { LogoImage } from "./image";
import { EXCEL_MAX_DATA_ROWS, type RenderLimits } from "./limits";
import { type Aggregate, aggregates, type Tally, TOTALS_LABEL, totalsColumn } from "./totals";
import { cellWriter, numberCell, type TextStyles, textCell, textStyles } from "./xlsx-cells";
import { conditionalFormattingXml, headerFooterXml } from "./xlsx-decor";
import type { SheetDecor } from "./xlsx-sheet";
import type { CellStyle, StyleSheet } from "./xlsx-styles";
import { columnName, escapeText } from "./xml";

/** What a workbook shows beside its rows: the logo checked and measured, the time of `{{generatedAt}}`. */
export interface WorkbookLook {
  logo: LogoImage | null;
  generatedAt: string;
}

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
