import { type CellValue, type Column, cellOf, type Row, type Table } from "@reports/contracts";
import { RowCursor, type RowSource } from "./rows";

/** Label of a subtotal row, before the group's value: "Total North". */
export const SUBTOTAL_LABEL = "Total";
/** How an empty group value is named in headings and labels. */
export const EMPTY_GROUP = "(empty)";

type Order = Pick<Table, "columns" | "groupBy" | "sort" | "presorted">;

/**
 * The order rows are sorted in: a grouped table by its groupBy keys first (in the direction `sort` gives them,
 * else ascending), then by the rest of `sort`. Empty when nothing is to be sorted (no sort, or presorted rows).
 */
export function sortKeys(table: Order): Array<{ column: Column; descending: boolean }> {
  if (table.presorted) return [];
  const direction = new Map((table.sort ?? []).map((s) => [s.key, s.direction === "desc"]));
  const keys = [...(table.groupBy ?? []), ...(table.sort ?? []).map((s) => s.key)];
  const unique = [...new Set(keys)];
  return unique.flatMap((key) => {
    const column = table.columns.find((c) => c.key === key);
    return column ? [{ column, descending: direction.get(key) ?? false }] : [];
  });
}

/** Compares two cells of one column: numbers as numbers, text by the locale's collation, date-times as instants. */
export function cellComparer(column: Column, locale: string | undefined): (a: CellValue, b: CellValue) => number {
  switch (column.type) {
    case "string": {
      const collator = new Intl.Collator(locale ?? "en-US");
      return (a, b) => collator.compare(String(a), String(b));
    }
    case "datetime":
      return (a, b) => Date.parse(String(a)) - Date.parse(String(b));
    case "date":
      return (a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);
    default:
      return (a, b) => Number(a) - Number(b);
  }
}

/**
 * The table's rows in the order its spec asks for: a stable sort (equal rows keep the client's order), empty
 * cells last in either direction. A table with nothing to sort keeps its source, streamed as it comes.
 */
export async function orderedRows(table: Order, source: RowSource, locale: string | undefined): Promise<RowSource> {
  const keys = sortKeys(table);
  if (keys.length === 0) return source;
  const rows = await new RowCursor(source).all();
  const compares = keys.map(({ column, descending }) => ({
    key: column.key,
    compare: cellComparer(column, locale),
    sign: descending ? -1 : 1,
  }));
  rows.sort((a, b) => {
    for (const { key, compare, sign } of compares) {
      const x = cellOf(a, key) ?? null;
      const y = cellOf(b, key) ?? null;
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;
        continue;
      }
      const order = compare(x, y);
      if (order !== 0) return order * sign;
    }
    return 0;
  });
  return {
    count: rows.length,
    async *chunks() {
      yield rows;
    },
  };
}

/**
 * Finds where groups start and end in rows that come grouped: a group is a run of consecutive rows with equal
 * values in the groupBy columns (an empty cell is a value of its own). Holds one row's values, whatever the rows.
 *
 * @example
 * const breaks = new GroupBreaks(["region", "city"]);
 * breaks.next({ region: "N", city: "A" }); // 0: every level opens
 * breaks.next({ region: "N", city: "B" }); // 1: the city changes
 * breaks.next({ region: "N", city: "B" }); // 2: nothing changes
 */
export class GroupBreaks {
  private current: CellValue[] | null = null;

  constructor(private readonly keys: readonly string[]) {}

  /** The outermost level whose value changes with `row` (levels below it change too); `keys.length` for none. */
  next(row: Row): number {
    const values = this.keys.map((key) => cellOf(row, key) ?? null);
    const previous = this.current;
    this.current = values;
    if (previous === null) return 0;
    const changed = values.findIndex((value, level) => value !== previous[level]);
    return changed === -1 ? this.keys.length : changed;
  }

  /** The values of the group levels the last row belongs to. */
  values(): readonly CellValue[] {
    return this.current ?? [];
  }
}
