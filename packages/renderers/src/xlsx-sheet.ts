import { type Column, cellOf } from "@reports/contracts";
import { invalidCell } from "./errors";
import type { Progress } from "./progress";
import { ROW_CHUNK, type RowCursor } from "./rows";
import type { CellWriter } from "./xlsx-cells";
import { DRAWING_XML, XLSX_LOGO_HEIGHT } from "./xlsx-decor";
import type { PartWriter } from "./zip";

/** Characters of XML gathered before a write to the zip: large enough that writes cost nothing, small enough to bound memory. */
const FLUSH_AT = 256 * 1024;

/** One sheet: a run of one table's rows under the header row, and maybe the table's totals row. */
export interface SheetJob {
  tableName: string;
  columns: readonly Column[];
  /** Each column's letters: A, B, …, AA. */
  letters: readonly string[];
  writers: readonly CellWriter[];
  /** The header row's cells, given its row number. */
  headerXml: (row: number) => string;
  widths: readonly number[];
  /** Index in the table of the sheet's first row, for error messages. */
  firstRow: number;
  rows: number;
  /** The totals row's cells, given its row number once every row of the table is written; null for none. */
  totals: ((row: number) => string) | null;
  selected: boolean;
  decor: SheetDecor;
}

/** What the layout adds to every sheet: a row for the logo above the header, conditional formats, header, footer. */
export interface SheetDecor {
  /** Rows above the header row: 1 with a logo (its drawing anchored there), else 0. */
  top: number;
  /** Conditional formatting of the data rows `first`…`last`, or "" for none. */
  conditional: (first: number, last: number) => string;
  /** The `<headerFooter>` element, or "". */
  headerFooter: string;
}

/** A sheet without a layout: what every sheet was before layouts. */
export const PLAIN_DECOR: SheetDecor = { top: 0, conditional: () => "", headerFooter: "" };

/** The sheet's range of header and data rows, which the autofilter covers. */
export function filterRef(job: Pick<SheetJob, "letters" | "rows">, top = 0): string {
  return `A${top + 1}:${job.letters.at(-1)}${job.rows + top + 1}`;
}

/**
 * Writes one worksheet part row by row, waiting whenever the zip is behind: memory stays bounded by one chunk of
 * rows and one buffer of XML whatever the number of rows. Bold frozen header, column widths and autofilter included.
 */
export async function writeSheet(
  part: PartWriter,
  job: SheetJob,
  cursor: RowCursor,
  progress: Progress,
): Promise<void> {
  const { top } = job.decor;
  const lastRow = job.rows + top + 1 + (job.totals ? 1 : 0);
  await part.write(sheetHead({ ...job, top, lastRow, outlineLevels: 0 }));
  let xml = `${logoRow(top)}<row r="${top + 1}">${job.headerXml(top + 1)}</row>`;
  const { columns, writers } = job;
  const keys = columns.map((c) => c.key);
  let row = top + 1;
  for (let left = job.rows; left > 0; ) {
    const values = await cursor.take(Math.min(left, ROW_CHUNK));
    if (values.length === 0) throw new Error(`table "${job.tableName}" has fewer rows than counted`);
    for (const cells of values) {
      row++;
      let line = `<row r="${row}">`;
      for (let c = 0; c < keys.length; c++) {
        const value = cellOf(cells, keys[c] as string);
        if (value === null || value === undefined) continue;
        const cell = (writers[c] as CellWriter)(value, row);
        if (cell === null) {
          const column = columns[c] as Column;
          throw invalidCell(job.tableName, job.firstRow + row - top - 2, column.key, column.type);
        }
        line += cell;
      }
      xml += `${line}</row>`;
    }
    left -= values.length;
    if (xml.length >= FLUSH_AT) {
      await part.write(xml);
      xml = "";
    }
    await progress.advance(values.length);
  }
  if (job.totals) xml += `<row r="${lastRow}">${job.totals(lastRow)}</row>`;
  const conditional = job.rows > 0 ? job.decor.conditional(top + 2, lastRow) : "";
  await part.write(`${xml}</sheetData><autoFilter ref="${filterRef(job, top)}"/>${conditional}${sheetTail(job.decor)}`);
  part.end();
}

/** The sheet's end after its filter and conditional formats: margins, header and footer, the logo's drawing. */
export function sheetTail(decor: SheetDecor): string {
  const margins = '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>';
  return `${margins}${decor.headerFooter}${decor.top > 0 ? DRAWING_XML : ""}</worksheet>`;
}

/** The logo's row above the header, as tall as the logo needs; nothing without one. */
export function logoRow(top: number): string {
  return top > 0 ? `<row r="1" ht="${XLSX_LOGO_HEIGHT}" customHeight="1"/>` : "";
}

/** The sheet's start, up to `<sheetData>`; without `lastRow` (a sheet written before its size is known), no dimension. */
export function sheetHead(sheet: {
  letters: readonly string[];
  widths: readonly number[];
  selected: boolean;
  top: number;
  lastRow: number | null;
  /** Outline levels of grouped rows, 0 for none. */
  outlineLevels: number;
}): string {
  const cols = sheet.widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`);
  const first = sheet.top + 2;
  return [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ',
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">',
    sheet.outlineLevels > 0 ? '<sheetPr><outlinePr summaryBelow="1" summaryRight="1"/></sheetPr>' : "",
    sheet.lastRow === null ? "" : `<dimension ref="A1:${sheet.letters.at(-1)}${sheet.lastRow}"/>`,
    `<sheetViews><sheetView${sheet.selected ? ' tabSelected="1"' : ""} workbookViewId="0">`,
    `<pane ySplit="${first - 1}" topLeftCell="A${first}" activePane="bottomLeft" state="frozen"/>`,
    `<selection pane="bottomLeft" activeCell="A${first}" sqref="A${first}"/>`,
    "</sheetView></sheetViews>",
    `<sheetFormatPr defaultRowHeight="15"${sheet.outlineLevels > 0 ? ` outlineLevelRow="${sheet.outlineLevels}"` : ""}/>`,
    `<cols>${cols.join("")}</cols>`,
    "<sheetData>",
  ].join("");
}
