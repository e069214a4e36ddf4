import { type Column, cellOf, type Row } from "@reports/contracts";
import XLSX from "xlsx";
import { excelFormat, excelSerial, givenFormat, parseInstant, showsAsGiven, zoneNamer, zoneOf } from "./format";
import { wallClock } from "./timezone";

const MIN_WIDTH = 8;
/** The widest a column gets from its content: longer text wraps or is cut in Excel, as the reader chooses. */
const MAX_WIDTH = 60;
/** Room for the autofilter's button beside the header. */
const FILTER_BUTTON = 3;
// Characters a spreadsheet draws two columns wide: CJK, Hangul, full-width forms and emoji.
const WIDE =
  /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|[\uD83C-\uD83E][\uDC00-\uDFFF]|[\uD840-\uD87F][\uDC00-\uDFFF]/g;

/** Whether a text may hold a wide character: in one of WIDE's ranges or a surrogate (not €, –, …, arrows). */
const MAYBE_WIDE = /[\u1100-\u115F\u2E80-\uFFFF]/;

/** How many character widths a line of text takes: wide characters count twice, a surrogate pair once. */
function textWidth(line: string): number {
  let width = line.length;
  // most text (Latin, Cyrillic, Greek, Arabic, Hebrew, numbers with their currency) has none: no match to walk
  // (measured: walking them was a tenth of a 100-row sheet's widths)
  if (!MAYBE_WIDE.test(line)) return width;
  for (const wide of line.matchAll(WIDE)) width += wide[0].length === 2 ? 0 : 1;
  return width;
}

/** Width of the longest line of a text, in characters. */
function longestLine(text: string): number {
  if (!text.includes("\n")) return textWidth(text);
  let longest = 0;
  for (const line of text.split("\n")) longest = Math.max(longest, textWidth(line));
  return longest;
}

/**
 * Excel column widths (in characters): the spec's width, else the widest of the header and the sampled rows'
 * values as Excel will show them (SheetJS's number-format engine, with the zone's name of a date-time), with room
 * for the filter button, between 8 and 60.
 *
 * @example
 * sheetColumnWidths([{ key: "n", header: "Name", type: "string" }], [{ n: "Zażółć gęślą jaźń" }], context); // [19]
 */
export function sheetColumnWidths(
  columns: readonly Column[],
  sample: readonly Row[],
  context: { locale: string; timeZone: string },
): number[] {
  return columns.map((column) => {
    if (column.width !== undefined) return column.width;
    const shown = shownText(column, context);
    let widest = longestLine(column.header) + FILTER_BUTTON;
    for (const row of sample) {
      const value = cellOf(row, column.key);
      if (value === null || value === undefined) continue;
      widest = Math.max(widest, longestLine(shown(value)));
    }
    return Math.min(Math.max(widest + 2, MIN_WIDTH), MAX_WIDTH);
  });
}

/** A column's values as Excel shows them. */
function shownText(
  column: Column,
  context: { locale: string; timeZone: string },
): (value: string | number | boolean) => string {
  const format = excelFormat(column, context.locale);
  const zone = zoneOf(column, context);
  const wall = wallClock(zone);
  const zoneName = zoneNamer(zone);
  const formatted = (code: string | undefined, number: number, fallback: string) => {
    if (code === undefined) return fallback;
    try {
      return XLSX.SSF.format(code, number);
    } catch {
      return fallback;
    }
  };
  return (value) => {
    if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
    if (typeof value === "number") {
      return formatted(showsAsGiven(column) ? givenFormat(value) : format, value, String(value));
    }
    if (column.type !== "date" && column.type !== "datetime") return value;
    const ms = parseInstant(column.type, value);
    if (ms === null) return value;
    const serial = excelSerial(column.type === "date" ? ms : wall(ms));
    if (serial === null) return value;
    const text = formatted(format, serial, value);
    return column.type === "datetime" ? `${text} ${zoneName(ms)}` : text;
  };
}
