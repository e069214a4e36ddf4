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

type Formatted = Pick<Column, "type" | "currency" | "decimals"> & { timeZone?: string | undefined };

/** Significant digits Excel keeps (and shows) of a number: more would show float noise such as 0.30000000000000004. */
const EXCEL_DIGITS = 15;
/** Decimals past which a number shown as given reads better in scientific notation (1E-16). */
const MAX_GIVEN_DECIMALS = 15;

/** Whether a column shows each value as given: a `number` without `decimals` (3.14159 stays 3.14159, 1e-7 0.0000001). */
export function showsAsGiven(column: Pick<Column, "type" | "decimals">): boolean {
  return column.type === "number" && column.decimals === undefined;
}

/**
 * The digits after the point that show `value` as given, to Excel's 15 significant digits, or null when it
 * needs more than 15 (a tiny number, shown in scientific notation instead).
 *
 * @example
 * givenDecimals(3.14159); // 5
 * givenDecimals(1e-7); // 7
 * givenDecimals(0.1 + 0.2); // 1
 */
export function givenDecimals(value: number): number | null {
  if (Number.isInteger(value) || !Number.isFinite(value)) return 0;
  const text = String(value);
  // the common case, cheap: no exponent and at most 15 digits, so the shortest form is the one Excel shows
  if (text.length <= 16 && !text.includes("e")) return text.length - text.indexOf(".") - 1;
  const [mantissa = "", exponent = "0"] = String(Math.abs(Number(value.toPrecision(EXCEL_DIGITS)))).split("e");
  const decimals = Math.max(0, (mantissa.split(".")[1]?.length ?? 0) - Number(exponent));
  return decimals > MAX_GIVEN_DECIMALS ? null : decimals;
}

/** The Excel format showing `value` as given: thousands separators and exactly its decimals, or General. */
export function givenFormat(value: number): string {
  const decimals = givenDecimals(value);
  if (decimals === null) return "General";
  return decimals > 0 ? `#,##0.${"0".repeat(decimals)}` : "#,##0";
}

/** The Excel format of a `datetime` column's cells: the wall-clock time and the zone's name, as the PDF shows it. */
export function dateTimeFormat(zoneName: string): string {
  return `yyyy-mm-dd hh:mm:ss "${zoneName.replace(/"/g, "")}"`;
}

/**
 * The short name of a time zone at an instant, as the PDF and the XLSX show it next to a date-time: "UTC",
 * "GMT+1", "EST", "GMT+5:30".
 */
export function zoneNamer(timeZone: string): (ms: number) => string {
  if (timeZone === "UTC" || timeZone === "Etc/UTC") return () => "UTC";
  const zone = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "short" });
  return (ms) => zone.formatToParts(ms).find((p) => p.type === "timeZoneName")?.value ?? timeZone;
}

/** The zone a column's date-times are shown in: its own, else the spec's. */
export function zoneOf(column: Pick<Formatted, "timeZone">, context: Pick<FormatContext, "timeZone">): string {
  return column.timeZone ?? context.timeZone;
}

/** Digits after the point: the column's, else the currency's usual ones (JPY 0), else 2. */
function decimalsOf(column: Formatted, locale = "en-US"): number {
  if (column.decimals !== undefined) return column.decimals;
  if (column.type === "integer") return 0;
  if (column.type === "currency" && column.currency !== undefined)
    return currencyStyle(locale, column.currency).decimals;
  return 2;
}

/** How a locale writes an amount of a currency: its usual decimals, its symbol, and where the symbol goes. */
interface CurrencyStyle {
  decimals: number;
  symbol: string;
  symbolFirst: boolean;
  spaced: boolean;
}

/**
 * Asked of `Intl` once per locale and currency (a `NumberFormat` and its `formatToParts` cost ~40 µs, and every
 * currency column's format was asked for three times per render); at most a few hundred pairs are kept.
 */
function currencyStyle(locale: string, code: string): CurrencyStyle {
  const key = `${locale} ${code}`;
  const known = currencyStyles.get(key);
  if (known) return known;
  const format = new Intl.NumberFormat(locale, { style: "currency", currency: code });
  const parts = format.formatToParts(1);
  const symbolAt = parts.findIndex((p) => p.type === "currency");
  const style = {
    decimals: format.resolvedOptions().maximumFractionDigits ?? 2,
    symbol: parts[symbolAt]?.value ?? code,
    symbolFirst: symbolAt < parts.findIndex((p) => p.type === "integer"),
    spaced: parts.some((p) => p.type === "literal" && /\s/.test(p.value)),
  };
  if (currencyStyles.size >= MAX_CURRENCY_STYLES) currencyStyles.clear();
  currencyStyles.set(key, style);
  return style;
}
const currencyStyles = new Map<string, CurrencyStyle>();
const MAX_CURRENCY_STYLES = 256;

/**
 * The Excel number format of a column, or undefined for text and booleans. Currency symbols follow `locale`.
 * A column shown as given (`showsAsGiven`) is General here; its cells get `givenFormat` of their value.
 */
export function excelFormat(column: Formatted, locale = "en-US"): string | undefined {
  const decimals = decimalsOf(column, locale);
  const number = decimals > 0 ? `#,##0.${"0".repeat(decimals)}` : "#,##0";
  switch (column.type) {
    case "integer":
      return "#,##0";
    case "number":
      return column.decimals === undefined ? "General" : number;
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
  const style = currencyStyle(locale, code);
  const symbol = `"${style.symbol.replace(/"/g, "")}"`;
  const gap = style.spaced ? " " : "";
  return style.symbolFirst ? `${symbol}${gap}${number}` : `${number}${gap}${symbol}`;
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
      return column.decimals === undefined ? givenNumber(locale) : numeric(new Intl.NumberFormat(locale, fixed));
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
      const text =
        column.type === "date" ? dateText(context) : dateTimeText({ ...context, timeZone: zoneOf(column, context) });
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
  const zoneName = zoneNamer(timeZone);
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

/** Numbers shown as given (see `givenDecimals`), in the locale's digits and separators. */
function givenNumber(locale: string): DisplayFormatter {
  const formats = new Map<number | null, Intl.NumberFormat>();
  return (v) => {
    if (v === null || v === undefined) return "";
    if (!isNumber(v, false)) return null;
    const decimals = givenDecimals(v);
    let format = formats.get(decimals);
    if (!format) {
      format = new Intl.NumberFormat(
        locale,
        decimals === null
          ? { notation: "scientific", maximumSignificantDigits: EXCEL_DIGITS }
          : { minimumFractionDigits: decimals, maximumFractionDigits: decimals },
      );
      formats.set(decimals, format);
    }
    return format.format(v);
  };
}

function isNumber(value: CellValue, integer: boolean): value is number {
  return integer ? Number.isSafeInteger(value) : typeof value === "number" && Number.isFinite(value);
}
