import type { CellValue, Column, ColumnTotal } from "@reports/contracts";

/** What takes a column's values as they are written: its aggregate, or several (a group's and the table's). */
export interface Tally {
  add(value: CellValue, key: number): void;
}

/** Running aggregate of one column for its table's totals row. */
export class Aggregate implements Tally {
  /** Non-empty cells. */
  count = 0;
  sum = 0;
  /** Smallest and largest numeric key (a number, or the date's serial or ms), with the cell value it came from. */
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  minValue: CellValue = null;
  maxValue: CellValue = null;

  constructor(readonly kind: ColumnTotal) {}

  /** Counts a non-empty cell; `key` is its numeric value (NaN for text and booleans). */
  add(value: CellValue, key: number): void {
    this.count++;
    if (Number.isNaN(key)) return;
    this.sum += key;
    if (key < this.min) {
      this.min = key;
      this.minValue = value;
    }
    if (key > this.max) {
      this.max = key;
      this.maxValue = value;
    }
  }

  /** The total as a number (what the XLSX cell caches), or null when there is none (no values). */
  number(): number | null {
    switch (this.kind) {
      case "count":
        return this.count;
      case "sum":
        return this.sum;
      case "avg":
        return this.count === 0 ? null : this.sum / this.count;
      case "min":
        return this.count === 0 ? null : this.min;
      case "max":
        return this.count === 0 ? null : this.max;
    }
  }

  /** The total as a value of `totalsColumn(column)`: min and max keep the original cell (a date stays a date). */
  value(): CellValue {
    if (this.kind === "min") return this.minValue;
    if (this.kind === "max") return this.maxValue;
    return this.number();
  }
}

/** One aggregate per column with `totals`, or null when the table has no totals row. */
export function aggregates(columns: readonly Column[]): Array<Aggregate | undefined> | null {
  if (!columns.some((c) => c.totals !== undefined)) return null;
  return columns.map((c) => (c.totals === undefined ? undefined : new Aggregate(c.totals)));
}

/** How a totals cell is typed and formatted: a count is an integer, an average has decimals (2 unless given). */
export function totalsColumn<C extends Pick<Column, "type" | "currency" | "decimals" | "totals">>(column: C): C {
  if (column.totals === "count") return { ...column, type: "integer", decimals: undefined };
  // an average has decimals even when the values have none
  if (column.totals === "avg" && (column.type === "integer" || column.type === "number")) {
    return { ...column, type: "number", decimals: column.decimals ?? 2 };
  }
  return column;
}

/** Excel's SUBTOTAL function numbers: they skip rows hidden by the autofilter. */
export const SUBTOTAL_FUNCTION: Record<ColumnTotal, number> = { avg: 101, count: 103, max: 104, min: 105, sum: 109 };

/**
 * SUBTOTAL's numbers in a grouped sheet: they skip filtered rows but count rows hidden by collapsing a group, so
 * a total stays the same whichever groups are open. Nested SUBTOTALs (the groups') are never counted twice.
 */
export const GROUPED_SUBTOTAL_FUNCTION: Record<ColumnTotal, number> = { avg: 1, count: 3, max: 4, min: 5, sum: 9 };

export const TOTALS_LABEL = "Total";
