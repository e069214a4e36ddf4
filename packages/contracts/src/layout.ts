import { z } from "zod";
import type { ColumnType } from "./cells";
import { text } from "./text";

/** Ceilings of the layout layer: small, so a spec stays a description and never a program. */
export const LAYOUT_LIMITS = {
  /** Conditional styles per column. */
  stylesPerColumn: 5,
  /** Characters of each header or footer part (left, center, right). */
  templateLength: 200,
  /** Columns a table may be grouped by. */
  groupBy: 3,
  /** Keys a table may be sorted by. */
  sortKeys: 5,
} as const;

/** A colour as `#RRGGBB`. */
export const hexColor = z
  .string()
  .regex(/^#[0-9A-Fa-f]{6}$/, "must be a colour as #RRGGBB")
  .describe("A colour as #RRGGBB, e.g. #C00000");

/** The placeholders a header or footer may hold; any other `{{…}}` is printed as it is. */
export const PAGE_PLACEHOLDERS = ["page", "pages", "generatedAt"] as const;

const template = text()
  .max(LAYOUT_LIMITS.templateLength)
  .describe("Text with the placeholders {{page}}, {{pages}} and {{generatedAt}}; any other {{…}} is printed as it is");

/** Three parts of a header or footer line, each optional. */
export const pageBand = z
  .object({
    left: template.optional(),
    center: template.optional(),
    right: template.optional(),
  })
  .describe(
    "Text at the left, center and right of every page; {{page}}, {{pages}} and {{generatedAt}} are replaced (in XLSX by the page codes &P and &N)",
  );
export type PageBand = z.infer<typeof pageBand>;

/** The logo's bytes are not in the spec: they are read from storage under `key` by the worker. */
export const logoRef = z
  .object({
    key: text()
      .min(1)
      .max(1024)
      .describe("Object storage key of the image (PNG or JPEG, at most 512 KiB), read when the report is rendered"),
    contentType: z.enum(["image/png", "image/jpeg"]).describe("The image's type; its first bytes must match"),
  })
  .describe("A logo: at the top of the PDF's first page, above the table on each XLSX sheet");
export type LogoRef = z.infer<typeof logoRef>;

export const reportLayout = z
  .object({
    logo: logoRef.optional(),
    header: pageBand.optional(),
    footer: pageBand.optional(),
    accentColor: hexColor
      .optional()
      .describe("Fill of the table's header row and colour of the title and headings, as #RRGGBB"),
  })
  .describe("Branding: logo, page header and footer, accent colour");
export type ReportLayout = z.infer<typeof reportLayout>;

export const comparison = z.enum(["<", "<=", ">", ">=", "=", "!="]);
export type Comparison = z.infer<typeof comparison>;

/** One conditional style of a column: when its cell compares true with `value`, the cell takes the style. */
export const conditionalStyle = z
  .object({
    when: z
      .object({
        op: comparison.describe("How the cell compares with `value`; text columns take only = and !="),
        value: z
          .union([z.number(), z.string().max(256)])
          .describe(
            "A number for numeric columns (a fraction for percent), YYYY-MM-DD for date columns, text for string columns (compared ignoring case, as Excel does)",
          ),
      })
      .describe("The condition on the cell's value; an empty cell never matches"),
    color: hexColor.optional().describe("Text colour, as #RRGGBB"),
    background: hexColor.optional().describe("Cell fill, as #RRGGBB"),
    bold: z.boolean().optional().describe("Bold text"),
  })
  .refine((s) => s.color !== undefined || s.background !== undefined || s.bold !== undefined, {
    message: "a style sets at least one of color, background, bold",
  })
  .describe("In XLSX a real conditional format (cellIs), in PDF applied as the cell is painted; the first match wins");
export type ConditionalStyle = z.infer<typeof conditionalStyle>;

const NUMERIC: readonly ColumnType[] = ["number", "integer", "currency", "percent"];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Why `style` cannot apply to a column of `type`, or null when it can. */
export function styleProblem(type: ColumnType, style: ConditionalStyle): string | null {
  const { op, value } = style.when;
  if (NUMERIC.includes(type)) return typeof value === "number" ? null : `a ${type} column compares with a number`;
  if (type === "date") {
    return typeof value === "string" && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))
      ? null
      : "a date column compares with a date as YYYY-MM-DD";
  }
  if (type === "string") {
    if (typeof value !== "string") return "a string column compares with text";
    return op === "=" || op === "!=" ? null : "a string column takes only = and !=";
  }
  return `conditional styles apply to string, numeric and date columns, not ${type}`;
}

export const sortKey = z.object({
  key: text().min(1).describe("A column key"),
  direction: z.enum(["asc", "desc"]).optional().describe("Default asc"),
});
export type SortKey = z.infer<typeof sortKey>;

/** A table's grouping and order, checked against its columns by the table's schema. */
export const tableOrder = {
  groupBy: z
    .array(text().min(1))
    .min(1)
    .max(LAYOUT_LIMITS.groupBy)
    .optional()
    .describe(
      "Column keys (1 to 3) to group rows by, outermost first: each group gets a heading (PDF) and a subtotal row with the columns' `totals` aggregate; in XLSX collapsible outline levels with live SUBTOTAL formulas",
    ),
  sort: z
    .array(sortKey)
    .min(1)
    .max(LAYOUT_LIMITS.sortKeys)
    .optional()
    .describe(
      "Order of the rows (stable; empty cells last). With groupBy, rows are ordered by the groupBy keys first (in the direction given here, if listed), then by these. Without sort and presorted, grouped rows are sorted by the groupBy keys ascending",
    ),
  presorted: z
    .literal(true)
    .optional()
    .describe(
      "The rows already come grouped (equal groupBy values next to each other): no sort, so grouping streams in bounded memory, which a table of a million rows needs. A value that comes back later starts a new group",
    ),
};
