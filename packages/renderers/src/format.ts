import type { CellValue, Column } from "@reports/contracts";

const MS_PER_DAY = 86_400_000;
/** Days from Excel's day 0 (1899-12-30) to the Unix epoch. */
const UNIX_EPOCH_SERIAL = 25_569;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const integerText = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimalText = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percentText = new Intl.NumberFormat("en-US", {
  style: "percent",
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** Milliseconds since the epoch of a `date` (YYYY-MM-DD, UTC midnight) or `datetime` value, or null if it is not one. */
export function parseInstant(type: "date" | "datetime", value: string): number | null {
  if (type === "date" && !ISO_DATE.test(value)) return null;
  if (type === "datetime" && !value.includes("T")) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * The Excel serial (1900 date system) of an instant in UTC, or null before 1900-01-01.
 * Excel counts a 29 February 1900 that never was, so serials before 1 March 1900 are one lower.
 */
export function excelSerial(ms: number): number | null {
  const serial = ms / MS_PER_DAY + UNIX_EPOCH_SERIAL;
  if (serial >= 61) return serial;
  return serial - 1 >= 1 ? serial - 1 : null;
}

/** The Excel number format of a column, or undefined for text and booleans. */
export function excelFormat(column: Pick<Column, "type" | "currency">): string | undefined {
  switch (column.type) {
    case "integer":
      return "#,##0";
    case "number":
      return "#,##0.00";
    case "currency":
      if (column.currency === undefined) return "#,##0.00";
      return column.currency === "USD" ? '"$"#,##0.00' : `#,##0.00 "${column.currency}"`;
    case "percent":
      return "0.00%";
    case "date":
      return "yyyy-mm-dd";
    case "datetime":
      return "yyyy-mm-dd hh:mm:ss";
    case "string":
    case "boolean":
      return undefined;
  }
}

/**
 * A cell as a reader sees it in the PDF, matching the XLSX number formats:
 * "" for an empty cell, null when the value does not fit the column's type.
 *
 * @example
 * displayValue({ type: "currency", currency: "EUR" }, 1234.5); // "1,234.50 EUR"
 */
export function displayValue(column: Pick<Column, "type" | "currency">, value: CellValue | undefined): string | null {
  if (value === null || value === undefined) return "";
  switch (column.type) {
    case "string":
      return String(value);
    case "integer":
      return Number.isSafeInteger(value) ? integerText.format(value as number) : null;
    case "number":
      return isFiniteNumber(value) ? decimalText.format(value) : null;
    case "currency":
      return isFiniteNumber(value) ? currencyText(value, column.currency) : null;
    case "percent":
      return isFiniteNumber(value) ? percentText.format(value) : null;
    case "boolean":
      return typeof value === "boolean" ? (value ? "Yes" : "No") : null;
    case "date":
      return typeof value === "string" && parseInstant("date", value) !== null ? value : null;
    case "datetime": {
      const ms = typeof value === "string" ? parseInstant("datetime", value) : null;
      return ms === null ? null : `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
    }
  }
}

function currencyText(value: number, code: string | undefined): string {
  if (code === "USD") return value < 0 ? `-$${decimalText.format(-value)}` : `$${decimalText.format(value)}`;
  return code === undefined ? decimalText.format(value) : `${decimalText.format(value)} ${code}`;
}

function isFiniteNumber(value: CellValue): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
