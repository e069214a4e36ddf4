import type { CellValue, Column, ReportSpec, Table } from "@reports/contracts";
import type { OpenpyxlCell } from "./readers";

/**
 * What a spreadsheet user must see of each cell, from the spec alone: the checks hold whatever number formats the
 * XLSX renderer picks, as long as the value, its type and what the format says (decimals, currency, percent) agree
 * with what was sent.
 */

const CURRENCY_SYMBOLS: Record<string, string> = { EUR: "€", USD: "$", GBP: "£", JPY: "¥" };

/** Why openpyxl's reading of a cell disagrees with the value sent, or null when it agrees. */
export function openpyxlMismatch(
  column: Column,
  value: CellValue | undefined,
  cell: OpenpyxlCell | undefined,
  spec: ReportSpec,
): string | null {
  if (value === null || value === undefined) return cell?.value == null ? null : `expected empty, got ${cell?.value}`;
  if (!cell) return "missing";
  const expected = expectedOpenpyxl(column, value, spec);
  if (cell.type !== expected.type) return `type ${cell.type}, expected ${expected.type}`;
  if (cell.value !== expected.value)
    return `value ${JSON.stringify(cell.value)}, expected ${JSON.stringify(expected.value)}`;
  const format = formatMismatch(column, cell.format);
  return format ? `format ${JSON.stringify(cell.format)}: ${format}` : null;
}

function expectedOpenpyxl(column: Column, value: Exclude<CellValue, null>, spec: ReportSpec) {
  switch (column.type) {
    case "string":
      return { type: "s", value };
    case "boolean":
      return { type: "b", value };
    case "date":
      return { type: "d", value: `${value}T00:00:00` };
    case "datetime":
      return { type: "d", value: wallClock(String(value), spec.timeZone ?? "UTC").replace(" ", "T") };
    default:
      return { type: "n", value };
  }
}

/** Digits after the decimal point a number format shows (`#,##0.00` → 2, `0.0%` → 1, `#,##0` → 0). */
const formatDecimals = (format: string) => /\.(0+)/.exec(format.replace(/"[^"]*"/g, ""))?.[1]?.length ?? 0;

function formatMismatch(column: Column, format: string): string | null {
  const decimals = column.decimals ?? (column.type === "currency" && column.currency === "JPY" ? 0 : 2);
  switch (column.type) {
    case "integer":
      return formatDecimals(format) === 0 ? null : "an integer with decimals";
    case "percent":
      if (!format.includes("%")) return "no percent sign";
      return formatDecimals(format) === decimals ? null : `not ${decimals} decimals`;
    case "currency": {
      // without a currency code the column is an amount with no symbol
      const code = column.currency;
      if (code && !format.includes(CURRENCY_SYMBOLS[code] ?? code) && !format.includes(code)) return `no ${code}`;
      return column.decimals === undefined || formatDecimals(format) === decimals ? null : `not ${decimals} decimals`;
    }
    case "number":
      return column.decimals === undefined || formatDecimals(format) === decimals ? null : `not ${decimals} decimals`;
    case "date":
      return /y/i.test(format) && /d/i.test(format) && !/h/i.test(format) ? null : "not a date format";
    case "datetime":
      return /y/i.test(format) && /h/i.test(format) ? null : "not a date-time format";
    default:
      return null;
  }
}

/** `2026-01-01 01:00:00` for `2026-01-01T00:00:00Z` in Europe/Warsaw: what the sheet's cell holds. */
export function wallClock(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** The number a shown text means (`-$1,234.50` → -1234.5, `(€3.00)` → -3, `12.5%` → 0.125) and its shown decimals. */
export function shownNumber(text: string): { value: number; decimals: number } | null {
  const digits = text.replace(/[^0-9.]/g, "");
  if (!/\d/.test(digits)) return null;
  const negative = /^[^0-9]*-|^\(.*\)$/.test(text.trim());
  const magnitude = Number.parseFloat(digits) / (text.trim().endsWith("%") ? 100 : 1);
  return { value: negative ? -magnitude : magnitude, decimals: digits.split(".")[1]?.length ?? 0 };
}

/** Why LibreOffice's shown text of a cell disagrees with the value sent, or null when it agrees. */
export function shownMismatch(
  column: Column,
  value: CellValue | undefined,
  shown: string,
  spec: ReportSpec,
): string | null {
  if (value === null || value === undefined) return shown === "" ? null : `expected empty, got "${shown}"`;
  switch (column.type) {
    case "string":
      return shown === value ? null : `"${shown}", expected "${value}"`;
    case "boolean":
      return shown === (value ? "TRUE" : "FALSE") ? null : `"${shown}", expected ${value}`;
    case "date":
      return shown === value ? null : `"${shown}", expected ${value}`;
    case "datetime": {
      const wall = wallClock(String(value), spec.timeZone ?? "UTC").slice(0, 16);
      return shown.includes(wall) ? null : `"${shown}", expected ${wall}`;
    }
    default:
      return numberMismatch(shown, Number(value), column.type === "percent");
  }
}

/** A shown number agrees with a value when they differ by less than the last shown digit's rounding. */
export function numberMismatch(shown: string, expected: number, percent = false): string | null {
  const number = shownNumber(shown);
  if (!number) return `"${shown}" is not a number`;
  if (percent !== shown.trim().endsWith("%")) return `"${shown}" ${percent ? "lacks" : "has"} a percent sign`;
  const step = 10 ** -number.decimals / (percent ? 100 : 1);
  const tolerance = step / 2 + Math.abs(expected) * 1e-12;
  return Math.abs(number.value - expected) <= tolerance ? null : `"${shown}", expected ${expected}`;
}

/** The totals row's expected values, by column key (aggregates over the non-empty cells, as Excel's SUBTOTAL). */
export function expectedTotals(table: Table): Map<string, number | string> {
  const totals = new Map<string, number | string>();
  for (const column of table.columns) {
    if (!column.totals) continue;
    const values = table.rows.map((r) => r[column.key]).filter((v): v is Exclude<CellValue, null> => v != null);
    const numbers = values.map(Number);
    switch (column.totals) {
      case "count":
        totals.set(column.key, values.length);
        break;
      case "sum":
        totals.set(
          column.key,
          numbers.reduce((a, b) => a + b, 0),
        );
        break;
      case "avg":
        totals.set(column.key, numbers.reduce((a, b) => a + b, 0) / numbers.length);
        break;
      case "min":
      case "max": {
        const pick = column.totals === "min" ? Math.min : Math.max;
        if (column.type === "date" || column.type === "datetime") {
          const sorted = values.map(String).sort();
          totals.set(column.key, (column.totals === "min" ? sorted[0] : sorted.at(-1)) ?? "");
        } else totals.set(column.key, pick(...numbers));
        break;
      }
    }
  }
  return totals;
}
