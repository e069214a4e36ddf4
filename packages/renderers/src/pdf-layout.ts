import type { Column, PdfOptions, ReportSpec, Table } from "@reports/contracts";
import { invalidCell } from "./errors";
import type { TextMeasure } from "./fonts";
import { displayValue } from "./format";
import { contentWidths } from "./widths";
import { wrapText } from "./wrap";

/** Sizes in points; the PDF components use the same numbers the page plan counts with. */
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
/** Room left in every cell and on every page for what the estimate cannot see (kerning, rounding). */
const CELL_SLACK = 2;
const PAGE_SLACK = 6;
const NUMERIC = new Set<Column["type"]>(["integer", "number", "currency", "percent"]);

export interface ColumnPlan {
  width: number;
  align: "left" | "right";
}

/** A run of one table's rows on one page, under its heading and header row. */
export interface BlockPlan {
  heading: string;
  columns: ColumnPlan[];
  header: string[];
  rows: string[][];
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
 * Splits the report into pages before React-PDF sees it: every row's height is known (cells are wrapped
 * and cut here), so each page holds what fits, and layout stays linear in the number of rows.
 */
export function planPages(spec: ReportSpec, fonts: Fonts): PagePlan[] {
  const size = pageSize(spec.pdf ?? { pageSize: "A4", orientation: "portrait" });
  const contentWidth = size.width - 2 * LAYOUT.margin;
  const contentHeight = size.height - LAYOUT.margin - LAYOUT.footerSpace - PAGE_SLACK;
  const line = LAYOUT.fontSize * LAYOUT.lineHeight;
  const title = wrapText(spec.title, contentWidth / LAYOUT.titleSize, fonts.bold, 10);

  const pages: PagePlan[] = [{ title: title.text, blocks: [] }];
  let room = contentHeight - title.lines * LAYOUT.titleSize * LAYOUT.lineHeight - LAYOUT.titleGap;
  const newPage = () => {
    pages.push({ title: null, blocks: [] });
    room = contentHeight;
  };

  for (const table of spec.tables) {
    const columns = planColumns(table, contentWidth);
    const header = table.columns.map((c, i) =>
      wrapText(c.header, textWidth(columns[i]), fonts.bold, LAYOUT.maxHeaderLines),
    );
    const headerHeight = Math.max(...header.map((h) => h.lines)) * line + 2 * LAYOUT.cellPadY + LAYOUT.headerBorder;
    const headingOf = (name: string) => wrapText(name, contentWidth / LAYOUT.headingSize, fonts.bold, 3);

    const rowAt = (r: number) => (r < table.rows.length ? planRow(table, r, columns, fonts.regular) : null);
    let next = 0;
    let pending = rowAt(next);
    do {
      const heading = headingOf(next === 0 ? table.name : `${table.name} (continued)`);
      const top =
        heading.lines * LAYOUT.headingSize * LAYOUT.lineHeight +
        LAYOUT.headingGapAbove +
        LAYOUT.headingGapBelow +
        headerHeight;
      if (top + (pending?.height ?? 0) > room && pages.at(-1)?.blocks.length !== 0) newPage();
      const block: BlockPlan = { heading: heading.text, columns, header: header.map((h) => h.text), rows: [] };
      room -= top;
      while (pending !== null && (pending.height <= room || block.rows.length === 0)) {
        block.rows.push(pending.cells);
        room -= pending.height;
        pending = rowAt(++next);
      }
      (pages.at(-1) as PagePlan).blocks.push(block);
      if (pending !== null) newPage();
    } while (pending !== null);
  }
  return pages;
}

function planColumns(table: Table, contentWidth: number): ColumnPlan[] {
  const chars = contentWidths(table);
  const weights = table.columns.map((c, i) => c.width ?? Math.min(Math.max(chars[i] ?? 0, 4), 40));
  const total = weights.reduce((a, b) => a + b, 0);
  return table.columns.map((c, i) => ({
    width: (contentWidth * (weights[i] ?? 0)) / total,
    align: NUMERIC.has(c.type) ? "right" : "left",
  }));
}

/** Usable text width of a column, in font-size units (what `TextMeasure` returns). */
function textWidth(column: ColumnPlan | undefined): number {
  return Math.max((column?.width ?? 0) - 2 * LAYOUT.cellPadX - CELL_SLACK, 1) / LAYOUT.fontSize;
}

function planRow(table: Table, r: number, columns: ColumnPlan[], measure: TextMeasure) {
  const values = table.rows[r] ?? {};
  let lines = 1;
  const cells = table.columns.map((column, c) => {
    const text = displayValue(column, values[column.key]);
    if (text === null) throw invalidCell(table.name, r, column.key, column.type);
    const wrapped = wrapText(text, textWidth(columns[c]), measure, LAYOUT.maxCellLines);
    lines = Math.max(lines, wrapped.lines);
    return wrapped.text;
  });
  return { cells, height: lines * LAYOUT.fontSize * LAYOUT.lineHeight + 2 * LAYOUT.cellPadY + LAYOUT.rowBorder };
}
