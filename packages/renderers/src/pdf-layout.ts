import { cellOf, type PdfOptions, type ReportSpec, type ReportWarning, type Row, type Table } from "@reports/contracts";
import { invalidCell } from "./errors";
import type { FontFace, TextMeasure } from "./fonts";
import { type DisplayFormatter, displayFormatter, type FormatContext } from "./format";
import { type GlyphCheck, missingGlyphs } from "./glyph-report";
import { CELL, type ColumnNeed, type ColumnPlan, columnGroups, columnNeeds, fits, placeColumns } from "./pdf-columns";
import { aggregates, TOTALS_LABEL, totalsColumn } from "./totals";
import { printable, withEllipsis, wrapText } from "./wrap";

export type { ColumnPlan } from "./pdf-columns";

/** Sizes in points; the painter uses the same numbers the page plan counts with. */
export const LAYOUT = {
  margin: 36,
  footerSpace: 30,
  titleSize: 16,
  titleGap: 8,
  headingSize: 11,
  headingGapAbove: 10,
  headingGapBelow: 4,
  /** The table's font size, and the smallest it may shrink to (in steps of half a point) before columns split. */
  fontSize: 8,
  minFontSize: 6,
  footerSize: 8,
  lineHeight: 1.25,
  cellPadY: 2,
  rowBorder: 0.5,
  headerBorder: 1,
  /** Lines of a text cell before "…"; the spec's `pdf.maxLines` changes it. */
  maxCellLines: 4,
  maxHeaderLines: 3,
} as const;

const PAGE_SIZES = { A4: [595.28, 841.89], Letter: [612, 792] } as const;
/** Room left on every page for what the estimate cannot see (rounding). */
const PAGE_SLACK = 6;

/** A run of one table's rows on one page, under its heading and header row; cell lines are joined with "\n". */
export interface BlockPlan {
  /** Top of the heading, from the top of the page's content box. */
  top: number;
  heading: string;
  headingHeight: number;
  fontSize: number;
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
  /** Cells of a column that must not wrap but are wider than it: drawn at this font size (key: row × columns + column). */
  shrunk: Map<number, number> | null;
}

export interface PagePlan {
  title: string | null;
  blocks: BlockPlan[];
}

export interface DocumentPlan {
  pages: PagePlan[];
  orientation: "portrait" | "landscape";
  warnings: ReportWarning[];
}

export interface Faces {
  regular: FontFace;
  bold: FontFace;
}

/** The page's width and height in points for the spec's size and orientation. */
export function pageSize(options: { pageSize: PdfOptions["pageSize"]; orientation?: "portrait" | "landscape" }) {
  const [short, long] = PAGE_SIZES[options.pageSize];
  return options.orientation === "landscape" ? { width: long, height: short } : { width: short, height: long };
}

const contentWidth = (pageSize_: PdfOptions["pageSize"], orientation: "portrait" | "landscape") =>
  pageSize({ pageSize: pageSize_, orientation }).width - 2 * LAYOUT.margin;

/** How a table is laid out: its font size, and its columns in one group or several (each repeating column 0). */
interface TableLayout {
  fontSize: number;
  groups: ColumnPlan[][];
}

/**
 * The layout rule: a table whose columns fit the page at 8 pt is printed so; otherwise (when the spec does not
 * set the orientation) the document turns landscape; a table that still does not fit gets a smaller font, down
 * to 6 pt; past that its columns are split into groups printed one after another, each repeating the first
 * (key) column and the header.
 */
function layoutTables(spec: ReportSpec, needs: readonly ColumnNeed[][]) {
  const size = spec.pdf?.pageSize ?? "A4";
  const fitsAt = (orientation: "portrait" | "landscape") =>
    needs.every((n) => fits(n, LAYOUT.fontSize, contentWidth(size, orientation)));
  const orientation = spec.pdf?.orientation ?? (fitsAt("portrait") ? "portrait" : "landscape");
  const width = contentWidth(size, orientation);
  const tables = spec.tables.map((table, t): TableLayout => {
    const need = needs[t] as ColumnNeed[];
    const all = table.columns.map((_, i) => i);
    for (let fontSize: number = LAYOUT.fontSize; fontSize >= LAYOUT.minFontSize; fontSize -= 0.5) {
      if (fits(need, fontSize, width)) return { fontSize, groups: [placeColumns(table, need, all, fontSize, width)] };
    }
    const fontSize = LAYOUT.minFontSize;
    const groups = columnGroups(need, fontSize, width).map((g) => placeColumns(table, need, g, fontSize, width));
    return { fontSize, groups };
  });
  return { orientation, width, tables };
}

/**
 * Splits the report into pages before anything is drawn: every row's height is known (cells are wrapped and cut
 * here), so each page holds what fits, and the work stays linear in the number of rows.
 */
export function planPages(
  spec: ReportSpec,
  rows: readonly (readonly Row[])[],
  faces: Faces,
  context: FormatContext,
): DocumentPlan {
  const glyphs = missingGlyphs();
  const formatters = spec.tables.map((table) => table.columns.map((c) => displayFormatter(c, context)));
  const measures = { regular: faces.regular.measure, bold: faces.bold.measure };
  const totals = spec.tables.map((table, t) => totalsTexts(table, rows[t] ?? [], context));
  const needs = spec.tables.map((table, t) =>
    columnNeeds(table, rows[t] ?? [], formatters[t] ?? [], measures, totals[t] ?? null),
  );
  const { orientation, width, tables } = layoutTables(spec, needs);
  const size = pageSize({ pageSize: spec.pdf?.pageSize ?? "A4", orientation });
  const contentHeight = size.height - LAYOUT.margin - LAYOUT.footerSpace - PAGE_SLACK;
  const maxCellLines = spec.pdf?.maxLines ?? LAYOUT.maxCellLines;
  const bold = faces.bold.measure;

  const titleText = printable(spec.title);
  glyphs.check(titleText, faces.bold);
  const title = wrapText(titleText, width / LAYOUT.titleSize, bold, 10);
  const pages: PagePlan[] = [{ title: title.text, blocks: [] }];
  let y = title.lines * LAYOUT.titleSize * LAYOUT.lineHeight + LAYOUT.titleGap;
  const newPage = () => {
    pages.push({ title: null, blocks: [] });
    y = 0;
  };

  spec.tables.forEach((table, t) => {
    const values = rows[t] ?? [];
    const { fontSize, groups } = tables[t] as TableLayout;
    const line = fontSize * LAYOUT.lineHeight;
    glyphs.check(printable(table.name), faces.bold);
    groups.forEach((columns, g) => {
      // Column 0 is in every group: its cells count once.
      const cells = new Cells(
        table,
        values,
        formatters[t] ?? [],
        columns,
        fontSize,
        faces,
        maxCellLines,
        glyphs,
        g === 0,
      );
      const header = columns.map((c) => {
        const text = printable(table.columns[c.index]?.header ?? "");
        if (g === 0 || c.index !== 0) glyphs.check(text, faces.bold);
        return wrapText(text, textWidth(c, fontSize), bold, LAYOUT.maxHeaderLines);
      });
      const headerHeight = Math.max(...header.map((h) => h.lines)) * line + 2 * LAYOUT.cellPadY + LAYOUT.headerBorder;
      const name =
        groups.length === 1 ? table.name : `${table.name} (columns ${columnRange(columns)} of ${table.columns.length})`;
      const headingOf = (text: string) => wrapText(printable(text), width / LAYOUT.headingSize, bold, 3);
      const totalsCells = totals[t] ?? null;
      const totals_ = totalsCells && totalsRow(totalsCells, columns, fontSize, bold);

      let next = 0;
      let pending = next < values.length ? cells.row(next) : null;
      let totalsLeft = totals_ !== null;
      do {
        const heading = headingOf(next === 0 ? name : `${name} (continued)`);
        const headingHeight =
          heading.lines * LAYOUT.headingSize * LAYOUT.lineHeight + LAYOUT.headingGapAbove + LAYOUT.headingGapBelow;
        const first = pending?.height ?? totals_?.height ?? 0;
        if (y + headingHeight + headerHeight + first > contentHeight && pages.at(-1)?.blocks.length !== 0) newPage();
        const block: BlockPlan = {
          top: y,
          heading: heading.text,
          headingHeight,
          fontSize,
          columns,
          header: header.map((h) => h.text),
          headerHeight,
          rows: [],
          rowHeights: [],
          firstRow: next,
          totals: null,
          height: headerHeight,
          shrunk: null,
        };
        y += headingHeight + headerHeight;
        while (pending !== null && (y + pending.height <= contentHeight || block.rows.length === 0)) {
          if (pending.shrunk) {
            block.shrunk ??= new Map();
            for (const [c, s] of pending.shrunk) block.shrunk.set(block.rows.length * columns.length + c, s);
          }
          block.rows.push(pending.cells);
          block.rowHeights.push(pending.height);
          block.height += pending.height;
          y += pending.height;
          next++;
          pending = next < values.length ? cells.row(next) : null;
        }
        if (pending === null && totals_ !== null && (y + totals_.height <= contentHeight || block.rows.length === 0)) {
          block.totals = totals_;
          block.height += totals_.height;
          y += totals_.height;
          totalsLeft = false;
        }
        (pages.at(-1) as PagePlan).blocks.push(block);
        if (pending !== null || totalsLeft) newPage();
      } while (pending !== null || totalsLeft);
    });
  });
  return { pages, orientation, warnings: glyphs.report() };
}

function columnRange(columns: readonly ColumnPlan[]): string {
  const first = (columns[1] ?? columns[0])?.index ?? 0;
  const last = columns.at(-1)?.index ?? 0;
  return `1, ${first + 1}–${last + 1}`;
}

/** Usable text width of a column, in font-size units (what `TextMeasure` returns). */
function textWidth(column: ColumnPlan, fontSize: number): number {
  return Math.max(column.width - 2 * CELL.padX - CELL.slack, 1) / fontSize;
}

/** A table's rows as the cells of one column group: formatted, wrapped or fitted, and measured. */
class Cells {
  private readonly line: number;

  constructor(
    private readonly table: Table,
    private readonly rows: readonly Row[],
    private readonly formatters: readonly DisplayFormatter[],
    private readonly columns: readonly ColumnPlan[],
    private readonly fontSize: number,
    private readonly faces: Faces,
    private readonly maxLines: number,
    private readonly glyphs: GlyphCheck,
    private readonly checkKey: boolean,
  ) {
    this.line = fontSize * LAYOUT.lineHeight;
  }

  row(r: number) {
    const values = this.rows[r] ?? {};
    const measure = this.faces.regular.measure;
    let lines = 1;
    let shrunk = null as Map<number, number> | null;
    const cells = this.columns.map((plan, c) => {
      const column = this.table.columns[plan.index];
      if (!column) return "";
      const formatted = (this.formatters[plan.index] as DisplayFormatter)(cellOf(values, column.key));
      if (formatted === null) throw invalidCell(this.table.name, r, column.key, column.type);
      const text = printable(formatted);
      const room = textWidth(plan, this.fontSize);
      // Nearly every cell: one line DejaVu Sans draws alone, so no glyph is missing and its width is known.
      const simple = this.faces.regular.simpleWidth(text);
      if (simple !== null && simple <= room && !text.includes("\n")) return text;
      if (simple === null && (c > 0 || this.checkKey)) this.glyphs.check(text, this.faces.regular);
      if (plan.nowrap) {
        const width = text.includes("\n")
          ? Math.max(...text.split("\n").map((l) => measure.width(l)))
          : (simple ?? measure.width(text));
        if (width > room) {
          // A value wider than every measured one: smaller, never wrapped or cut.
          shrunk ??= new Map();
          shrunk.set(c, (this.fontSize * room) / width);
        }
        if (text.includes("\n")) lines = Math.max(lines, text.split("\n").length);
        return text;
      }
      const wrapped = wrapText(text, room, measure, this.maxLines);
      lines = Math.max(lines, wrapped.lines);
      return wrapped.text;
    });
    return { cells, shrunk, height: lines * this.line + 2 * LAYOUT.cellPadY + LAYOUT.rowBorder };
  }
}

/** The table's totals row as text, one per column ("Total" in the first when it has none), or null when no column has totals. */
function totalsTexts(table: Table, rows: readonly Row[], context: FormatContext): string[] | null {
  const totals = aggregates(table.columns);
  if (!totals) return null;
  return table.columns.map((column, c) => {
    const total = totals[c];
    if (!total) return c === 0 ? TOTALS_LABEL : "";
    for (const row of rows) {
      const value = cellOf(row, column.key);
      if (value === null || value === undefined) continue;
      const key = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
      total.add(value, column.type === "string" ? Number.NaN : key);
    }
    return printable(displayFormatter(totalsColumn(column), context)(total.value()) ?? "");
  });
}

/** The totals row of a column group, fitted to its columns (its values were measured with the columns). */
function totalsRow(texts: readonly string[], columns: readonly ColumnPlan[], fontSize: number, bold: TextMeasure) {
  let lines = 1;
  const cells = columns.map((plan) => {
    const text = texts[plan.index] ?? "";
    const room = textWidth(plan, fontSize);
    if (plan.nowrap) return bold.width(text) > room ? withEllipsis(text, room, bold) : text;
    const wrapped = wrapText(text, room, bold, LAYOUT.maxHeaderLines);
    lines = Math.max(lines, wrapped.lines);
    return wrapped.text;
  });
  return { cells, height: lines * fontSize * LAYOUT.lineHeight + 2 * LAYOUT.cellPadY + LAYOUT.headerBorder };
}
