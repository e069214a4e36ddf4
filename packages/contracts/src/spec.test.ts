import { describe, expect, it } from "vitest";
import { fieldErrors } from "./errors";
import { type ReportSpecInput, reportSpec } from "./spec";

const spec = (overrides: Partial<ReportSpecInput> = {}, rows: unknown[] = [{ d: "2026-01-01" }]): unknown => ({
  format: "xlsx",
  title: "T",
  tables: [{ name: "Days", columns: [{ key: "d", header: "Day", type: "date" }], rows }],
  ...overrides,
});

/** The `path: message` lines of what the schema refuses, or [] when it takes the spec. */
function refusals(input: unknown): string[] {
  const parsed = reportSpec.safeParse(input);
  return parsed.success ? [] : fieldErrors(parsed.error.issues).map((e) => `${e.path}: ${e.message}`);
}

describe("rows", () => {
  it("refuses a key that names no column, naming it", () => {
    expect(refusals(spec({}, [{ d: "2026-01-01" }, {}, {}, { dd: "2026-01-02" }]))).toEqual([
      'tables[0].rows[3].dd: no column "dd"',
    ]);
  });

  it("reports a typo repeated on every row a bounded number of times", () => {
    const rows = Array.from({ length: 1000 }, () => ({ dd: "2026-01-02" }));
    expect(refusals(spec({}, rows))).toHaveLength(20);
  });

  it("refuses values that are not cells, with the column's name", () => {
    expect(refusals(spec({}, [{ d: { day: 1 } }]))).toEqual([
      'tables[0].rows[0].d: expected a string, number, boolean or null for date column "d"',
    ]);
    expect(refusals(spec({}, [{}, [], "x"]))).toEqual([
      "tables[0].rows[1]: a row is a JSON object of column keys to values",
      "tables[0].rows[2]: a row is a JSON object of column keys to values",
    ]);
  });

  it("reads only a row's own properties: prototype-named columns hold their values or nothing", () => {
    const keys = ["constructor", "toString", "hasOwnProperty", "__proto__", "valueOf"];
    const input = {
      format: "xlsx",
      title: "T",
      tables: [
        {
          name: "Proto",
          columns: keys.map((key) => ({ key, header: key, type: "integer" })),
          rows: [JSON.parse("{}"), JSON.parse('{"constructor": 1, "toString": 2, "__proto__": 3, "valueOf": null}')],
        },
      ],
    };
    const parsed = reportSpec.parse(JSON.parse(JSON.stringify(input)));
    const [empty, full] = parsed.tables[0]?.rows ?? [];
    expect(Object.keys(empty ?? { x: 1 })).toEqual([]);
    expect(Object.entries(full ?? {})).toEqual([
      ["constructor", 1],
      ["toString", 2],
      ["__proto__", 3],
      ["valueOf", null],
    ]);
    expect(Object.getPrototypeOf(full)).toBe(Object.prototype);
  });

  it("checks a __proto__ cell like any other, and refuses it when no column has that key", () => {
    const proto = (row: string) => ({
      format: "xlsx",
      title: "T",
      tables: [{ name: "P", columns: [{ key: "__proto__", header: "P", type: "integer" }], rows: [JSON.parse(row)] }],
    });
    expect(refusals(proto('{"__proto__": "x"}'))).toEqual([
      'tables[0].rows[0].__proto__: expected an integer for integer column "__proto__"',
    ]);
    expect(refusals(spec({}, [JSON.parse('{"__proto__": {"d": "2026-01-01"}}')]))).toEqual([
      'tables[0].rows[0].__proto__: no column "__proto__"',
    ]);
  });
});

describe("text that cannot be stored", () => {
  const nul = "a\u0000b";
  const lone = "a\ud800b";

  it("is refused wherever it is, naming the field", () => {
    const input = {
      format: "xlsx",
      title: nul,
      fileName: lone,
      tables: [
        {
          name: `N${nul}`,
          columns: [
            { key: `k${nul}`, header: lone, type: "string" },
            { key: "s", header: "S" },
          ],
          rows: [{ s: lone }, { s: nul }, { s: "fine \ud83d\ude00" }],
        },
      ],
      webhook: { url: `https://example.com/${nul}`, secret: `0123456789abcdef${lone}` },
    };
    const lines = refusals(input);
    for (const path of [
      "title",
      "fileName",
      "tables[0].name",
      "tables[0].columns[0].key",
      "tables[0].columns[0].header",
      "tables[0].rows[0].s",
      "tables[0].rows[1].s",
      "webhook.url",
      "webhook.secret",
    ]) {
      expect(
        lines.some((line) => line.startsWith(`${path}: `) && /NUL|unpaired surrogate/.test(line)),
        path,
      ).toBe(true);
    }
    expect(lines.some((line) => line.startsWith("tables[0].rows[2]"))).toBe(false);
  });

  it("is named in an unknown key too", () => {
    expect(refusals(spec({}, [{ [`d${"\u0000"}`]: 1 }]))).toEqual([
      'tables[0].rows[0].d\u0000: no column "d\\u0000" (the key must not contain NUL (\\u0000))',
    ]);
  });
});

describe("table names", () => {
  const named = (...names: string[]) => ({
    format: "xlsx",
    title: "T",
    tables: names.map((name) => ({ name, columns: [{ key: "a", header: "A" }], rows: [] })),
  });

  it.each([
    ["Q1/Q2", '"/" is not allowed'],
    ["a[1]", '"[" is not allowed'],
    ["Why?", '"?" is not allowed'],
    ["x".repeat(32), "at most 31 characters"],
    ["'quoted'", "an apostrophe at either end"],
    ["history", 'Excel reserves "History"'],
  ])("refuses %j, which Excel cannot take, stating the rule", (name, reason) => {
    const [line] = refusals(named(name));
    expect(line).toContain(`tables[0].name: ${reason}`);
    expect(line).toContain("1 to 31 characters");
  });

  it("refuses names that differ only in case, as Excel does", () => {
    expect(refusals(named("Sales", "SALES"))).toEqual([
      'tables[1].name: duplicate table name "SALES" (sheet names are compared ignoring case, as Excel does)',
    ]);
  });

  it("takes every other name", () => {
    expect(refusals(named("x".repeat(31), "Sales 2026 — Łódź", "It's", "販売"))).toEqual([]);
  });

  it("leaves a PDF's section names free of Excel's rules, but unique", () => {
    const pdf = (...names: string[]) => ({ ...named(...names), format: "pdf" });
    expect(
      refusals(pdf("Q1/Q2: [draft]?", "A heading longer than thirty-one characters", "History", "history")),
    ).toEqual([]);
    expect(refusals(pdf("Same", "Same"))).toEqual(['tables[1].name: duplicate table name "Same"']);
  });
});

describe("time zones", () => {
  const withZone = (spec: object, column: object) => ({
    format: "xlsx",
    title: "T",
    tables: [{ name: "A", columns: [{ key: "at", header: "At", type: "datetime", ...column }], rows: [] }],
    ...spec,
  });

  it("takes IANA names on the spec and on a datetime column", () => {
    const parsed = reportSpec.parse(withZone({ timeZone: "Asia/Kolkata" }, { timeZone: "America/New_York" }));
    expect(parsed.timeZone).toBe("Asia/Kolkata");
    expect(parsed.tables[0]?.columns[0]?.timeZone).toBe("America/New_York");
  });

  it("refuses an unknown zone, and a zone on a column that is not a datetime", () => {
    expect(refusals(withZone({ timeZone: "Mars/Olympus" }, { timeZone: "Europe/Nowhere" }))).toEqual([
      "tables[0].columns[0].timeZone: must be an IANA time zone such as Europe/Warsaw or UTC",
      "timeZone: must be an IANA time zone such as Europe/Warsaw or UTC",
    ]);
    expect(refusals(withZone({}, { type: "date", timeZone: "UTC" }))).toEqual([
      "tables[0].columns[0].timeZone: a time zone applies to datetime columns only",
    ]);
  });
});
