import type { Table } from "@reports/contracts";
import { displayValue } from "./format";

/** Rows looked at to size a column: enough to be representative, bounded so a million rows cost nothing. */
const SAMPLE_ROWS = 500;

/**
 * The widest text of each column, in characters: its header and the formatted values of the first rows.
 * Of a multi-line value, its longest line counts.
 */
export function contentWidths(table: Table): number[] {
  const widths = table.columns.map((c) => longestLine(c.header));
  const sample = Math.min(table.rows.length, SAMPLE_ROWS);
  for (let r = 0; r < sample; r++) {
    const row = table.rows[r];
    if (row === undefined) continue;
    table.columns.forEach((column, c) => {
      const text = displayValue(column, row[column.key]);
      if (text) widths[c] = Math.max(widths[c] ?? 0, longestLine(text));
    });
  }
  return widths;
}

function longestLine(text: string): number {
  let longest = 0;
  for (const line of text.split("\n")) longest = Math.max(longest, line.length);
  return longest;
}
