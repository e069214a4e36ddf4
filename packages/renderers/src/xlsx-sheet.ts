import { type Column, cellOf } from "@reports/contracts";
import { invalidCell } from "./errors";
import type { Progress } from "./progress";
import { ROW_CHUNK, type RowCursor } from "./rows";
import type { CellWriter } from "./xlsx-cells";
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
  headerXml: string;
  widths: readonly number[];
  /** Index in the table of the sheet's first row, for error messages. */
  firstRow: number;
  rows: number;
  /** The totals row's cells, given its row number once every row of the table is written; null for none. */
  totals: ((row: number) => string) | null;
  selected: boolean;
}

/** The sheet's range of header and data rows, which the autofilter covers. */
export function filterRef(job: Pick<SheetJob, "letters" | "rows">): string {
  return `A1:${job.letters.at(-1)}${job.rows + 1}`;
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
  const lastRow = job.rows + 1 + (job.totals ? 1 : 0);
  await part.write(sheetHead(job, lastRow));
  let xml = `<row r="1">${job.headerXml}</row>`;
  const { columns, writers } = job;
  const keys = columns.map((c) => c.key);
  let row = 1;
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
          throw invalidCell(job.tableName, job.firstRow + row - 2, column.key, column.type);
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
  await part.write(`${xml}</sheetData><autoFilter ref="${filterRef(job)}"/>${SHEET_TAIL}`);
  part.end();
}

const SHEET_TAIL =
  '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>';

function sheetHead(job: SheetJob, lastRow: number): string {
  const cols = job.widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`);
  return [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ',
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">',
    `<dimension ref="A1:${job.letters.at(-1)}${lastRow}"/>`,
    `<sheetViews><sheetView${job.selected ? ' tabSelected="1"' : ""} workbookViewId="0">`,
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>',
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>',
    "</sheetView></sheetViews>",
    '<sheetFormatPr defaultRowHeight="15"/>',
    `<cols>${cols.join("")}</cols>`,
    "<sheetData>",
  ].join("");
}
