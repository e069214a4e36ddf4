import { type Column, cellOf, type PdfOptions, type ReportSpec, type Row, type Table } from "@reports/contracts";
import { invalidCell } from "./errors";
import type { TextMeasure } from "./fonts";
import { type DisplayFormatter, displayFormatter, type FormatContext } from "./format";
import { SAMPLE_ROWS } from "./rows";
import { aggregates, TOTALS_LABEL, totalsColumn } from "./totals";
import { wrapText } from "./wrap";

/** Sizes in points; the PDF components and the painter use the same numbers the page plan counts with. */
export const LAYOUT = {
  margin: 36,
  footerSpace: 30,
  titleSize: 16,
  titleGap: 8,
  headingSize: 11,
  headingGapAbove: 10,
  headingGapBelow: 4,
  fontSize: 8,
  lineHeight: 1.25,
  cellPadX: 3,
  cellPadY: 2,
  rowBorder: 0.5,
  headerBorder: 1,
  maxCellLines: 4,
  maxHeaderLines: 3,
} as const;

const PAGE_SIZES = { A4: [595.28, 841.89], Letter: [612, 792] } as const;
/** Room left in every cell and on every page for what the estimate cannot see (rounding). */
const CELL_SLACK = 2;
const PAGE_SLACK = 6;
const NUMERIC = new Set<Column["type"]>(["integer", "number", "currency", "percent"]);
const LINE = LAYOUT.fontSize * LAYOUT.lineHeight;

export interface ColumnPlan {
  x: number;
  width: number;
  align: "left" | "right";
}

/** A run of one table's rows on one page, under its heading and header row; cell lines are joined with "\n". */
export interface BlockPlan {
  heading: string;
  columns: ColumnPlan[];
  header: string[];
  headerHeight: number;
  rows: string[][];
  rowHeights: number[];
  /** Index in the table of the block's first row: zebra stripes count from the table's start. */
  firstRow: number;
  /** The table's totals row, on the block that ends the table. */
  totals: { cells: string[]; height: number } | null;
  /** Header, rows and totals: the height of the block's painted table. */
  height: number;
}

export interface PagePlan {
  title: string | null;
  blocks: BlockPlan[];
}

export interface Fonts {
  regular: TextMeasure;
  bold: TextMeasure;
}

/** The page's width and height in points for the spec's size and orientation. */
export function pageSize(options: PdfOptions): { width: number; height: number } {
  const [short, long] = PAGE_SIZES[options.pageSize];
  return options.orientation === "landscape" ? { width: long, height: short } : { width: short, height: long };
}

/**
 * Splits the report into pages before React-PDF sees it: every row's height is known (cells are wrapped and cut
 * here), so each page holds what fits, and the work stays linear in the number of rows.
 */
export function planPages(spec: ReportSpec, rows: readonly (readonly Row[])[], fonts: Fonts, context: FormatContext) {
  const size = pageSize(spec.pdf ?? { pageSize: "A4", orientation: "portrait" });
  const contentWidth = size.width - 2 * LAYOUT.margin;
  const contentHeight = size.height - LAYOUT.margin - LAYOUT.footerSpace - PAGE_SLACK;
  const title = wrapText(spec.title, contentWidth / LAYOUT.titleSize, fonts.bold, 10);

  const pages: PagePlan[] = [{ title: title.text, blocks: [] }];
  let room = contentHeight - title.lines * LAYOUT.titleSize * LAYOUT.lineHeight - LAYOUT.titleGap;
  const newPage = () => {
    pages.push({ title: null, blocks: [] });
    room = contentHeight;
  };

  spec.tables.forEach((table, t) => {
    const values = rows[t] ?? [];
    const formatters = table.columns.map((c) => displayFormatter(c, context));
    const columns = planColumns(table, values, formatters, fonts, contentWidth);
    const header = table.columns.map((c, i) =>
      wrapText(c.header, textWidth(columns[i]), fonts.bold, LAYOUT.maxHeaderLines),
    );
    const headerHeight = Math.max(...header.map((h) => h.lines)) * LINE + 2 * LAYOUT.cellPadY + LAYOUT.headerBorder;
    const headingOf = (name: string) => wrapText(name, contentWidth / LAYOUT.headingSize, fonts.bold, 3);
    const totals = totalsRow(table, values, context, columns, fonts.bold);

    const rowAt = (r: number) =>
      r < values.length ? planRow(table, values, r, formatters, columns, fonts.regular) : null;
    let next = 0;
    let pending = rowAt(next);
    let totalsLeft = totals !== null;
    do {
      const heading = headingOf(next === 0 ? table.name : `${table.name} (continued)`);
      const top =
        heading.lines * LAYOUT.headingSize * LAYOUT.lineHeight + LAYOUT.headingGapAbove + LAYOUT.headingGapBelow;
      const first = pending?.height ?? totals?.height ?? 0;
      if (top + headerHeight + first > room && pages.at(-1)?.blocks.length !== 0) newPage();
      const block: BlockPlan = {
        heading: heading.text,
        columns,
        header: header.map((h) => h.text),
        headerHeight,
        rows: [],
        rowHeights: [],
        firstRow: next,
        totals: null,
        height: headerHeight,
      };
      room -= top + headerHeight;
      while (pending !== null && (pending.height <= room || block.rows.length === 0)) {
        block.rows.push(pending.cells);
        block.rowHeights.push(pending.height);
        block.height += pending.height;
        room -= pending.height;
        pending = rowAt(++next);
      }
      if (pending === null && totals !== null && (totals.height <= room || block.rows.length === 0)) {
        block.totals = totals;
        block.height += totals.height;
        room -= totals.height;
        totalsLeft = false;
      }
      (pages.at(-1) as PagePlan).blocks.push(block);
      if (pending !== null || totalsLeft) newPage();
    } while (pending !== null || totalsLeft);
  });
  return pages;
}

/** Width of a character when the spec gives a column's width in characters, in ems. */
const CHAR_EM = 0.55;
/** Share of the page the columns that must not wrap (numbers, dates) may keep when the table is too wide. */
const FIXED_SHARE = 0.6;

/**
 * Column widths: each column's natural width (the spec's width in characters, else the widest of the header's
 * longest word and the first rows' values), stretched to the page; when the table is wider than the page, text
 * columns give up room first, so numbers and dates stay on one line.
 */
function planColumns(
  table: Table,
  rows: readonly Row[],
  formatters: readonly DisplayFormatter[],
  fonts: Fonts,
  contentWidth: number,
): ColumnPlan[] {
  const sample = Math.min(rows.length, SAMPLE_ROWS);
  const natural = table.columns.map((column, c) => {
    let ems = column.width === undefined ? 0 : column.width * CHAR_EM;
    if (column.width === undefined) {
      ems = Math.max(...column.header.split(/\s+/).map((word) => fonts.bold.width(word)));
      for (let r = 0; r < sample; r++) {
        const text = (formatters[c] as DisplayFormatter)(cellOf(rows[r] ?? {}, column.key));
        if (text) ems = Math.max(ems, ...text.split("\n").map((line) => fonts.regular.width(line)));
      }
    }
    return Math.min(Math.max(ems, 2), 40) * LAYOUT.fontSize + 2 * LAYOUT.cellPadX + CELL_SLACK + 1;
  });
  const sum = (widths: readonly number[]) => widths.reduce((a, b) => a + b, 0);
  const total = sum(natural);
  let widths = natural.map((w) => (w * contentWidth) / total);
  if (total > contentWidth) {
    const text = table.columns.map((c) => c.type === "string");
    const fixed = sum(natural.filter((_, i) => !text[i]));
    const flexible = total - fixed;
    if (flexible > 0 && fixed <= contentWidth * FIXED_SHARE) {
      widths = natural.map((w, i) => (text[i] ? (w * (contentWidth - fixed)) / flexible : w));
    }
  }
  let x = 0;
  return table.columns.map((c, i) => {
    const width = widths[i] ?? 0;
    const plan: ColumnPlan = { x, width, align: NUMERIC.has(c.type) ? "right" : "left" };
    x += width;
    return plan;
  });
}

/** Usable text width of a column, in font-size units (what `TextMeasure` returns). */
function textWidth(column: ColumnPlan | undefined): number {
  return Math.max((column?.width ?? 0) - 2 * LAYOUT.cellPadX - CELL_SLACK, 1) / LAYOUT.fontSize;
}

function planRow(
  table: Table,
  rows: readonly Row[],
  r: number,
  formatters: readonly DisplayFormatter[],
  columns: readonly ColumnPlan[],
  measure: TextMeasure,
) {
  const values = rows[r] ?? {};
  let lines = 1;
  const cells = table.columns.map((column, c) => {
    const text = (formatters[c] as DisplayFormatter)(cellOf(values, column.key));
    if (text === null) throw invalidCell(table.name, r, column.key, column.type);
    const wrapped = wrapText(text, textWidth(columns[c]), measure, LAYOUT.maxCellLines);
    lines = Math.max(lines, wrapped.lines);
    return wrapped.text;
  });
  return { cells, height: lines * LINE + 2 * LAYOUT.cellPadY + LAYOUT.rowBorder };
}

/** The table's totals row, formatted like its columns, or null when no column has totals. */
function totalsRow(
  table: Table,
  rows: readonly Row[],
  context: FormatContext,
  columns: readonly ColumnPlan[],
  bold: TextMeasure,
) {
  const totals = aggregates(table.columns);
  if (!totals) return null;
  table.columns.forEach((column, c) => {
    const total = totals[c];
    if (!total) return;
    for (const row of rows) {
      const value = cellOf(row, column.key);
      if (value === null || value === undefined) continue;
      const key = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
      total.add(value, column.type === "string" ? Number.NaN : key);
    }
  });
  let lines = 1;
  const cells = table.columns.map((column, c) => {
    const total = totals[c];
    const text = total
      ? (displayFormatter(totalsColumn(column), context)(total.value()) ?? "")
      : c === 0
        ? TOTALS_LABEL
        : "";
    const wrapped = wrapText(text, textWidth(columns[c]), bold, LAYOUT.maxCellLines);
    lines = Math.max(lines, wrapped.lines);
    return wrapped.text;
  });
  return { cells, height: lines * LINE + 2 * LAYOUT.cellPadY + LAYOUT.headerBorder };
}
