import { describe, expect, it } from "vitest";
import { fieldErrors } from "./errors";
import { reportSpec } from "./spec";

const columns = [
  { key: "region", header: "Region" },
  { key: "amount", header: "Amount", type: "currency", currency: "EUR", totals: "sum" },
  { key: "day", header: "Day", type: "date" },
];
const spec = (table: object = {}, extra: object = {}): unknown => ({
  format: "xlsx",
  title: "T",
  tables: [{ name: "Sales", columns, rows: [{ region: "North", amount: -5, day: "2026-01-01" }], ...table }],
  ...extra,
});

function refusals(input: unknown): string[] {
  const parsed = reportSpec.safeParse(input);
  return parsed.success ? [] : fieldErrors(parsed.error.issues).map((e) => `${e.path}: ${e.message}`);
}

describe("layout, grouping and conditional styles", () => {
  it("takes a full layout, grouping, sorting, alignment and styles", () => {
    const input = spec(
      {
        columns: [
          { ...columns[0], align: "center", styles: [{ when: { op: "=", value: "North" }, bold: true }] },
          {
            ...columns[1],
            styles: [
              { when: { op: "<", value: 0 }, color: "#C00000" },
              { when: { op: ">=", value: 1000 }, background: "#FFF2CC", bold: true },
            ],
          },
          { ...columns[2], styles: [{ when: { op: ">", value: "2026-06-30" }, color: "#0000ff" }] },
        ],
        groupBy: ["region"],
        sort: [{ key: "day", direction: "desc" }],
      },
      {
        layout: {
          logo: { key: "logos/acme.png", contentType: "image/png" },
          header: { left: "ACME", right: "{{generatedAt}}" },
          footer: { center: "Page {{page}} of {{pages}}" },
          accentColor: "#1F4E79",
        },
      },
    );
    expect(refusals(input)).toEqual([]);
  });

  it("names the field of a groupBy or sort key that is no column, or named twice", () => {
    expect(refusals(spec({ groupBy: ["regoin"], sort: [{ key: "amount" }, { key: "amount" }] }))).toEqual([
      'tables[0].groupBy[0]: no column "regoin"',
      'tables[0].sort[1].key: "amount" is named twice',
    ]);
  });

  it("refuses presorted without groupBy or with sort", () => {
    expect(refusals(spec({ presorted: true }))).toEqual([
      "tables[0].presorted: presorted applies to a table with groupBy",
    ]);
    expect(refusals(spec({ groupBy: ["region"], presorted: true, sort: [{ key: "day" }] }))).toEqual([
      "tables[0].presorted: presorted rows are not sorted again: leave out sort",
    ]);
    expect(refusals(spec({ groupBy: ["region", "day", "amount", "region"] }))).toEqual([
      "tables[0].groupBy: Too big: expected array to have <=3 items",
    ]);
  });

  it("refuses malformed colours and styles whose value does not fit the column", () => {
    const styled = (column: number, styles: unknown[]) =>
      spec({ columns: columns.map((c, i) => (i === column ? { ...c, styles } : c)) });
    expect(refusals(spec({}, { layout: { accentColor: "red" } }))).toEqual([
      "layout.accentColor: must be a colour as #RRGGBB",
    ]);
    expect(refusals(styled(1, [{ when: { op: "<", value: "0" }, color: "#C00000" }]))).toEqual([
      "tables[0].columns[1].styles[0].when.value: a currency column compares with a number",
    ]);
    expect(refusals(styled(0, [{ when: { op: "<", value: "M" }, color: "#C00000" }]))).toEqual([
      "tables[0].columns[0].styles[0].when.value: a string column takes only = and !=",
    ]);
    expect(refusals(styled(2, [{ when: { op: "<", value: "01/02/2026" }, color: "#C00000" }]))).toEqual([
      "tables[0].columns[2].styles[0].when.value: a date column compares with a date as YYYY-MM-DD",
    ]);
    expect(refusals(styled(1, [{ when: { op: "<", value: 0 }, color: "#C0000" }]))).toEqual([
      "tables[0].columns[1].styles[0].color: must be a colour as #RRGGBB",
    ]);
    expect(refusals(styled(1, [{ when: { op: "<", value: 0 } }]))).toEqual([
      "tables[0].columns[1].styles[0]: a style sets at least one of color, background, bold",
    ]);
    const many = Array.from({ length: 6 }, () => ({ when: { op: "<", value: 0 }, bold: true }));
    expect(refusals(styled(1, many))).toEqual([
      "tables[0].columns[1].styles: Too big: expected array to have <=5 items",
    ]);
  });

  it("refuses a logo that is neither PNG nor JPEG", () => {
    expect(refusals(spec({}, { layout: { logo: { key: "a.gif", contentType: "image/gif" } } }))).toHaveLength(1);
  });
});
