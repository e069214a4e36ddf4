import {
  type CellValue,
  type Column,
  type ConditionalStyle,
  cellOf,
  type PdfOptions,
  type ReportSpec,
  type ReportWarning,
  type Row,
  type Table,
} from "@reports/contracts";
import { styleOf } from "./conditional";
import { invalidCell } from "./errors";
import type { FontFace, TextMeasure } from "./fonts";
import { type DisplayFormatter, displayFormatter, type FormatContext } from "./format";
import { type GlyphCheck, missingGlyphs } from "./glyph-report";
import { EMPTY_GROUP, GroupBreaks, SUBTOTAL_LABEL } from "./groups";
import { type LogoImage, logoBox } from "./image";
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
  /** Room for the layout's header line at the top of every page, when there is one. */
  headerSpace: 18,
  /** The logo's height on the first page, at most, and the gap under it. */
  logoHeight: 48,
  logoGap: 8,
  /** Indent of a group heading per level. */
  groupIndent: 8,
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
  /** In a grouped table, what each row is (a heading's only cell spans the table); null when every row is data. */
  kinds: RowKind[] | null;
  /** In a grouped table, which rows are striped (data rows alternate, counted over the table); null otherwise. */
  stripes: boolean[] | null;
  /** Cells whose conditional style matched (key: row × columns + column). */
  styles: Map<number, ConditionalStyle> | null;
  /** Styles of the totals row's cells, by column of the block. */
  totalsStyles: Array<ConditionalStyle | null> | null;
}

/** A row of a grouped table: data, a group's heading (with its level), or a group's subtotal. */
export type RowKind = "row" | { heading: number } | "subtotal";

export interface PagePlan {
  title: string | null;
  blocks: BlockPlan[];
  /** The logo's box on the page's content area (the first page only). */
  logo: { top: number; width: number; height: number } | null;
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
  logo: Pick<LogoImage, "width" | "height"> | null = null,
): DocumentPlan {
  const glyphs = missingGlyphs();
  const formatters = spec.tables.map((table) => table.columns.map((c) => displayFormatter(c, context)));
  const measures = { regular: faces.regular.measure, bold: faces.bold.measure };
  const totalsOf = spec.tables.map((table, t) => totalsTexts(table, rows[t] ?? [], context));
  const totals = totalsOf.map((t) => t?.texts ?? null);
  const needs = spec.tables.map((table, t) =>
    columnNeeds(table, rows[t] ?? [], formatters[t] ?? [], measures, totals[t] ?? null),
  );
  const { orientation, width, tables } = layoutTables(spec, needs);
  const size = pageSize({ pageSize: spec.pdf?.pageSize ?? "A4", orientation });
  const contentHeight = size.height - LAYOUT.margin - LAYOUT.footerSpace - PAGE_SLACK;
  // The layout's header line takes the top of every page; the logo, the top of the first.
  const pageTop = spec.layout?.header ? LAYOUT.headerSpace : 0;
  const logoBox_ = logo ? logoBox(logo, LAYOUT.logoHeight, width) : null;
  const maxCellLines = spec.pdf?.maxLines ?? LAYOUT.maxCellLines;
  const bold = faces.bold.measure;

  const titleText = printable(spec.title);
  glyphs.check(titleText, faces.bold);
  const title = wrapText(titleText, width / LAYOUT.titleSize, bold, 10);
  const firstLogo = logoBox_ ? { top: pageTop, ...logoBox_ } : null;
  const pages: PagePlan[] = [{ title: title.text, blocks: [], logo: firstLogo }];
  let y =
    pageTop +
    (logoBox_ ? logoBox_.height + LAYOUT.logoGap : 0) +
    title.lines * LAYOUT.titleSize * LAYOUT.lineHeight +
    LAYOUT.titleGap;
  const newPage = () => {
    pages.push({ title: null, blocks: [], logo: null });
    y = pageTop;
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
      const totalsStyles = totalsOf[t] ? columns.map((c) => totalsOf[t]?.styles[c.index] ?? null) : null;
      const items = new Items(table, values, cells, columns, fontSize, faces, context);

      let next = 0;
      let pending = items.at(next);
      let totalsLeft = totals_ !== null;
      do {
        const heading = headingOf(next === 0 ? name : `${name} (continued)`);
        const headingHeight =
          heading.lines * LAYOUT.headingSize * LAYOUT.lineHeight + LAYOUT.headingGapAbove + LAYOUT.headingGapBelow;
        const first = pending ? items.keptHeight(next, contentHeight) : (totals_?.height ?? 0);
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
          kinds: items.grouped ? [] : null,
          stripes: items.grouped ? [] : null,
          styles: null,
          totalsStyles,
        };
        y += headingHeight + headerHeight;
        // A heading stays with what follows it, a last row with its group's subtotal: the run moves on as one.
        while (
          pending !== null &&
          (y + items.keptHeight(next, contentHeight) <= contentHeight || block.rows.length === 0)
        ) {
          const at = block.rows.length * columns.length;
          if (pending.shrunk) {
            block.shrunk ??= new Map();
            for (const [c, s] of pending.shrunk) block.shrunk.set(at + c, s);
          }
          if (pending.styles) {
            block.styles ??= new Map();
            for (const [c, s] of pending.styles) block.styles.set(at + c, s);
          }
          block.kinds?.push(pending.kind);
          block.stripes?.push(pending.stripe);
          block.rows.push(pending.cells);
          block.rowHeights.push(pending.height);
          block.height += pending.height;
          y += pending.height;
          next++;
          pending = items.at(next);
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

  has(r: number): boolean {
    return r < this.rows.length;
  }

  row(r: number) {
    const values = this.rows[r] ?? {};
    let lines = 1;
    let shrunk = null as Map<number, number> | null;
    let styles = null as Map<number, ConditionalStyle> | null;
    const cells = this.columns.map((plan, c) => {
      const column = this.table.columns[plan.index];
      if (!column) return "";
      const value = cellOf(values, column.key);
      const formatted = (this.formatters[plan.index] as DisplayFormatter)(value);
      if (formatted === null) throw invalidCell(this.table.name, r, column.key, column.type);
      const style = column.styles ? styleOf(column, value) : null;
      if (style) {
        styles ??= new Map();
        styles.set(c, style);
      }
      // a bold cell is measured bold
      const measure = style?.bold ? this.faces.bold.measure : this.faces.regular.measure;
      const text = printable(formatted);
      const room = textWidth(plan, this.fontSize);
      // Nearly every cell: one line DejaVu Sans draws alone, so no glyph is missing and its width is known.
      const simple = (style?.bold ? this.faces.bold : this.faces.regular).simpleWidth(text);
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
    return { cells, shrunk, styles, height: lines * this.line + 2 * LAYOUT.cellPadY + LAYOUT.rowBorder };
  }
}

/**
 * The table's totals row as text, one per column (`label` in column `labelColumn` when it has none), with each
 * cell's conditional style; null when no column has totals.
 */
function totalsTexts(
  table: Table,
  rows: readonly Row[],
  context: FormatContext,
  label = { text: TOTALS_LABEL, column: 0 },
): { texts: string[]; styles: Array<ConditionalStyle | null> } | null {
  const totals = aggregates(table.columns);
  if (!totals) return null;
  for (const row of rows) {
    table.columns.forEach((column, c) => {
      const total = totals[c];
      const value = cellOf(row, column.key);
      if (!total || value === null || value === undefined) return;
      const key = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
      total.add(value, column.type === "string" ? Number.NaN : key);
    });
  }
  const styles = table.columns.map((column, c) => (totals[c] ? styleOf(column, totals[c].value()) : null));
  const texts = table.columns.map((column, c) => {
    const total = totals[c];
    if (!total) return c === label.column ? printable(label.text) : "";
    return printable(displayFormatter(totalsColumn(column), context)(total.value()) ?? "");
  });
  return { texts, styles };
}

/** One row of the page plan, of any kind, fitted to its column group. */
interface PlannedRow {
  cells: string[];
  height: number;
  shrunk: Map<number, number> | null;
  styles: Map<number, ConditionalStyle> | null;
  kind: RowKind;
  stripe: boolean;
}

/**
 * A table's rows as the page plan places them. Ungrouped: its data rows. Grouped: each group's heading before its
 * rows and its subtotal row after them (the columns' `totals` over the group), innermost groups first. `keptHeight`
 * is what must fit on a page for a row to go there: a heading with what follows it, a group's last row with its
 * subtotals, so neither is ever left alone across a page break.
 */
class Items {
  readonly grouped: boolean;
  private readonly list: Array<number | { heading: number; text: string } | { subtotal: number; rows: Row[] }> = [];
  private readonly made = new Map<number, PlannedRow>();
  private readonly line: number;

  constructor(
    private readonly table: Table,
    rows: readonly Row[],
    private readonly cells: Cells,
    private readonly columns: readonly ColumnPlan[],
    private readonly fontSize: number,
    private readonly faces: Faces,
    private readonly context: FormatContext,
  ) {
    this.line = fontSize * LAYOUT.lineHeight;
    const keys = table.groupBy ?? [];
    this.grouped = keys.length > 0;
    if (!this.grouped) return;
    const formats = keys.map((key) => {
      const column = table.columns.find((c) => c.key === key) as Column;
      const format = displayFormatter(column, context);
      return { column, name: (value: CellValue) => (value === null ? EMPTY_GROUP : (format(value) ?? String(value))) };
    });
    const breaks = new GroupBreaks(keys);
    const open: Array<{ name: string; rows: Row[] }> = [];
    const close = (level: number) => {
      while (open.length > level) {
        const group = open.pop() as { name: string; rows: Row[] };
        this.list.push({ subtotal: open.length, rows: group.rows });
        this.subtotalNames.set(this.list.length - 1, group.name);
      }
    };
    rows.forEach((row, r) => {
      const level = breaks.next(row);
      if (level < keys.length) {
        close(level);
        const values = breaks.values();
        for (let l = level; l < keys.length; l++) {
          const { column, name } = formats[l] as (typeof formats)[number];
          const value = name(values[l] ?? null);
          open.push({ name: value, rows: [] });
          this.list.push({ heading: l, text: `${column.header}: ${value}` });
        }
      }
      for (const group of open) group.rows.push(row);
      this.list.push(r);
    });
    close(0);
  }

  private readonly subtotalNames = new Map<number, string>();

  /** The `i`-th row, or null past the last. */
  at(i: number): PlannedRow | null {
    const made = this.made.get(i);
    if (made) return made;
    const item = this.grouped ? this.list[i] : this.cells.has(i) ? i : undefined;
    if (item === undefined) return null;
    let planned: PlannedRow;
    if (typeof item === "number") {
      // sorted before grouping: data rows come in table order, so stripes count from the table's start as ungrouped
      planned = { ...this.cells.row(item), kind: "row", stripe: item % 2 === 1 };
    } else if ("heading" in item) {
      const room = Math.max(sum(this.columns) - item.heading * LAYOUT.groupIndent - 2 * CELL.padX, 1) / this.fontSize;
      const bold = this.faces.bold.measure;
      const full = printable(item.text);
      const text = bold.width(full) > room ? withEllipsis(full, room, bold) : full;
      const cells = this.columns.map((_, c) => (c === 0 ? text : ""));
      planned = {
        cells,
        height: this.line + 2 * LAYOUT.cellPadY + LAYOUT.rowBorder,
        shrunk: null,
        styles: null,
        kind: { heading: item.heading },
        stripe: false,
      };
    } else {
      const label = { text: `${SUBTOTAL_LABEL} ${this.subtotalNames.get(i) ?? ""}`, column: this.labelColumn() };
      const totals = totalsTexts(this.table, item.rows, this.context, label);
      const texts = totals?.texts ?? this.table.columns.map((_, c) => (c === label.column ? label.text : ""));
      const row = totalsRow(texts, this.columns, this.fontSize, this.faces.bold.measure, label.column);
      const styles = new Map<number, ConditionalStyle>();
      this.columns.forEach((plan, c) => {
        const style = totals?.styles[plan.index];
        if (style) styles.set(c, style);
      });
      planned = { ...row, shrunk: null, styles: styles.size > 0 ? styles : null, kind: "subtotal", stripe: false };
    }
    // Rows are asked for in order, with a look-ahead of a few (`keptHeight`): older ones are not asked for again.
    this.made.delete(i - LOOK_BEHIND);
    this.made.set(i, planned);
    return planned;
  }

  /** The height of row `i` and of the rows it must stay with (unless that run is taller than a page). */
  keptHeight(i: number, pageHeight: number): number {
    let height = this.at(i)?.height ?? 0;
    if (!this.grouped) return height;
    for (let j = i; this.keepsWithNext(j); j++) {
      const next = this.at(j + 1);
      if (!next) break;
      height += next.height;
      if (height > pageHeight / 2) return this.at(i)?.height ?? 0;
    }
    return height;
  }

  private keepsWithNext(i: number): boolean {
    const item = this.list[i];
    const next = this.list[i + 1];
    if (item === undefined || next === undefined) return false;
    if (typeof item === "object" && "heading" in item) return true;
    return typeof next === "object" && "subtotal" in next;
  }

  private labelColumn(): number {
    return this.table.columns.findIndex((c) => c.totals === undefined);
  }
}

/** Planned rows kept behind the latest one asked for: more than the longest run `keptHeight` looks at. */
const LOOK_BEHIND = 8;

const sum = (columns: readonly ColumnPlan[]) => columns.reduce((n, c) => n + c.width, 0);

/** The totals row of a column group, fitted to its columns (its values were measured with the columns). */
function totalsRow(
  texts: readonly string[],
  columns: readonly ColumnPlan[],
  fontSize: number,
  bold: TextMeasure,
  /** The table's column of a label that runs on, one line, over the empty cells after it (a subtotal's). */
  label = -1,
) {
  let lines = 1;
  const cells = columns.map((plan, c) => {
    const text = texts[plan.index] ?? "";
    const room = textWidth(plan, fontSize);
    if (plan.index === label) {
      let end = c + 1;
      while (end < columns.length && (texts[(columns[end] as ColumnPlan).index] ?? "") === "") end++;
      const span = sum(columns.slice(c, end)) - 2 * CELL.padX - CELL.slack;
      const spanRoom = Math.max(span, 1) / fontSize;
      return bold.width(text) > spanRoom ? withEllipsis(text, spanRoom, bold) : text;
    }
    if (plan.nowrap) return bold.width(text) > room ? withEllipsis(text, room, bold) : text;
    const wrapped = wrapText(text, room, bold, LAYOUT.maxHeaderLines);
    lines = Math.max(lines, wrapped.lines);
    return wrapped.text;
  });
  return { cells, height: lines * fontSize * LAYOUT.lineHeight + 2 * LAYOUT.cellPadY + LAYOUT.headerBorder };
}
