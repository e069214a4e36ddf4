import { reportSpec } from "@reports/contracts";
import { describe, expect, it } from "vitest";

const spec = (extra: object, column: object = {}) =>
  reportSpec.safeParse({
    format: "pdf",
    title: "T",
    tables: [{ name: "T", columns: [{ key: "a", header: "A", ...column }], rows: [] }],
    ...extra,
  });

describe("the spec's rendering options", () => {
  it("accepts a BCP 47 locale and an IANA time zone, and rejects others", () => {
    expect(spec({ locale: "de-DE", timeZone: "Europe/Warsaw" }).success).toBe(true);
    expect(spec({ locale: "not a locale" }).error?.issues[0]?.path).toEqual(["locale"]);
    expect(spec({ timeZone: "Mars/Olympus" }).error?.issues[0]?.path).toEqual(["timeZone"]);
  });

  it("allows totals a column's type can have", () => {
    expect(spec({}, { type: "number", totals: "sum" }).success).toBe(true);
    expect(spec({}, { type: "date", totals: "max" }).success).toBe(true);
    expect(spec({}, { type: "string", totals: "count" }).success).toBe(true);
    const sum = spec({}, { type: "string", totals: "sum" });
    expect(sum.error?.issues[0]).toMatchObject({ path: ["tables", 0, "columns", 0, "totals"] });
    expect(spec({}, { type: "date", totals: "avg" }).success).toBe(false);
  });

  it("limits decimals to 0–10", () => {
    expect(spec({}, { type: "number", decimals: 0 }).success).toBe(true);
    expect(spec({}, { type: "number", decimals: 11 }).success).toBe(false);
  });
});
