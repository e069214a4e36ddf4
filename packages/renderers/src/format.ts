import type { CellValue, Column, ReportSpec } from "@reports/contracts";
import { wallClock } from "./timezone";

const MS_PER_DAY = 86_400_000;
/** Days from Excel's day 0 (1899-12-30) to the Unix epoch. */
const UNIX_EPOCH_SERIAL = 25_569;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** How values are shown: the spec's locale and time zone, or en-US numbers with ISO dates in UTC. */
export interface FormatContext {
  locale: string;
  timeZone: string;
  /** Whether the spec named a locale: without one, dates stay ISO 8601 (unambiguous everywhere). */
  localized: boolean;
}

export function formatContext(spec: Pick<ReportSpec, "locale" | "timeZone">): FormatContext {
  return { locale: spec.locale ?? "en-US", timeZone: spec.timeZone ?? "UTC", localized: spec.locale !== undefined };
}

/** Milliseconds since the epoch of a `date` (YYYY-MM-DD, UTC midnight) or `datetime` value, or null if it is not one. */
export function parseInstant(type: "date" | "datetime", value: string): number | null {
  if (type === "date" && !ISO_DATE.test(value)) return null;
  if (type === "datetime" && !value.includes("T")) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * The Excel serial (1900 date system) of a wall-clock time given as ms since the epoch, or null before 1900-01-01.
 * Excel counts a 29 February 1900 that never was, so serials before 1 March 1900 are one lower.
 */
export function excelSerial(ms: number): number | null {
  const serial = ms / MS_PER_DAY + UNIX_EPOCH_SERIAL;
  if (serial >= 61) return serial;
  return serial - 1 >= 1 ? serial - 1 : null;
}

type Formatted = Pick<Column, "type" | "currency" | "decimals">;

/** Digits after the point: the column's, else the currency's usual ones (JPY 0), else 2. */
function decimalsOf(column: Formatted, locale = "en-US"): number {
  if (column.decimals !== undefined) return column.decimals;
  if (column.type === "integer") return 0;
  if (column.type === "currency" && column.currency !== undefined) {
    const format = new Intl.NumberFormat(locale, { style: "currency", currency: column.currency });
    return format.resolvedOptions().maximumFractionDigits ?? 2;
  }
  return 2;
}

/** The Excel number format of a column, or undefined for text and booleans. Currency symbols follow `locale`. */
export function excelFormat(column: Formatted, locale = "en-US"): string | undefined {
  const decimals = decimalsOf(column, locale);
  const number = decimals > 0 ? `#,##0.${"0".repeat(decimals)}` : "#,##0";
  switch (column.type) {
    case "integer":
      return "#,##0";
    case "number":
      return number;
    case "currency":
      return column.currency === undefined ? number : currencyFormat(number, column.currency, locale);
    case "percent":
      return decimals > 0 ? `0.${"0".repeat(decimals)}%` : "0%";
    case "date":
      return "yyyy-mm-dd";
    case "datetime":
      return "yyyy-mm-dd hh:mm:ss";
    case "string":
    case "boolean":
      return undefined;
  }
}

/** The symbol where the locale puts it: `"€"#,##0.00` in en-US, `#,##0.00 "€"` in de-DE. */
function currencyFormat(number: string, code: string, locale: string): string {
  const parts = new Intl.NumberFormat(locale, { style: "currency", currency: code }).formatToParts(1);
  const symbolAt = parts.findIndex((p) => p.type === "currency");
  const numberAt = parts.findIndex((p) => p.type === "integer");
  const symbol = `"${(parts[symbolAt]?.value ?? code).replace(/"/g, "")}"`;
  const spaced = parts.some((p) => p.type === "literal" && /\s/.test(p.value));
  const gap = spaced ? " " : "";
  return symbolAt < numberAt ? `${symbol}${gap}${number}` : `${number}${gap}${symbol}`;
}

/** A cell's text as a reader sees it: "" when empty, null when the value does not fit the column's type. */
export type DisplayFormatter = (value: CellValue | undefined) => string | null;

/**
 * The PDF's text of one column's values, through `Intl` in the spec's locale; dates as ISO 8601 unless the spec
 * names a locale, date-times in the spec's time zone.
 *
 * @example
 * displayFormatter({ type: "currency", currency: "EUR" }, formatContext({ locale: "de-DE" }))(1234.5); // "1.234,50 €"
 */
export function displayFormatter(column: Formatted, context: FormatContext): DisplayFormatter {
  const { locale } = context;
  const decimals = decimalsOf(column, locale);
  const fixed = { minimumFractionDigits: decimals, maximumFractionDigits: decimals };
  const numeric = (format: Intl.NumberFormat, integer = false): DisplayFormatter => {
    return (v) => (v === null || v === undefined ? "" : isNumber(v, integer) ? format.format(v) : null);
  };
  switch (column.type) {
    case "string":
      return (v) => (v === null || v === undefined ? "" : String(v));
    case "integer":
      return numeric(new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }), true);
    case "number":
      return numeric(new Intl.NumberFormat(locale, fixed));
    case "currency": {
      const style: Intl.NumberFormatOptions =
        column.currency === undefined ? {} : { style: "currency", currency: column.currency };
      return numeric(new Intl.NumberFormat(locale, { ...style, ...fixed }));
    }
    case "percent":
      return numeric(new Intl.NumberFormat(locale, { style: "percent", ...fixed }));
    case "boolean":
      return (v) => (v === null || v === undefined ? "" : typeof v === "boolean" ? (v ? "Yes" : "No") : null);
    case "date":
    case "datetime": {
      const text = column.type === "date" ? dateText(context) : dateTimeText(context);
      const type = column.type;
      return (v) => {
        if (v === null || v === undefined) return "";
        const ms = typeof v === "string" ? parseInstant(type, v) : null;
        return ms === null ? null : text(ms);
      };
    }
  }
}

function dateText(context: FormatContext): (ms: number) => string {
  if (!context.localized) return (ms) => new Date(ms).toISOString().slice(0, 10);
  const format = new Intl.DateTimeFormat(context.locale, {
    timeZone: "UTC",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });
  return (ms) => format.format(ms);
}

function dateTimeText(context: FormatContext): (ms: number) => string {
  const { locale, timeZone } = context;
  const zone = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "short" });
  const zoneName = (ms: number) => zone.formatToParts(ms).find((p) => p.type === "timeZoneName")?.value ?? timeZone;
  if (!context.localized) {
    const wall = wallClock(timeZone);
    if (timeZone === "UTC") return (ms) => `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
    return (ms) => `${new Date(wall(ms)).toISOString().slice(0, 19).replace("T", " ")} ${zoneName(ms)}`;
  }
  const format = new Intl.DateTimeFormat(locale, {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZoneName: "short",
  });
  return (ms) => format.format(ms);
}

function isNumber(value: CellValue, integer: boolean): value is number {
  return integer ? Number.isSafeInteger(value) : typeof value === "number" && Number.isFinite(value);
}
