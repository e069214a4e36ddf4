import { z } from "zod";
import { SPEC_LIMITS } from "./limits";
import { textProblem } from "./text";

export const columnType = z.enum(["string", "number", "integer", "currency", "percent", "date", "datetime", "boolean"]);
export type ColumnType = z.infer<typeof columnType>;

export const cellValue = z.union([z.string().max(SPEC_LIMITS.stringLength), z.number(), z.boolean(), z.null()]);
export type CellValue = z.infer<typeof cellValue>;
export type Row = Record<string, CellValue>;

const rowShape = z.record(z.string(), cellValue);
const { $schema: _dialect, ...rowJsonSchema } = z.toJSONSchema(rowShape, { io: "input" });

/**
 * A row: a JSON object of column keys to cell values, checked against its table's columns by `rowProblems`.
 * Not a `z.record`: that copies each row and drops a `__proto__` key, and a column may be called `__proto__`.
 * The row stays the object the client sent (own properties only are read: see `cellOf`).
 */
export const row = z
  .custom<Row>(isRowObject, { message: "a row is a JSON object of column keys to values" })
  .meta({ ...rowJsonSchema, description: "Cell values keyed by column key; a missing key or null is an empty cell" });

function isRowObject(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * The value of a row's cell: the row's own property only, so a column named `constructor` or `toString` reads
 * the row's value and never `Object.prototype`'s. Every reader of a cell goes through this.
 *
 * @example
 * cellOf({}, "constructor"); // undefined
 */
export function cellOf(row: Readonly<Record<string, unknown>>, key: string): CellValue | undefined {
  return Object.hasOwn(row, key) ? (row[key] as CellValue) : undefined;
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
// built once: a schema per cell costs more than the check
const isoDateTime = z.iso.datetime({ offset: true });

/** Why `value` does not fit a column of `type`, or null when it does. Empty cells are null or absent. */
export function cellProblem(type: ColumnType, value: CellValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "string":
      return null;
    case "number":
    case "currency":
    case "percent":
      return typeof value === "number" && Number.isFinite(value) ? null : `expected a finite number`;
    case "integer":
      return Number.isSafeInteger(value) ? null : `expected an integer`;
    case "boolean":
      return typeof value === "boolean" ? null : `expected a boolean`;
    case "date":
      return typeof value === "string" && isoDate.test(value) && !Number.isNaN(Date.parse(value))
        ? null
        : `expected a date as YYYY-MM-DD`;
    case "datetime":
      return typeof value === "string" && isoDateTime.safeParse(value).success
        ? null
        : `expected an ISO 8601 date-time with a time zone`;
  }
}

/** A problem with one key of a row: `key` is the column key or the unknown key. */
export interface RowProblem {
  key: string;
  message: string;
}

/** The columns of a table as `rowProblems` checks rows against them; build it once per table. */
export interface RowRules {
  columns: ReadonlyArray<{ key: string; type: ColumnType }>;
  keys: ReadonlySet<string>;
  maxStringLength: number;
  /** Named in the message of a string over `maxStringLength`, e.g. the deployment's setting. */
  maxStringName: string | undefined;
}

export function rowRules(
  columns: ReadonlyArray<{ key: string; type: ColumnType }>,
  maxString: { length: number; name?: string } = { length: SPEC_LIMITS.stringLength },
): RowRules {
  return {
    columns,
    keys: new Set(columns.map((c) => c.key)),
    maxStringLength: maxString.length,
    maxStringName: maxString.name,
  };
}

/**
 * Everything wrong with one row against its table's columns, at most `max` problems: a key that names no column
 * (a typo is never taken for an empty cell), a value that is not a string, number, boolean or null, text that
 * cannot be stored, and a value that does not fit its column's type. The JSON body and each JSON Lines row
 * are checked by this one function.
 *
 * @example
 * rowProblems(rowRules([{ key: "d", type: "date" }]), { dd: "2026-01-01" }); // [{ key: "dd", message: 'no column "dd"' }]
 */
export function rowProblems(rules: RowRules, row: Readonly<Record<string, unknown>>, max = 20): RowProblem[] {
  const problems: RowProblem[] = [];
  for (const key of Object.keys(row)) {
    if (problems.length >= max) return problems;
    if (!rules.keys.has(key)) problems.push({ key, message: `no column ${JSON.stringify(key)}${keyTextProblem(key)}` });
  }
  for (const column of rules.columns) {
    if (problems.length >= max) return problems;
    const value = cellOf(row, column.key) as unknown;
    const problem = valueProblem(value, rules) ?? cellProblem(column.type, value as CellValue);
    if (problem) problems.push({ key: column.key, message: `${problem} for ${column.type} column "${column.key}"` });
  }
  return problems;
}

function keyTextProblem(key: string): string {
  const problem = textProblem(key);
  return problem ? ` (the key ${problem})` : "";
}

function valueProblem(value: unknown, rules: RowRules): string | null {
  if (value === undefined || value === null || typeof value === "number" || typeof value === "boolean") return null;
  if (typeof value !== "string") return "expected a string, number, boolean or null";
  if (value.length > rules.maxStringLength) {
    return `at most ${rules.maxStringLength} characters${rules.maxStringName ? ` (${rules.maxStringName})` : ""}`;
  }
  return textProblem(value);
}
