import type { CellValue, Column, Comparison, ConditionalStyle } from "@reports/contracts";

/** Whether `value` compares true with `operand` by `op`: text ignoring case (as Excel's cellIs does), dates as ISO text. */
export function compares(op: Comparison, value: number | string, operand: number | string): boolean {
  const a = typeof value === "string" ? value.toLowerCase() : value;
  const b = typeof operand === "string" ? operand.toLowerCase() : operand;
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "=":
      return a === b;
    case "!=":
      return a !== b;
  }
}

/**
 * The style a cell of `column` takes: the first of its conditional styles that matches, or null. An empty cell and
 * a value of another kind than the condition's never match.
 */
export function styleOf(column: Pick<Column, "styles">, value: CellValue | undefined): ConditionalStyle | null {
  if (!column.styles || value === null || value === undefined || typeof value === "boolean") return null;
  for (const style of column.styles) {
    const operand = style.when.value;
    if (typeof operand !== typeof value) continue;
    if (compares(style.when.op, value, operand)) return style;
  }
  return null;
}
