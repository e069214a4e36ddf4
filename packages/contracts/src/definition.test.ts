import { describe, expect, it } from "vitest";
import { type ReportDefinitionInput, reportDefinition } from "./definition";
import { definitionProblems, resolveDefinition } from "./definition-resolve";
import { fieldErrors } from "./errors";
import { fillTemplate, templateProblems } from "./template";

const definition = (overrides: Partial<ReportDefinitionInput> = {}) =>
  reportDefinition.parse({
    formats: ["xlsx", "pdf"],
    title: "Sales {{ params.month }}",
    params: {
      type: "object",
      required: ["month"],
      properties: { month: { type: "string", format: "date" }, region: { type: "object", properties: { name: {} } } },
      additionalProperties: false,
    },
    tables: [
      {
        name: "Orders",
        columns: [
          { key: "id", header: "Id", type: "integer" },
          { key: "amount", header: "Amount", type: "currency", currency: "EUR", totals: "sum" },
        ],
      },
      { name: "Notes", columns: [{ key: "note", header: "Note" }] },
    ],
    ...overrides,
  });

const lines = (issues: Array<{ path: Array<string | number>; message: string }>) =>
  fieldErrors(issues).map((e) => `${e.path}: ${e.message}`);

describe("placeholders", () => {
  it("fill in params (strings as given, numbers and booleans as JSON, missing as nothing) and leave page ones", () => {
    expect(
      fillTemplate("{{params.a}}|{{ params.n }}|{{params.b}}|{{params.none}}|{{page}}/{{pages}}", {
        a: "x{{params.n}}",
        n: 1.5,
        b: false,
      }),
    ).toEqual({ text: "x{{params.n}}|1.5|false||{{page}}/{{pages}}" });
    expect(fillTemplate("{{params.r.name}}", { r: { name: "North" } })).toEqual({ text: "North" });
  });

  it("never read what a parameter inherits", () => {
    expect(fillTemplate("[{{params.constructor}}][{{params.a.toString}}]", { a: "x" })).toEqual({ text: "[][]" });
  });

  it("refuse an object or array value", () => {
    expect(fillTemplate("{{params.r}}", { r: { name: "North" } })).toEqual({
      problem: "params.r is an object; {{params.r}} takes a string, number or boolean",
    });
  });

  it("refuse expressions, unknown params and page placeholders outside headers and footers at save time", () => {
    const knownParam = (path: string[]) => path.join(".") === "month";
    expect(
      templateProblems("{{params.month}} {{page}} {{ params.x }} {{ 1+1 }} {{params.__proto__.x}}", {
        pages: false,
        knownParam,
      }),
    ).toEqual([
      '"{{page}}": page placeholders belong in page headers and footers',
      '"{{ params.x }}": params.x is not a property of the definition\'s params schema',
      '"{{ 1+1 }}" is not a placeholder: use {{params.name}}',
      '"{{params.__proto__.x}}": params.__proto__.x is not a property of the definition\'s params schema',
    ]);
    expect(templateProblems("Page {{page}} of {{pages}}, {{generatedAt}}", { pages: true, knownParam })).toEqual([]);
  });
});

describe("a definition at save time", () => {
  it("is taken when its placeholders name declared params and it is a valid spec in each format", () => {
    expect(definitionProblems(definition())).toEqual([]);
  });

  it("refuses a placeholder naming no declared param", () => {
    expect(lines(definitionProblems(definition({ title: "Sales {{params.monht}}" })))).toEqual([
      'title: "{{params.monht}}": params.monht is not a property of the definition\'s params schema',
    ]);
    expect(lines(definitionProblems(definition({ params: undefined })))).toEqual([
      'title: "{{ params.month }}": params.month is not a property of the definition\'s params schema',
    ]);
  });

  it("refuses a params schema that does not compile, an unknown keyword, a pattern or a remote $ref", () => {
    const refused = (params: Record<string, unknown>) => lines(definitionProblems(definition({ title: "T", params })));
    expect(refused({ type: "object", properties: { m: { type: "strin" } } })[0]).toMatch(/^params: schema is invalid/);
    expect(refused({ type: "object", properties: { m: { type: "string", maxLenght: 3 } } })).toEqual([
      'params: strict mode: unknown keyword: "maxLenght"',
    ]);
    expect(refused({ type: "object", properties: { m: { type: "string", pattern: "^(a+)+$" } } })).toEqual([
      'params: strict mode: unknown keyword: "pattern"',
    ]);
    expect(refused({ type: "object", properties: { m: { $ref: "https://example.com/s.json" } } })[0]).toMatch(
      /^params: can't resolve reference/,
    );
    expect(refused({ type: "array" })).toEqual([
      'params: the params schema must describe an object ("type": "object")',
    ]);
  });

  it("applies the spec's own rules for every format: sheet names in XLSX, totals of the column's type", () => {
    const tables = [{ name: "A/B", columns: [{ key: "s", header: "S", totals: "sum" as const }] }];
    expect(lines(definitionProblems(definition({ title: "T", tables })))).toEqual([
      'tables[0].columns[0].totals: "sum" totals need a numeric column',
      'tables[0].name: "/" is not allowed: a table name is a sheet name: 1 to 31 characters, none of [ ] : * ? / \\ or control characters, no \' at either end, not History',
    ]);
    expect(lines(definitionProblems(definition({ title: "T", formats: ["pdf"], tables })))).toEqual([
      'tables[0].columns[0].totals: "sum" totals need a numeric column',
    ]);
  });
});

describe("resolving a definition", () => {
  const rows = [
    { id: 1, amount: 10.5 },
    { id: 2, amount: 4 },
  ];

  it("gives the spec with the params filled in, the rows by table name, the first format by default", () => {
    const resolved = resolveDefinition(definition(), {
      params: { month: "2026-11-01" },
      tables: [{ name: "Orders", rows }],
    });
    if (!("spec" in resolved)) throw new Error(JSON.stringify(resolved.issues));
    expect(resolved.spec.title).toBe("Sales 2026-11-01");
    expect(resolved.spec.format).toBe("xlsx");
    expect(resolved.spec.tables.map((t) => [t.name, t.rows.length])).toEqual([
      ["Orders", 2],
      ["Notes", 0],
    ]);
    expect(resolved.spec).not.toHaveProperty("params");
    expect(resolved.spec).not.toHaveProperty("formats");
  });

  it("refuses params the schema refuses, naming each", () => {
    const resolved = resolveDefinition(definition(), { params: { month: "2026-13-01", extra: 1 }, tables: [] });
    expect("issues" in resolved && lines(resolved.issues)).toEqual([
      "params.extra: not a parameter of this definition",
      'params.month: must match format "date"',
    ]);
    const missing = resolveDefinition(definition(), { params: {}, tables: [] });
    expect("issues" in missing && lines(missing.issues)).toEqual(["params.month: required"]);
  });

  it("names rows by the request's table index, and refuses unknown tables, repeated tables and other formats", () => {
    const bad = resolveDefinition(definition(), {
      format: "xlsx",
      params: { month: "2026-11-01" },
      tables: [
        { name: "Notes", rows: [] },
        { name: "Orders", rows: [{ id: 1 }, { id: "x" }] },
      ],
    });
    expect("issues" in bad && lines(bad.issues)).toEqual([
      'tables[1].rows[1].id: expected an integer for integer column "id"',
    ]);
    const unknown = resolveDefinition(definition({ formats: ["pdf"] }), {
      format: "xlsx",
      params: { month: "2026-11-01" },
      tables: [
        { name: "Order", rows: [] },
        { name: "Notes", rows: [] },
        { name: "Notes", rows: [] },
      ],
    });
    expect("issues" in unknown && lines(unknown.issues)).toEqual([
      "format: this definition is made as pdf",
      'tables[0].name: the definition has no table "Order" (it has "Orders", "Notes")',
      'tables[2].name: the rows of "Notes" were already given',
    ]);
  });
});
