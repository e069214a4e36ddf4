import { type CellValue, type Column, cellOf, type ReportSpec, type Table } from "@reports/contracts";
import { invalidCell, RenderError } from "./errors";
import { displayFormatter, type FormatContext, formatContext } from "./format";
import { EMPTY_GROUP, GroupBreaks, orderedRows, SUBTOTAL_LABEL } from "./groups";
import type { RenderLimits } from "./limits";
import type { Progress } from "./progress";
import { ROW_CHUNK, RowCursor, type RowSource, SAMPLE_ROWS } from "./rows";
import { partName, sheetNames } from "./sheet-names";
import type { ChunkSink } from "./sink";
import { type Aggregate, aggregates, GROUPED_SUBTOTAL_FUNCTION, SUBTOTAL_FUNCTION, TOTALS_LABEL } from "./totals";
import { sheetColumnWidths } from "./widths";
import type { CellWriter } from "./xlsx-cells";
import { textStyles } from "./xlsx-cells";
import { logoParts, withLogoTypes } from "./xlsx-decor";
import { workbookParts } from "./xlsx-scaffold";
import { logoRow, type SheetDecor, sheetHead, sheetTail } from "./xlsx-sheet";
import { StyleSheet } from "./xlsx-styles";
import {
  type SheetArea,
  type SummaryStyle,
  sheetCapacity,
  sheetDecor,
  summaryCells,
  tableWriter,
  type WorkbookLook,
} from "./xlsx-table";
import { columnName } from "./xml";
import { type PartWriter, ZipWriter } from "./zip";

/** Characters of XML gathered before a write to the zip (as in `writeSheet`). */
const FLUSH_AT = 256 * 1024;

/**
 * Writes a workbook in which some tables are grouped: each group of rows (`groupBy`, up to three levels) ends with a
 * subtotal row of live `SUBTOTAL` formulas and sits one outline level deeper than it, so Excel and LibreOffice can
 * collapse it; the table's totals row is a SUBTOTAL over the whole range, which skips the groups' own SUBTOTALs.
 * Rows stream through in one pass (sorted first unless `presorted`), so where a sheet fills up is found while
 * writing: the workbook's scaffolding, which names every sheet, is written after the sheets.
 */
export async function renderGroupedXlsx(
  spec: ReportSpec,
  sources: readonly RowSource[],
  progress: Progress,
  limits: RenderLimits,
  sink: ChunkSink,
  look: WorkbookLook,
): Promise<number> {
  const context = formatContext(spec);
  const styles = new StyleSheet();
  const zip = new ZipWriter(sink);
  const book: Workbook = {
    zip,
    styles,
    context,
    look,
    capacity: sheetCapacity(limits, look.logo ? 1 : 0),
    overflow: limits.xlsxOverflow,
    sheets: [],
    reserved: sheetNames(spec.tables.map((t) => t.name)),
  };
  try {
    for (const [t, table] of spec.tables.entries()) {
      const source = sources[t];
      if (!source) throw new Error(`no rows for table ${t}`);
      const cursor = new RowCursor(await orderedRows(table, source, spec.locale));
      const widths = sheetColumnWidths(table.columns, await cursor.sample(SAMPLE_ROWS), context);
      await new GroupedTable(book, spec, table, t, widths).write(cursor, progress);
    }
    const scaffold = workbookParts(spec.title, book.sheets);
    scaffold.sheetPaths.forEach((path, i) => {
      if (path !== sheetPath(i)) throw new Error(`SheetJS put sheet ${i + 1} at ${path}`);
    });
    for (const { path, data } of scaffold.parts) {
      const logo = look.logo && path === "[Content_Types].xml";
      zip.addBuffer(
        path,
        logo ? withLogoTypes(data, look.logo as NonNullable<typeof look.logo>, book.sheets.length) : data,
      );
    }
    zip.addBuffer(scaffold.stylesPath, Buffer.from(styles.toXml()));
    if (look.logo) for (const { path, data } of logoParts(look.logo, book.sheets.length)) zip.addBuffer(path, data);
    return await zip.finish();
  } catch (error) {
    zip.abort();
    throw error;
  }
}

const sheetPath = (index: number) => `xl/worksheets/sheet${index + 1}.xml`;

interface Workbook {
  zip: ZipWriter;
  styles: StyleSheet;
  context: FormatContext;
  look: WorkbookLook;
  /** Rows below the header a sheet holds. */
  capacity: number;
  overflow: RenderLimits["xlsxOverflow"];
  /** Sheets written so far, for the scaffolding. */
  sheets: Array<{ name: string; filterRef: string }>;
  /** Names no further sheet may take (compared ignoring case): every table's, then every sheet's. */
  reserved: string[];
}

/** An open group: its value, its columns' running aggregates, and the ranges its rows cover so far. */
interface OpenGroup {
  value: CellValue;
  totals: Array<Aggregate | undefined>;
  areas: SheetArea[];
  /** Its first row on the current sheet. */
  start: number;
}

/** One table written over as many sheets as it needs, its groups' subtotal rows placed as the rows stream by. */
class GroupedTable {
  private readonly keys: readonly string[];
  private readonly depth: number;
  private readonly top: number;
  private readonly writer: ReturnType<typeof tableWriter>;
  private readonly decor: SheetDecor;
  private readonly summary: SummaryStyle;
  private readonly labelColumn: number;
  private readonly groupLabels: Array<(value: CellValue) => string>;
  private readonly open: OpenGroup[] = [];
  /** The table's whole range so far, for its totals row. */
  private readonly areas: SheetArea[] = [];
  private tableStart: number;
  private part: PartWriter | null = null;
  private sheetName = "";
  private sheets = 0;
  /** The last row written on the current sheet. */
  private row = 0;
  private xml = "";

  constructor(
    private readonly book: Workbook,
    spec: ReportSpec,
    private readonly table: Table,
    private readonly index: number,
    private readonly widths: readonly number[],
  ) {
    const { styles, context } = book;
    this.keys = table.groupBy ?? [];
    this.depth = this.keys.length;
    this.top = book.look.logo ? 1 : 0;
    this.tableStart = this.top + 2;
    const functions = this.depth > 0 ? GROUPED_SUBTOTAL_FUNCTION : SUBTOTAL_FUNCTION;
    this.writer = tableWriter(table.columns, styles, context, this.areas, functions, spec.layout, (c) => ({
      add: (value, key) => {
        for (const group of this.open) group.totals[c]?.add(value, key);
      },
    }));
    this.decor = sheetDecor(spec, table.columns, styles, book.look);
    const bold = textStyles(styles, true);
    this.summary = { styles, context, bold, letters: this.writer.letters, functions };
    const totals = this.writer.totals;
    this.labelColumn = table.columns.findIndex((_, c) => totals?.[c] === undefined);
    this.groupLabels = this.keys.map((key) => {
      const column = table.columns.find((c) => c.key === key) as Column;
      const format = displayFormatter(column, context);
      return (value) => (value === null ? EMPTY_GROUP : (format(value) ?? String(value)));
    });
  }

  async write(cursor: RowCursor, progress: Progress): Promise<void> {
    const { columns } = this.table;
    const keys = columns.map((c) => c.key);
    const writers = this.writer.writers;
    const breaks = new GroupBreaks(this.keys);
    const outline = this.depth > 0 ? ` outlineLevel="${this.depth}"` : "";
    let index = 0;
    await this.openSheet();
    for (let rows = await cursor.take(ROW_CHUNK); rows.length > 0; rows = await cursor.take(ROW_CHUNK)) {
      for (const cells of rows) {
        if (this.depth > 0) {
          const level = breaks.next(cells);
          if (level < this.depth) {
            await this.closeGroups(level);
            const values = breaks.values();
            for (let l = level; l < this.depth; l++) {
              this.open.push({ value: values[l] ?? null, totals: aggregates(columns) ?? [], areas: [], start: 0 });
            }
          }
        }
        if (this.full()) await this.nextSheet();
        const row = ++this.row;
        for (const group of this.open) if (group.start === 0) group.start = row;
        let line = `<row r="${row}"${outline}>`;
        for (let c = 0; c < keys.length; c++) {
          const value = cellOf(cells, keys[c] as string);
          if (value === null || value === undefined) continue;
          const cell = (writers[c] as CellWriter)(value, row);
          if (cell === null) {
            const column = columns[c] as Column;
            throw invalidCell(this.table.name, index, column.key, column.type);
          }
          line += cell;
        }
        this.xml += `${line}</row>`;
        index++;
      }
      await progress.advance(rows.length);
      await this.flush();
    }
    await this.closeGroups(0);
    let filterLast = this.row;
    if (this.writer.totals) {
      if (this.full()) await this.nextSheet();
      filterLast = this.row;
      this.closeArea(this.areas, this.tableStart);
      const row = ++this.row;
      const label = { text: TOTALS_LABEL, column: 0 };
      this.xml += `<row r="${row}">${summaryCells(columns, this.writer.totals, label, row, this.areas, this.summary)}</row>`;
    }
    await this.closeSheet(filterLast);
  }

  /** Writes the subtotal rows of the open groups from the innermost out to `level`, and closes them. */
  private async closeGroups(level: number): Promise<void> {
    while (this.open.length > level) {
      if (this.full()) await this.nextSheet();
      const group = this.open.pop() as OpenGroup;
      const depth = this.open.length;
      this.closeArea(group.areas, group.start);
      const row = ++this.row;
      const label = { text: `${SUBTOTAL_LABEL} ${this.groupLabels[depth]?.(group.value)}`, column: this.labelColumn };
      const cells = summaryCells(this.table.columns, group.totals, label, row, group.areas, this.summary);
      this.xml += `<row r="${row}" outlineLevel="${depth}">${cells}</row>`;
    }
  }

  /** Adds the rows `start`… up to the last written row of the current sheet to `areas`, if there are any. */
  private closeArea(areas: SheetArea[], start: number): void {
    if (start > 0 && start <= this.row) areas.push({ sheet: this.sheetName, first: start, last: this.row });
  }

  /** Whether the current sheet holds no further row (checked before every row: no promise unless it is). */
  private full(): boolean {
    return this.row - this.top - 1 >= this.book.capacity;
  }

  /** Ends the full sheet and opens the next, carrying the open groups' and the table's ranges over. */
  private async nextSheet(): Promise<void> {
    if (this.book.overflow === "reject") {
      throw new RenderError(
        "TOO_LARGE",
        `table "${this.table.name}" with its group and totals rows needs more than a sheet's ${this.book.capacity} rows`,
      );
    }
    for (const group of this.open) {
      this.closeArea(group.areas, group.start);
      group.start = this.top + 2;
    }
    this.closeArea(this.areas, this.tableStart);
    await this.closeSheet(this.row);
    await this.openSheet();
    for (const group of this.open) group.start = this.top + 2;
    this.tableStart = this.top + 2;
  }

  private async openSheet(): Promise<void> {
    const { book } = this;
    this.sheets++;
    const base = book.reserved[this.index] as string;
    const wanted = this.sheets === 1 ? base : partName(base, this.sheets);
    this.sheetName = this.sheets === 1 ? base : (sheetNames([...book.reserved, wanted]).at(-1) as string);
    if (this.sheets > 1) book.reserved.push(this.sheetName);
    this.part = book.zip.addStream(sheetPath(book.sheets.length));
    book.sheets.push({ name: this.sheetName, filterRef: "" });
    const head = sheetHead({
      letters: this.writer.letters,
      widths: this.widths,
      selected: book.sheets.length === 1,
      top: this.top,
      lastRow: null,
      outlineLevels: this.depth,
    });
    this.row = this.top + 1;
    this.xml = `${head}${logoRow(this.top)}<row r="${this.row}">${this.writer.headerXml(this.row)}</row>`;
  }

  /** Ends the current sheet; its autofilter covers the header and rows down to `filterLast`. */
  private async closeSheet(filterLast: number): Promise<void> {
    const last = columnName(this.table.columns.length - 1);
    const filterRef = `A${this.top + 1}:${last}${filterLast}`;
    (this.book.sheets.at(-1) as { filterRef: string }).filterRef = filterRef;
    const conditional = this.row >= this.top + 2 ? this.decor.conditional(this.top + 2, this.row) : "";
    this.xml += `</sheetData><autoFilter ref="${filterRef}"/>${conditional}${sheetTail(this.decor)}`;
    await this.flush(true);
    this.part?.end();
    this.part = null;
  }

  private async flush(always = false): Promise<void> {
    if (!always && this.xml.length < FLUSH_AT) return;
    await this.part?.write(this.xml);
    this.xml = "";
  }
}
