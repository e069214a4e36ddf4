import type { Column } from "@reports/contracts";
import {
  dateTimeFormat,
  excelFormat,
  excelSerial,
  type FormatContext,
  givenFormat,
  parseInstant,
  showsAsGiven,
  zoneNamer,
  zoneOf,
} from "./format";
import { wallClock } from "./timezone";
import type { Tally } from "./totals";
import type { CellStyle, StyleSheet } from "./xlsx-styles";
import { escapeText, hasEdgeSpace } from "./xml";

/** The XML of one cell in row `row` (1-based), or null when the value does not fit the column's type. */
export type CellWriter = (value: string | number | boolean, row: number) => string | null;

/** Starts of text a spreadsheet would run as a formula (OWASP CSV injection): kept as text, never evaluated. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Distinct `date` values remembered: reports repeat the same days over and over. */
const DATE_CACHE = 4_096;

/**
 * An inline-string cell. Our cells never hold formulas, so nothing here is evaluated; text that looks like one
 * also gets a quote-prefix style, so Excel keeps it as text when someone edits the cell.
 */
export function textCell(ref: string, text: string, styles: TextStyles): string {
  const style = FORMULA_START.test(text) ? styles.quoted : styles.plain;
  return `<c r="${ref}"${style === 0 ? "" : ` s="${style}"`} t="inlineStr"><is>${textElement(text)}</is></c>`;
}

/** The two styles of a text cell: as is, and quote-prefixed for text that looks like a formula. */
export interface TextStyles {
  plain: number;
  quoted: number;
}

export function textStyles(
  styles: StyleSheet,
  bold = false,
  look: Omit<CellStyle, "bold" | "format"> = {},
): TextStyles {
  return { plain: styles.style({ ...look, bold }), quoted: styles.style({ ...look, bold, quotePrefix: true }) };
}

function textElement(text: string): string {
  return hasEdgeSpace(text) ? `<t xml:space="preserve">${escapeText(text)}</t>` : `<t>${escapeText(text)}</t>`;
}

/** A numeric cell with a style. */
export function numberCell(ref: string, value: number, style: number): string {
  return `<c r="${ref}"${style === 0 ? "" : ` s="${style}"`}><v>${value}</v></c>`;
}

/**
 * The writer of one column's cells. It checks each value against the column's type, writes numbers, dates (as
 * serials of the wall-clock time in the column's or the spec's time zone, formatted with the zone's name) and
 * booleans as typed cells with the column's number format, and adds each value to the column's totals. Styles
 * are registered as values ask for them: a number shown as given gets the format of its decimals, a date-time
 * the name of its zone's offset at that instant (GMT+1 in winter, GMT+2 in summer).
 */
export function cellWriter(
  column: Column,
  letters: string,
  styles: StyleSheet,
  context: FormatContext,
  total?: Tally,
): CellWriter {
  const format = excelFormat(column, context.locale);
  const { align } = column;
  const textStyle = textStyles(styles, false, { align });
  const style = styles.style({ format, align });
  const open = `<c r="${letters}`;
  const numeric = `"${style === 0 ? "" : ` s="${style}"`}><v>`;
  const number = (value: number, row: number) => {
    total?.add(value, value);
    return `${open}${row}${numeric}${value}</v></c>`;
  };
  switch (column.type) {
    case "string":
      return (value, row) => {
        const text = String(value);
        total?.add(value, Number.NaN);
        return textCell(`${letters}${row}`, text, textStyle);
      };
    case "boolean":
      return (value, row) => {
        if (typeof value !== "boolean") return null;
        total?.add(value, Number.NaN);
        return `${open}${row}" t="b"><v>${value ? 1 : 0}</v></c>`;
      };
    case "integer":
      return (value, row) => (Number.isSafeInteger(value) ? number(value as number, row) : null);
    case "number":
      if (showsAsGiven(column)) {
        const given = new Map<string, string>();
        return (value, row) => {
          if (typeof value !== "number" || !Number.isFinite(value)) return null;
          total?.add(value, value);
          const format = givenFormat(value);
          let numericStyle = given.get(format);
          if (numericStyle === undefined) {
            const id = styles.style({ format, align });
            numericStyle = `"${id === 0 ? "" : ` s="${id}"`}><v>`;
            given.set(format, numericStyle);
          }
          return `${open}${row}${numericStyle}${value}</v></c>`;
        };
      }
      return (value, row) => (typeof value === "number" && Number.isFinite(value) ? number(value, row) : null);
    case "currency":
    case "percent":
      return (value, row) => (typeof value === "number" && Number.isFinite(value) ? number(value, row) : null);
    case "datetime":
      return dateTimeWriter(letters, styles, zoneOf(column, context), textStyle, align, total);
    case "date": {
      const serialOf = dateSerial();
      return (value, row) => {
        const serial = typeof value === "string" ? serialOf(value) : undefined;
        if (serial === undefined) return null;
        // Before 1900 Excel has no serial: keep the ISO text.
        if (serial === null) return textCell(`${letters}${row}`, value as string, textStyle);
        total?.add(value, serial);
        return `${open}${row}${numeric}${serial}</v></c>`;
      };
    }
  }
}

/** Serial of a YYYY-MM-DD value; undefined if it is not one, null before 1900. */
function dateSerial(): (value: string) => number | null | undefined {
  const cache = new Map<string, number | null | undefined>();
  return (value) => {
    if (cache.has(value)) return cache.get(value);
    const ms = parseInstant("date", value);
    const serial = ms === null ? undefined : excelSerial(ms);
    if (cache.size >= DATE_CACHE) cache.clear();
    cache.set(value, serial);
    return serial;
  };
}

/** Date-time cells: the serial of the wall-clock time in `timeZone`, with the zone's name at that instant. */
function dateTimeWriter(
  letters: string,
  styles: StyleSheet,
  timeZone: string,
  textStyle: TextStyles,
  align: CellStyle["align"],
  total?: Tally,
): CellWriter {
  const wall = wallClock(timeZone);
  const zoneName = zoneNamer(timeZone);
  // by offset from UTC: a zone has a handful (standard and summer time), each with its name
  const byOffset = new Map<number, string>();
  return (value, row) => {
    const ms = typeof value === "string" ? parseInstant("datetime", value) : null;
    if (ms === null) return null;
    const local = wall(ms);
    const serial = excelSerial(local);
    // Before 1900 Excel has no serial: keep the ISO text.
    if (serial === null) return textCell(`${letters}${row}`, value as string, textStyle);
    total?.add(value, serial);
    let open = byOffset.get(local - ms);
    if (open === undefined) {
      const style = styles.style({ format: dateTimeFormat(zoneName(ms)), align });
      open = `"${style === 0 ? "" : ` s="${style}"`}><v>`;
      byOffset.set(local - ms, open);
    }
    return `<c r="${letters}${row}${open}${serial}</v></c>`;
  };
}
