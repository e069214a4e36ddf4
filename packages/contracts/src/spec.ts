import { z } from "zod";
import { type ColumnType, columnType, type Row, row, rowProblems, rowRules } from "./cells";
import { conditionalStyle, LAYOUT_LIMITS, reportLayout, styleProblem, tableOrder } from "./layout";
import { SPEC_LIMITS } from "./limits";
import { safeText, text } from "./text";

export const reportFormat = z.enum(["xlsx", "pdf"]);
export type ReportFormat = z.infer<typeof reportFormat>;

const SHEET_NAME_LENGTH = 31;
/**
 * Excel's rules for a sheet name, which the table names of an XLSX report follow: a name Excel cannot take is
 * refused rather than rewritten, so the sheet a client names is the sheet its users find (and formulas point to).
 */
export const SHEET_NAME_RULE =
  "a table name is a sheet name: 1 to 31 characters, none of [ ] : * ? / \\ or control characters, no ' at either end, not History";
// biome-ignore lint/suspicious/noControlCharactersInRegex: Excel refuses control characters in sheet names too
const SHEET_NAME_FORBIDDEN = /[[\]:*?/\\\u0000-\u001f]/;

/** Why Excel cannot name a sheet `name`, or null when it can (uniqueness ignoring case is the spec's check). */
export function sheetNameProblem(name: string): string | null {
  const forbidden = SHEET_NAME_FORBIDDEN.exec(name);
  if (forbidden) return `${JSON.stringify(forbidden[0])} is not allowed: ${SHEET_NAME_RULE}`;
  if (name.length > SHEET_NAME_LENGTH) return `at most ${SHEET_NAME_LENGTH} characters: ${SHEET_NAME_RULE}`;
  if (name.startsWith("'") || name.endsWith("'"))
    return `an apostrophe at either end is not allowed: ${SHEET_NAME_RULE}`;
  if (name.toLowerCase() === "history") return `Excel reserves "History": ${SHEET_NAME_RULE}`;
  return null;
}

const timeZoneName = z.string().max(64).refine(isTimeZone, "must be an IANA time zone such as Europe/Warsaw or UTC");

export const column = z
  .object({
    /** The key of this column's values in each row. */
    key: text().min(1).max(SPEC_LIMITS.keyLength).describe("The key of this column's values in each row"),
    /** The column's heading. */
    header: text().max(SPEC_LIMITS.headerLength).describe("The column's heading"),
    /** How values are checked and shown (default string). */
    type: columnType.default("string").describe("How values are checked and shown (default string)"),
    /** Width in characters (XLSX) or a relative weight (PDF); without it, the width follows the header and the values. */
    width: z
      .number()
      .positive()
      .max(255)
      .optional()
      .describe(
        "Width in characters (in a PDF, numbers and dates still get the room they need, and spare room is shared out); without it, the width follows the header and the values",
      ),
    /** ISO 4217 code shown with `currency` columns, e.g. EUR. */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, "must be a 3-letter ISO 4217 code")
      .optional()
      .describe("ISO 4217 code shown with `currency` columns, e.g. EUR"),
    /** Digits after the decimal point of `number`, `currency` and `percent` columns. Default: `number` shows each value as given (3.14159, 0.0000001), `currency` the currency's usual digits (2, JPY 0), `percent` 2. */
    decimals: z
      .number()
      .int()
      .min(0)
      .max(10)
      .optional()
      .describe(
        "Digits after the decimal point of `number`, `currency` and `percent` columns. Default: `number` shows each value as given (3.14159, 0.0000001), `currency` the currency's usual digits (2, JPY 0), `percent` 2",
      ),
    /** Adds a totals row to the table with this aggregate of the column (sum and avg of numeric columns, min and max also of dates, count of any); in XLSX a live SUBTOTAL that follows the filter. */
    totals: z
      .enum(["sum", "avg", "count", "min", "max"])
      .optional()
      .describe(
        "Adds a totals row to the table with this aggregate of the column (sum and avg of numeric columns, min and max also of dates, count of any); in XLSX a live SUBTOTAL that follows the filter",
      ),
    /** IANA time zone in which this `datetime` column's values are written and shown, with the zone's name (default: the spec's `timeZone`). */
    timeZone: timeZoneName
      .optional()
      .describe(
        "IANA time zone in which this `datetime` column's values are written and shown, with the zone's name (default: the spec's `timeZone`)",
      ),
    /** Alignment of the column's cells (default: numbers right, everything else left). */
    align: z
      .enum(["left", "center", "right"])
      .optional()
      .describe("Alignment of the column's cells and heading (default: numbers right, everything else left)"),
    /** Conditional styles, the first that matches wins. */
    styles: z
      .array(conditionalStyle)
      .min(1)
      .max(LAYOUT_LIMITS.stylesPerColumn)
      .optional()
      .describe(
        `Conditional styles of the column's cells (at most ${LAYOUT_LIMITS.stylesPerColumn}; the first that matches wins), e.g. [{ "when": { "op": "<", "value": 0 }, "color": "#C00000" }]`,
      ),
  })
  .superRefine((c, ctx) => {
    if (c.timeZone !== undefined && c.type !== "datetime") {
      ctx.addIssue({ code: "custom", path: ["timeZone"], message: "a time zone applies to datetime columns only" });
    }
    c.styles?.forEach((style, i) => {
      const problem = styleProblem(c.type, style);
      if (problem) ctx.addIssue({ code: "custom", path: ["styles", i, "when", "value"], message: problem });
    });
  });
export type Column = z.infer<typeof column>;
export type ColumnInput = z.input<typeof column>;
export type ColumnTotal = NonNullable<Column["totals"]>;

const numericTypes: readonly ColumnType[] = ["number", "integer", "currency", "percent"];

/** Why a column cannot have `totals` of its kind, or null when it can. */
export function totalsProblem(type: ColumnType, totals: ColumnTotal | undefined): string | null {
  if (totals === undefined || totals === "count") return null;
  if (numericTypes.includes(type)) return null;
  if ((totals === "min" || totals === "max") && (type === "date" || type === "datetime")) return null;
  return `"${totals}" totals need a numeric column${totals === "min" || totals === "max" ? " or a date" : ""}`;
}

/** Problems reported per table: a million rows with the same typo need one line, not a million. */
const MAX_ROW_PROBLEMS = 20;

export const table = z
  .object({
    /** The sheet's name in XLSX (1 to 31 characters, none of [ ] : * ? / \, unique ignoring case), the section's heading in PDF. */
    name: text()
      .min(1)
      .max(100)
      .describe(
        `The sheet's name in XLSX, the section's heading in PDF; unique. In an XLSX report ${SHEET_NAME_RULE}, unique ignoring case`,
      ),
    columns: z
      .array(column)
      .min(1)
      .max(SPEC_LIMITS.columnsPerTable)
      .describe("The columns, in the order they are shown; their keys are unique within the table"),
    /** The rows, each an object of column keys to values; a key that names no column is refused. */
    rows: z
      .array(row)
      .describe("The rows, each an object of column keys to values; a key that names no column is refused"),
    ...tableOrder,
  })
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.columns.forEach((c, i) => {
      if (seen.has(c.key)) {
        ctx.addIssue({ code: "custom", path: ["columns", i, "key"], message: `duplicate column key "${c.key}"` });
      }
      seen.add(c.key);
      const totals = totalsProblem(c.type, c.totals);
      if (totals) ctx.addIssue({ code: "custom", path: ["columns", i, "totals"], message: totals });
    });
    orderProblems(t, seen, ctx);
    const rules = rowRules(t.columns);
    let reported = 0;
    for (let r = 0; r < t.rows.length && reported < MAX_ROW_PROBLEMS; r++) {
      for (const { key, message } of rowProblems(rules, t.rows[r] as Row, MAX_ROW_PROBLEMS - reported)) {
        ctx.addIssue({ code: "custom", path: ["rows", r, key], message });
        reported++;
      }
    }
  });
export type Table = z.infer<typeof table>;

/** groupBy and sort name columns, once each; presorted goes with groupBy and without sort. */
function orderProblems(
  t: { groupBy?: string[] | undefined; sort?: Array<{ key: string }> | undefined; presorted?: true | undefined },
  keys: ReadonlySet<string>,
  ctx: z.RefinementCtx,
): void {
  const check = (list: string[], field: string) => {
    const named = new Set<string>();
    list.forEach((key, i) => {
      const path = field === "sort" ? [field, i, "key"] : [field, i];
      if (!keys.has(key)) ctx.addIssue({ code: "custom", path, message: `no column ${JSON.stringify(key)}` });
      else if (named.has(key)) ctx.addIssue({ code: "custom", path, message: `${JSON.stringify(key)} is named twice` });
      named.add(key);
    });
  };
  if (t.groupBy) check(t.groupBy, "groupBy");
  if (t.sort)
    check(
      t.sort.map((s) => s.key),
      "sort",
    );
  if (t.presorted && !t.groupBy) {
    ctx.addIssue({ code: "custom", path: ["presorted"], message: "presorted applies to a table with groupBy" });
  }
  if (t.presorted && t.sort) {
    ctx.addIssue({
      code: "custom",
      path: ["presorted"],
      message: "presorted rows are not sorted again: leave out sort",
    });
  }
}
export type TableInput = z.input<typeof table>;

/** Where to POST a report's final status, and the secret to sign it with. */
export const webhookTarget = z.object({
  /** Where the final status is POSTed. */
  url: safeText(z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).max(2048)).describe(
    "Where the final status is POSTed",
  ),
  /** Signs each delivery (HMAC-SHA256); without it, the deployment's WEBHOOK_SECRET, if any. */
  secret: text()
    .min(16)
    .max(256)
    .optional()
    .describe("Signs each delivery (HMAC-SHA256); without it, the deployment's WEBHOOK_SECRET, if any"),
});
export type WebhookTarget = z.infer<typeof webhookTarget>;

export const pdfOptions = z.object({
  /** Default A4. */
  pageSize: z.enum(["A4", "Letter"]).default("A4").describe("Default A4"),
  /** Left out: portrait, or landscape when a table's columns do not fit a portrait page. */
  orientation: z
    .enum(["portrait", "landscape"])
    .optional()
    .describe("Left out: portrait, or landscape when a table's columns do not fit a portrait page"),
  /** Lines of a text cell before it is cut with "…" (default 4). */
  maxLines: z
    .number()
    .int()
    .min(1)
    .max(50)
    .optional()
    .describe('Lines of a PDF text cell before it is cut with "…" (default 4)'),
});
export type PdfOptions = z.infer<typeof pdfOptions>;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what file names must not hold
const unsafeFileNameChars = /[/\\:*?"<>|\u0000-\u001f]/g;

export const reportSpec = z
  .object({
    /** The file to make. */
    format: reportFormat.describe("The file to make"),
    /** Shown on top of the PDF and in the XLSX's properties; the default file name. */
    title: text()
      .min(1)
      .max(SPEC_LIMITS.titleLength)
      .describe("Shown on top of the PDF and in the XLSX's properties; the default file name"),
    /** Download name without extension (default: the title). */
    fileName: text()
      .min(1)
      .max(200)
      .refine((name) => !name.match(unsafeFileNameChars), 'must not contain / \\ : * ? " < > | or control characters')
      .optional()
      .describe("Download name without extension (default: the title)"),
    /** One or more: a sheet each in XLSX, a section each in PDF. */
    tables: z
      .array(table)
      .min(1)
      .max(SPEC_LIMITS.tables)
      .describe("One or more: a sheet each in XLSX, a section each in PDF"),
    /** Page size and orientation of a PDF. */
    pdf: pdfOptions.optional().describe("Page size and orientation of a PDF"),
    /** BCP 47 locale of numbers, currencies and dates in the PDF and of currency symbols in XLSX (default en-US, with dates as ISO 8601). */
    locale: z
      .string()
      .max(35)
      .refine(isLocale, "must be a BCP 47 locale such as en-US or de-DE")
      .optional()
      .describe(
        "BCP 47 locale of numbers, currencies and dates in the PDF and of currency symbols in XLSX (default en-US, with dates as ISO 8601)",
      ),
    /** IANA time zone in which `datetime` values are written (XLSX) and shown (PDF), with the zone's name, e.g. Europe/Warsaw (default UTC); a column's `timeZone` overrides it. */
    timeZone: timeZoneName
      .optional()
      .describe(
        "IANA time zone in which `datetime` values are written (XLSX) and shown (PDF), with the zone's name, e.g. Europe/Warsaw (default UTC); a column's `timeZone` overrides it",
      ),
    /** Logo, page header and footer, accent colour. */
    layout: reportLayout.optional(),
    /** POST the final status (`done` or `error`) here, signed; see the README's webhooks section. */
    webhook: webhookTarget
      .optional()
      .describe("POST the final status (`done` or `error`) here, signed; see the README's webhooks section"),
  })
  .superRefine((spec, ctx) => {
    const names = new Set<string>();
    let rows = 0;
    const sheets = spec.format === "xlsx";
    spec.tables.forEach((t, i) => {
      const path = ["tables", i, "name"];
      const sheetProblem = sheets ? sheetNameProblem(t.name) : null;
      if (sheetProblem) ctx.addIssue({ code: "custom", path, message: sheetProblem });
      // Excel compares sheet names ignoring case
      const name = sheets ? t.name.toLowerCase() : t.name;
      if (names.has(name)) {
        const why = sheets ? " (sheet names are compared ignoring case, as Excel does)" : "";
        ctx.addIssue({ code: "custom", path, message: `duplicate table name "${t.name}"${why}` });
      }
      names.add(name);
      rows += t.rows.length;
    });
    if (rows > SPEC_LIMITS.rowsPerReport) {
      ctx.addIssue({
        code: "custom",
        path: ["tables"],
        message: `a report holds at most ${SPEC_LIMITS.rowsPerReport} rows (got ${rows})`,
      });
    }
  });
function isLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A validated report spec, defaults applied. */
export type ReportSpec = z.infer<typeof reportSpec>;
/** What a client sends: optional fields may be left out. */
export type ReportSpecInput = z.input<typeof reportSpec>;

/** Total rows over every table. */
export function rowCount(spec: Pick<ReportSpec, "tables">): number {
  return spec.tables.reduce((n, t) => n + t.rows.length, 0);
}

/**
 * Bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069): in a
 * file name they make `invoice\u202egpj.exe` read as `invoiceexe.jpg`. Dropped from download names.
 */
const bidiControls = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The name a client downloads, with its extension, without bidi controls. */
export function downloadName(spec: Pick<ReportSpec, "title" | "fileName" | "format">): string {
  const base =
    (spec.fileName ?? spec.title).replace(bidiControls, "").replace(unsafeFileNameChars, "_").trim() || "report";
  return `${base}.${spec.format}`;
}
