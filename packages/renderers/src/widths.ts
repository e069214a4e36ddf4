import { type Column, cellOf, type Row } from "@reports/contracts";
import XLSX from "xlsx";
import { excelFormat, excelSerial, parseInstant } from "./format";
import { SAMPLE_ROWS } from "./rows";
import { wallClock } from "./timezone";

const MIN_WIDTH = 8;
const MAX_WIDTH = 60;

/** Length of the longest line of a text, in characters. */
function longestLine(text: string): number {
  if (!text.includes("\n")) return text.length;
  let longest = 0;
  for (const line of text.split("\n")) longest = Math.max(longest, line.length);
  return longest;
}

/**
 * Excel column widths (in characters): the spec's width, else the widest of the header and the first rows'
 * values as Excel will show them (SheetJS's number-format engine), with room for the filter button.
 */
export function sheetColumnWidths(
  columns: readonly Column[],
  sample: readonly Row[],
  context: { locale: string; timeZone: string },
): number[] {
  const wall = wallClock(context.timeZone);
  return columns.map((column) => {
    if (column.width !== undefined) return column.width;
    const format = excelFormat(column, context.locale);
    let widest = longestLine(column.header) + 3;
    for (let r = 0; r < Math.min(sample.length, SAMPLE_ROWS); r++) {
      const value = cellOf(sample[r] ?? {}, column.key);
      if (value === null || value === undefined) continue;
      widest = Math.max(widest, longestLine(shownText(column, value, format, wall)));
    }
    return Math.min(Math.max(widest + 2, MIN_WIDTH), MAX_WIDTH);
  });
}

function shownText(
  column: Column,
  value: string | number | boolean,
  format: string | undefined,
  wall: (ms: number) => number,
): string {
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  let number = typeof value === "number" ? value : null;
  if (typeof value === "string" && (column.type === "date" || column.type === "datetime")) {
    const ms = parseInstant(column.type, value);
    number = ms === null ? null : excelSerial(column.type === "date" ? ms : wall(ms));
  }
  if (number === null || format === undefined) return String(value);
  try {
    return XLSX.SSF.format(format, number);
  } catch {
    return String(value);
  }
}
