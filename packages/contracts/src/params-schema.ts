import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

/** ajv-formats is CommonJS: its default export arrives as the module under some loaders. */
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as typeof addFormatsModule;

/** A problem with a params schema or with params, at a path below `params`. */
export interface ParamsIssue {
  path: Array<string | number>;
  message: string;
}

/**
 * One validator for every definition's params schema. Strict mode refuses unknown keywords and formats, so a typo
 * in a schema is a 400 when it is saved rather than a check that never runs. `pattern` and `patternProperties` are
 * refused: a client's regular expression run against another client's input could take the BFF's event loop for
 * minutes (ReDoS); `format` (date, email, uuid…) and `enum` cover what parameters need. Remote `$ref`s cannot be
 * resolved (nothing is fetched), so they are refused too.
 */
function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: true });
  addFormats(ajv);
  // the meta-schema uses `pattern` itself: compile it before the keyword goes
  ajv.validateSchema({});
  ajv.removeKeyword("pattern");
  ajv.removeKeyword("patternProperties");
  return ajv;
}

let ajv: Ajv2020 | null = null;
/** Compiled validators by their schema's JSON; definitions are few and compiling takes milliseconds. */
const validators = new Map<string, ValidateFunction>();
const MAX_CACHED = 500;

/**
 * The validator of a params schema, or why the schema is refused.
 *
 * @example
 * const checked = compileParamsSchema({ type: "object", properties: { month: { type: "string", format: "date" } } });
 * if ("validate" in checked) checked.validate({ month: "2026-13-01" }); // [{ path: ["month"], message: 'must match format "date"' }]
 */
export function compileParamsSchema(
  schema: Record<string, unknown>,
): { validate: (params: unknown) => ParamsIssue[] } | { problem: string } {
  const key = JSON.stringify(schema);
  let validator = validators.get(key);
  if (!validator) {
    if (schema.type !== "object") return { problem: 'the params schema must describe an object ("type": "object")' };
    ajv ??= createAjv();
    try {
      validator = ajv.compile(structuredClone(schema));
    } catch (error) {
      return { problem: error instanceof Error ? error.message : String(error) };
    } finally {
      // the instance keeps schemas by `$id`: two definitions may use the same one
      ajv.removeSchema();
    }
    if (validators.size >= MAX_CACHED) validators.delete(validators.keys().next().value as string);
    validators.set(key, validator);
  }
  const compiled = validator;
  return {
    validate(params: unknown) {
      if (compiled(params)) return [];
      return (compiled.errors ?? []).map(toIssue);
    },
  };
}

/** An ajv error as a path below `params` (the missing property's own path for `required`) and a message. */
function toIssue(error: ErrorObject): ParamsIssue {
  const path: Array<string | number> = error.instancePath
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((part) => (/^(0|[1-9]\d*)$/.test(part) ? Number(part) : part));
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "required") return { path: [...path, String(params.missingProperty)], message: "required" };
  if (error.keyword === "additionalProperties") {
    return { path: [...path, String(params.additionalProperty)], message: "not a parameter of this definition" };
  }
  return { path, message: error.message ?? error.keyword };
}

/**
 * Whether `schema` declares the parameter at `path` through nested `properties` (what a placeholder may name).
 *
 * @example
 * declaresParam({ type: "object", properties: { month: { type: "string" } } }, ["month"]); // true
 */
export function declaresParam(schema: Record<string, unknown> | undefined, path: readonly string[]): boolean {
  let node: unknown = schema;
  for (const key of path) {
    const properties = (node as { properties?: unknown } | undefined)?.properties;
    if (typeof properties !== "object" || properties === null || !Object.hasOwn(properties, key)) return false;
    node = (properties as Record<string, unknown>)[key];
  }
  return true;
}
