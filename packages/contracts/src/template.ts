/**
 * The placeholder syntax of report definitions' texts (title, subtitle, file name, page header and footer).
 *
 * A placeholder is `{{ expression }}` (spaces inside the braces are optional), and there are only two kinds of
 * expression:
 * - `params.name` or `params.name.inner`: the request's parameter at that path (a dotted path of identifiers,
 *   `[A-Za-z_][A-Za-z0-9_]*`); a string is inserted as it is, a number or boolean as JSON writes it, a missing or
 *   null one as nothing; an object or array is refused.
 * - `page`, `pages`, `generatedAt`: the page number, the page count and the time of rendering, in page headers and
 *   footers only; the renderer fills them in, so they pass through untouched.
 *
 * Nothing is evaluated: no operators, calls, filters or loops. Filling in is one pass, so a parameter's value that
 * looks like a placeholder stays text. A `{{ … }}` that is neither kind is refused when the definition is saved.
 */

/** `{{ expression }}`, spaces allowed around the expression. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PARAM_PATH = /^params((?:\.[A-Za-z_][A-Za-z0-9_]*)+)$/;

/** Placeholders the renderer fills in, in page headers and footers only (the layout's own). */
const pagePlaceholders: ReadonlySet<string> = new Set(["page", "pages", "generatedAt"]);

/** The parameter path of a `params.…` expression (`["month"]` for `params.month`), or null for anything else. */
function paramPath(expression: string): string[] | null {
  const match = PARAM_PATH.exec(expression);
  return match?.[1] ? match[1].slice(1).split(".") : null;
}

/** The parameter paths a template names, e.g. `[["month"]]` for `"Sales {{params.month}}"`. */
export function templateParams(template: string): string[][] {
  return [...template.matchAll(PLACEHOLDER)].flatMap((m) => {
    const path = paramPath(m[1] ?? "");
    return path ? [path] : [];
  });
}

/**
 * Why a template cannot be saved, one line per placeholder, or an empty list when it can.
 *
 * @example
 * templateProblems("Sales {{params.month}} {{ page }}", { pages: false, knownParam: (p) => p[0] === "month" });
 * // ['"{{ page }}": page placeholders belong in page headers and footers']
 */
export function templateProblems(
  template: string,
  options: { pages: boolean; knownParam: (path: string[]) => boolean },
): string[] {
  const problems: string[] = [];
  for (const [placeholder, expression = ""] of template.matchAll(PLACEHOLDER)) {
    const path = paramPath(expression);
    if (path) {
      if (!options.knownParam(path))
        problems.push(`"${placeholder}": params.${path.join(".")} is not a property of the definition's params schema`);
    } else if (pagePlaceholders.has(expression)) {
      if (!options.pages) problems.push(`"${placeholder}": page placeholders belong in page headers and footers`);
    } else {
      problems.push(
        `"${placeholder}" is not a placeholder: use {{params.name}}${options.pages ? ", {{page}}, {{pages}} or {{generatedAt}}" : ""}`,
      );
    }
  }
  return problems;
}

/** A template with its parameters filled in, or why one cannot be. */
export type FilledTemplate = { text: string } | { problem: string };

/**
 * Fills in a template's `{{params.…}}` placeholders from `params`; page placeholders stay for the renderer.
 * Only own properties are read, so `{{params.constructor}}` is a missing parameter, never `Object`'s.
 *
 * @example
 * fillTemplate("Sales {{params.month}}, page {{page}}", { month: "2026-11" });
 * // { text: "Sales 2026-11, page {{page}}" }
 */
export function fillTemplate(template: string, params: Readonly<Record<string, unknown>>): FilledTemplate {
  let problem: string | null = null;
  const text = template.replace(PLACEHOLDER, (placeholder, expression: string) => {
    const path = paramPath(expression);
    if (!path) return placeholder;
    let value: unknown = params;
    for (const key of path) {
      value =
        typeof value === "object" && value !== null && Object.hasOwn(value, key)
          ? (value as Record<string, unknown>)[key]
          : undefined;
    }
    if (value === undefined || value === null) return "";
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
    problem ??= `params.${path.join(".")} is an ${Array.isArray(value) ? "array" : "object"}; ${placeholder} takes a string, number or boolean`;
    return "";
  });
  return problem === null ? { text } : { problem };
}
