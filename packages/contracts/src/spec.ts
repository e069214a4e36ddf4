import { z } from "zod";
import { SPEC_LIMITS } from "./limits";

export const reportFormat = z.enum(["xlsx", "pdf"]);
export type ReportFormat = z.infer<typeof reportFormat>;

export const columnType = z.enum(["string", "number", "integer", "currency", "percent", "date", "datetime", "boolean"]);
export type ColumnType = z.infer<typeof columnType>;

export const column = z.object({
  key: z.string().min(1).max(SPEC_LIMITS.keyLength),
  header: z.string().max(SPEC_LIMITS.headerLength),
  type: columnType.default("string"),
  /** Width in characters (XLSX) or a relative weight (PDF). */
  width: z.number().positive().max(255).optional(),
  /** ISO 4217 code shown with `currency` columns. */
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, "must be a 3-letter ISO 4217 code")
    .optional(),
  /** Digits after the decimal point of `number`, `currency` and `percent` columns (default 2). */
  decimals: z.number().int().min(0).max(10).optional(),
  /** Adds a totals row to the table with this aggregate of the column. */
  totals: z.enum(["sum", "avg", "count", "min", "max"]).optional(),
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

export const cellValue = z.union([z.string().max(SPEC_LIMITS.stringLength), z.number(), z.boolean(), z.null()]);
export type CellValue = z.infer<typeof cellValue>;

export const row = z.record(z.string(), cellValue);
export type Row = z.infer<typeof row>;

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

export const table = z
  .object({
    name: z.string().min(1).max(100),
    columns: z.array(column).min(1).max(SPEC_LIMITS.columnsPerTable),
    rows: z.array(row),
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
    let reported = 0;
    for (let r = 0; r < t.rows.length && reported < 20; r++) {
      const values = t.rows[r] as Row;
      for (const c of t.columns) {
        const problem = cellProblem(c.type, values[c.key]);
        if (problem) {
          ctx.addIssue({
            code: "custom",
            path: ["rows", r, c.key],
            message: `${problem} for ${c.type} column "${c.key}"`,
          });
          reported++;
        }
      }
    }
  });
export type Table = z.infer<typeof table>;
export type TableInput = z.input<typeof table>;

/** Where to POST a report's final status, and the secret to sign it with. */
export const webhookTarget = z.object({
  url: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).max(2048),
  /** Signs each delivery (HMAC-SHA256); without it, the deployment's WEBHOOK_SECRET, if any. */
  secret: z.string().min(16).max(256).optional(),
});
export type WebhookTarget = z.infer<typeof webhookTarget>;

export const pdfOptions = z.object({
  pageSize: z.enum(["A4", "Letter"]).default("A4"),
  /** Left out: portrait, or landscape when a table's columns do not fit a portrait page. */
  orientation: z.enum(["portrait", "landscape"]).optional(),
  /** Lines of a text cell before it is cut with "…" (default 4). */
  maxLines: z.number().int().min(1).max(50).optional(),
});
export type PdfOptions = z.infer<typeof pdfOptions>;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what file names must not hold
const unsafeFileNameChars = /[/\\:*?"<>|\u0000-\u001f]/g;

export const reportSpec = z
  .object({
    format: reportFormat,
    title: z.string().min(1).max(SPEC_LIMITS.titleLength),
    /** Download name without extension; defaults to the title. */
    fileName: z
      .string()
      .min(1)
      .max(200)
      .refine((name) => !name.match(unsafeFileNameChars), 'must not contain / \\ : * ? " < > | or control characters')
      .optional(),
    tables: z.array(table).min(1).max(SPEC_LIMITS.tables),
    pdf: pdfOptions.optional(),
    /** BCP 47 locale of numbers, currencies and dates in the PDF and of currency symbols in XLSX (default en-US). */
    locale: z.string().max(35).refine(isLocale, "must be a BCP 47 locale such as en-US or de-DE").optional(),
    /** IANA time zone in which date-times are shown (default UTC). */
    timeZone: z.string().max(64).refine(isTimeZone, "must be an IANA time zone such as Europe/Warsaw").optional(),
    /** POST the final status (`done` or `error`) here, signed; see the README's webhooks section. */
    webhook: webhookTarget.optional(),
  })
  .superRefine((spec, ctx) => {
    const names = new Set<string>();
    let rows = 0;
    spec.tables.forEach((t, i) => {
      if (names.has(t.name)) {
        ctx.addIssue({ code: "custom", path: ["tables", i, "name"], message: `duplicate table name "${t.name}"` });
      }
      names.add(t.name);
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

/** The name a client downloads, with its extension. */
export function downloadName(spec: Pick<ReportSpec, "title" | "fileName" | "format">): string {
  const base = (spec.fileName ?? spec.title).replace(unsafeFileNameChars, "_").trim() || "report";
  return `${base}.${spec.format}`;
}
