import type { ReportSpec } from "@reports/contracts";
import { RenderError } from "./errors";
import { formatContext } from "./format";
import { orderedRows } from "./groups";
import type { RenderLimits } from "./limits";
import type { Progress } from "./progress";
import { RowCursor, type RowSource, SAMPLE_ROWS } from "./rows";
import { partName, sheetNames } from "./sheet-names";
import type { ChunkSink } from "./sink";
import { SUBTOTAL_FUNCTION } from "./totals";
import { sheetColumnWidths } from "./widths";
import { logoParts, withLogoTypes } from "./xlsx-decor";
import { workbookParts } from "./xlsx-scaffold";
import { filterRef, type SheetDecor, type SheetJob, writeSheet } from "./xlsx-sheet";
import { StyleSheet } from "./xlsx-styles";
import { sheetArea, sheetCapacity, sheetDecor, tableWriter, type WorkbookLook } from "./xlsx-table";
import { columnName } from "./xml";
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

const CONTENT_TYPES = "[Content_Types].xml";
