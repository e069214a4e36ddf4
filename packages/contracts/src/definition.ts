import { z } from "zod";
import { row } from "./cells";
import { SPEC_LIMITS } from "./limits";
import { reportFormat, reportSpec, table, webhookTarget } from "./spec";
import { text } from "./text";

/**
 * A report definition holds everything about a report but its rows. Its fields are the report spec's own (taken
 * from `reportSpec`'s shape, so every field the spec gains is a definition's field too), less the per-request ones
 * (`format`, `webhook`, the tables' `rows`), plus the formats it may be made in and a JSON Schema of its parameters.
 */
const { format: _format, webhook: _webhook, tables: _tables, ...specFields } = reportSpec.shape;
const { rows: _rows, ...tableFields } = table.shape;

/** How a definition is named in URLs and `generate` calls: lower case, digits, and `-`, `_` or `.` between them. */
export const definitionName = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/,
    "1 to 64 lower-case letters and digits, with single - _ or . between them, e.g. sales-monthly",
  )
  .describe("The definition's name, unique per owner, e.g. `sales-monthly`");

/** A definition's version number: 1 for the first, one more for each update. */
export const definitionVersionNumber = z.number().int().min(1).max(2_147_483_647);

/** The largest params JSON Schema a definition may hold (its JSON, in characters). */
export const PARAMS_SCHEMA_MAX_CHARS = 16_384;

/** A JSON Schema (draft 2020-12) of the parameters: an object; checked when the definition is saved. */
export const paramsSchema = z
  .record(z.string(), z.unknown())
  .refine((schema) => JSON.stringify(schema).length <= PARAMS_SCHEMA_MAX_CHARS, {
    message: `at most ${PARAMS_SCHEMA_MAX_CHARS} characters of JSON`,
  })
  .describe(
    'A JSON Schema (draft 2020-12) of the `params` a request passes, e.g. `{"type":"object","required":["month"],"properties":{"month":{"type":"string","format":"date"}}}`; placeholders may only name its `properties`',
  );

/** A table of a definition: a table of the spec without its rows. */
export const definitionTable = z.object(tableFields);
export type DefinitionTable = z.infer<typeof definitionTable>;

/** What a definition version holds: a report spec without rows, its formats and the JSON Schema of its params. */
export const reportDefinition = z.object({
  ...specFields,
  formats: z
    .array(reportFormat)
    .min(1)
    .max(reportFormat.options.length)
    .refine((formats) => new Set(formats).size === formats.length, { message: "each format at most once" })
    .describe("The formats it can be made in; a request picks one with `format` (default: the first)"),
  tables: z
    .array(definitionTable)
    .min(1)
    .max(SPEC_LIMITS.tables)
    .describe("The tables, without rows: a request sends the rows of each by name"),
  params: paramsSchema
    .optional()
    .describe(
      "A JSON Schema (draft 2020-12) of the `params` a request passes; placeholders may only name its `properties`",
    ),
});
export type ReportDefinition = z.infer<typeof reportDefinition>;
export type ReportDefinitionInput = z.input<typeof reportDefinition>;

/** `POST /definitions`: a new definition, as its version 1 (a draft until published). */
export const createDefinitionInput = reportDefinition.extend({
  name: definitionName.describe("The definition's name, unique per owner, e.g. `sales-monthly`"),
});
export type CreateDefinitionInput = z.input<typeof createDefinitionInput>;

/** `POST /definitions/{name}/publish`. */
export const publishDefinitionInput = z.object({
  version: definitionVersionNumber.describe("The version requests without `version` use from now on"),
});

export const definitionVersion = z.object({
  version: definitionVersionNumber.describe("1 for the first, one more for each update"),
  createdAt: z.string().describe("When it was saved (ISO 8601, UTC)"),
  definition: reportDefinition.describe("What this version holds; never changes"),
});
export type DefinitionVersion = z.infer<typeof definitionVersion>;

/** A definition as `GET /definitions` lists it. */
export const definitionSummary = z.object({
  name: definitionName,
  publishedVersion: definitionVersionNumber
    .nullable()
    .describe("The version requests without `version` use; null until one is published"),
  latestVersion: definitionVersionNumber.describe("The newest version"),
  createdAt: z.string().describe("When version 1 was saved (ISO 8601, UTC)"),
  updatedAt: z.string().describe("When a version was last saved or published (ISO 8601, UTC)"),
});
export type DefinitionSummary = z.infer<typeof definitionSummary>;

/** A definition with every version, newest first. */
export const definitionDetail = definitionSummary.extend({
  versions: z.array(definitionVersion).describe("Every version, newest first"),
});
export type DefinitionDetail = z.infer<typeof definitionDetail>;

/** The definition and version a request was made from. */
export const definitionRef = z.object({
  name: definitionName,
  version: definitionVersionNumber.describe("The version the report was made from"),
});
export type DefinitionRef = z.infer<typeof definitionRef>;

/** The rows of one table of a definition, by the table's name. */
export const definitionRows = z.object({
  name: text().min(1).max(100).describe("The name of a table of the definition"),
  rows: z.array(row).describe("The rows, each an object of column keys to values"),
});

/** `POST /generate` and `POST /render` from a definition: its name, the parameters and the rows. */
export const generateFromDefinition = z.object({
  definition: definitionName.describe("The name of the definition to make the report from"),
  version: definitionVersionNumber
    .optional()
    .describe("A version of the definition (a draft too); default: the published version"),
  format: reportFormat.optional().describe("One of the definition's `formats` (default: its first)"),
  params: z
    .record(z.string(), z.unknown())
    .default({})
    .describe("Parameters, checked against the definition's `params` schema; placeholders insert them"),
  tables: z
    .array(definitionRows)
    .max(SPEC_LIMITS.tables)
    .default([])
    .describe("The rows of the definition's tables, by name; a table left out has no rows"),
  webhook: webhookTarget
    .optional()
    .describe("POST the final status (`done` or `error`) here, signed; see the README's webhooks section"),
});
export type GenerateFromDefinition = z.infer<typeof generateFromDefinition>;
export type GenerateFromDefinitionInput = z.input<typeof generateFromDefinition>;

/** Whether a `generate` body names a definition rather than carrying a whole spec. */
export const namesDefinition = (body: unknown): boolean =>
  typeof body === "object" && body !== null && !Array.isArray(body) && Object.hasOwn(body, "definition");
