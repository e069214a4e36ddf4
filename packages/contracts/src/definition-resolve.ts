import type { GenerateFromDefinition, ReportDefinition } from "./definition";
import { compileParamsSchema, declaresParam } from "./params-schema";
import { type ReportFormat, type ReportSpec, reportSpec } from "./spec";
import { fillTemplate, templateProblems } from "./template";

/** A problem at a path of the definition or of the request, as zod reports them. */
export interface DefinitionIssue {
  path: Array<string | number>;
  message: string;
}

/** Where a definition's texts with placeholders are: whether page placeholders may appear there. */
const TEMPLATED: ReadonlyArray<{ path: readonly string[]; pages: boolean }> = [
  { path: ["title"], pages: false },
  { path: ["subtitle"], pages: false },
  { path: ["fileName"], pages: false },
  { path: ["layout", "header"], pages: true },
  { path: ["layout", "footer"], pages: true },
];

/**
 * Each text of `definition` that may hold placeholders, with its path: a templated field that is a string, or
 * each string of a templated object (a header's `left`, `center`, `right`). Fields the spec does not have are
 * simply absent.
 */
function templatedTexts(definition: object): Array<{ path: string[]; text: string; pages: boolean }> {
  const found: Array<{ path: string[]; text: string; pages: boolean }> = [];
  for (const { path, pages } of TEMPLATED) {
    let value: unknown = definition;
    for (const key of path) value = isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
    if (typeof value === "string") found.push({ path: [...path], text: value, pages });
    else if (isObject(value)) {
      for (const [key, inner] of Object.entries(value)) {
        if (typeof inner === "string") found.push({ path: [...path, key], text: inner, pages });
      }
    }
  }
  return found;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The report spec of `definition` in `format`: its fields, the tables with `rows`, no definition-only fields. */
function specOf(
  definition: ReportDefinition,
  format: ReportFormat,
  rowsOf: (table: number) => unknown[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const { formats: _formats, params: _params, tables, ...fields } = definition;
  return { ...fields, ...extra, format, tables: tables.map((t, i) => ({ ...t, rows: rowsOf(i) })) };
}

/** `value` with the string at `path` replaced (copies along the path only). */
function withText(value: Record<string, unknown>, path: readonly string[], text: string): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const inner = value[head];
  return { ...value, [head]: rest.length === 0 ? text : withText(isObject(inner) ? inner : {}, rest, text) };
}

/** Issues, each path and message once (a problem of both formats is one problem). */
function unique(issues: DefinitionIssue[]): DefinitionIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = JSON.stringify([issue.path, issue.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Why a definition cannot be saved, or an empty list when it can: its params schema must compile, its
 * placeholders must be known (a `{{params.x}}` names a property of the params schema), and it must be a valid
 * report spec in each of its formats once given rows (so every rule of the spec, e.g. Excel's sheet names or
 * which columns may have totals, holds at save time rather than at the first request).
 *
 * @example
 * definitionProblems(reportDefinition.parse({ formats: ["pdf"], title: "Sales {{params.month}}", tables, params: { type: "object" } }));
 * // [{ path: ["title"], message: '"{{params.month}}": params.month is not a property of the definition\'s params schema' }]
 */
export function definitionProblems(definition: ReportDefinition): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  if (definition.params) {
    const compiled = compileParamsSchema(definition.params);
    if ("problem" in compiled) issues.push({ path: ["params"], message: compiled.problem });
  }
  for (const { path, text, pages } of templatedTexts(definition)) {
    for (const message of templateProblems(text, { pages, knownParam: (p) => declaresParam(definition.params, p) })) {
      issues.push({ path, message });
    }
  }
  for (const format of definition.formats) {
    const checked = reportSpec.safeParse(specOf(definition, format, () => []));
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        issues.push({ path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)), message: issue.message });
      }
    }
  }
  return unique(issues);
}

/** A request made from a definition: everything but the definition's name and version. */
export type DefinitionRequest = Omit<GenerateFromDefinition, "definition" | "version">;

/**
 * A definition version and a request's parameters and rows, as the report spec the worker renders (validated,
 * defaults applied), or the request's problems with paths of the request (`params.month`, `tables[0].rows[3].amount`).
 * Pure: nothing is read or written.
 *
 * @example
 * const resolved = resolveDefinition(definition, { params: { month: "2026-11" }, tables: [{ name: "Orders", rows }] });
 * if ("spec" in resolved) await deps.repo.create(resolved.spec, { definition: { name, version } });
 */
export function resolveDefinition(
  definition: ReportDefinition,
  request: DefinitionRequest,
): { spec: ReportSpec } | { issues: DefinitionIssue[] } {
  const issues: DefinitionIssue[] = [];
  const format = request.format ?? definition.formats[0] ?? "xlsx";
  if (!definition.formats.includes(format)) {
    issues.push({ path: ["format"], message: `this definition is made as ${definition.formats.join(" or ")}` });
  }
  if (definition.params) {
    const compiled = compileParamsSchema(definition.params);
    if ("problem" in compiled) throw new Error(`stored params schema does not compile: ${compiled.problem}`);
    for (const issue of compiled.validate(request.params)) {
      issues.push({ path: ["params", ...issue.path], message: issue.message });
    }
  }
  // the request's index of each definition table's rows
  const requestIndex = new Map<number, number>();
  request.tables.forEach((t, i) => {
    const table = definition.tables.findIndex((d) => d.name === t.name);
    if (table < 0) {
      const names = definition.tables.map((d) => JSON.stringify(d.name)).join(", ");
      issues.push({
        path: ["tables", i, "name"],
        message: `the definition has no table "${t.name}" (it has ${names})`,
      });
    } else if (requestIndex.has(table)) {
      issues.push({ path: ["tables", i, "name"], message: `the rows of "${t.name}" were already given` });
    } else requestIndex.set(table, i);
  });
  let spec = specOf(
    definition,
    format,
    (table) => {
      const i = requestIndex.get(table);
      return i === undefined ? [] : (request.tables[i]?.rows ?? []);
    },
    request.webhook ? { webhook: request.webhook } : {},
  );
  for (const { path, text } of templatedTexts(definition)) {
    const filled = fillTemplate(text, request.params);
    if ("problem" in filled) issues.push({ path: ["params"], message: filled.problem });
    else spec = withText(spec, path, filled.text);
  }
  if (issues.length > 0) return { issues: unique(issues) };
  const checked = reportSpec.safeParse(spec);
  if (checked.success) return { spec: checked.data };
  return {
    issues: unique(
      checked.error.issues.map((issue) => {
        const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
        // a row's problem is at the request's table; anything else (a title too long once filled in) is the spec's
        const [first, table, third, ...rest] = path;
        const i = first === "tables" && typeof table === "number" ? requestIndex.get(table) : undefined;
        return {
          path: i !== undefined && third === "rows" ? ["tables", i, "rows", ...rest] : path,
          message: issue.message,
        };
      }),
    ),
  };
}
