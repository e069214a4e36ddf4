import type { FieldError, ReportSpec } from "@reports/contracts";
import type { BffSettings } from "../env";

export type Limits = Pick<BffSettings, "MAX_ROWS" | "MAX_CELLS" | "MAX_COLUMNS" | "MAX_TABLES" | "MAX_STRING_LENGTH">;

/** What in `spec` is over this deployment's limits, with the field each one is about. */
export function overLimits(spec: ReportSpec, limits: Limits): FieldError[] {
  const problems: FieldError[] = [];
  if (spec.tables.length > limits.MAX_TABLES) {
    problems.push({ path: "tables", message: `at most ${limits.MAX_TABLES} tables (MAX_TABLES)` });
  }
  let rows = 0;
  let cells = 0;
  spec.tables.forEach((table, t) => {
    if (table.columns.length > limits.MAX_COLUMNS) {
      problems.push({ path: `tables[${t}].columns`, message: `at most ${limits.MAX_COLUMNS} columns (MAX_COLUMNS)` });
    }
    rows += table.rows.length;
    cells += table.rows.length * table.columns.length;
    table.rows.forEach((row, r) => {
      for (const column of table.columns) {
        const value = row[column.key];
        if (typeof value === "string" && value.length > limits.MAX_STRING_LENGTH && problems.length < 20) {
          problems.push({
            path: `tables[${t}].rows[${r}].${column.key}`,
            message: `at most ${limits.MAX_STRING_LENGTH} characters (MAX_STRING_LENGTH)`,
          });
        }
      }
    });
  });
  if (rows > limits.MAX_ROWS) problems.push({ path: "tables", message: `at most ${limits.MAX_ROWS} rows (MAX_ROWS)` });
  if (cells > limits.MAX_CELLS) {
    problems.push({ path: "tables", message: `at most ${limits.MAX_CELLS} cells (MAX_CELLS)` });
  }
  return problems;
}
