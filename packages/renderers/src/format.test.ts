import { describe, expect, it } from "vitest";
import { displayValue, excelFormat, excelSerial, parseInstant } from "./format";

const ms = (iso: string) => Date.parse(iso);

describe("excelSerial", () => {
  it("counts days from 1899-12-30 in UTC, with the time as a fraction", () => {
    expect(excelSerial(ms("1970-01-01T00:00:00Z"))).toBe(25_569);
    expect(excelSerial(ms("2026-11-23T00:00:00Z"))).toBe(46_349);
    expect(excelSerial(ms("2026-11-23T18:00:00Z"))).toBe(46_349.75);
    expect(excelSerial(ms("1900-03-01T00:00:00Z"))).toBe(61);
  });

  it("skips Excel's 29 February 1900 for earlier dates, and has no serial before 1900", () => {
    expect(excelSerial(ms("1900-02-28T00:00:00Z"))).toBe(59);
    expect(excelSerial(ms("1900-01-01T00:00:00Z"))).toBe(1);
    expect(excelSerial(ms("1899-12-31T00:00:00Z"))).toBeNull();
  });
});

describe("parseInstant", () => {
  it("reads dates as UTC midnight and date-times with their offset", () => {
    expect(parseInstant("date", "2026-01-15")).toBe(ms("2026-01-15T00:00:00Z"));
    expect(parseInstant("datetime", "2026-01-15T12:00:00+02:00")).toBe(ms("2026-01-15T10:00:00Z"));
  });

  it("rejects what is not one", () => {
    expect(parseInstant("date", "15/01/2026")).toBeNull();
    expect(parseInstant("date", "2026-01-15T00:00:00Z")).toBeNull();
    expect(parseInstant("datetime", "2026-01-15")).toBeNull();
    expect(parseInstant("datetime", "yesterdayT")).toBeNull();
  });
});

describe("excelFormat", () => {
  it("gives each numeric and date type its number format", () => {
    expect(excelFormat({ type: "integer" })).toBe("#,##0");
    expect(excelFormat({ type: "number" })).toBe("#,##0.00");
    expect(excelFormat({ type: "currency", currency: "EUR" })).toBe('#,##0.00 "EUR"');
    expect(excelFormat({ type: "currency", currency: "USD" })).toBe('"$"#,##0.00');
    expect(excelFormat({ type: "currency" })).toBe("#,##0.00");
    expect(excelFormat({ type: "percent" })).toBe("0.00%");
    expect(excelFormat({ type: "date" })).toBe("yyyy-mm-dd");
    expect(excelFormat({ type: "datetime" })).toBe("yyyy-mm-dd hh:mm:ss");
    expect(excelFormat({ type: "string" })).toBeUndefined();
    expect(excelFormat({ type: "boolean" })).toBeUndefined();
  });
});

describe("displayValue", () => {
  it("shows values the way the XLSX formats do", () => {
    expect(displayValue({ type: "integer" }, 1234567)).toBe("1,234,567");
    expect(displayValue({ type: "number" }, 1234.5)).toBe("1,234.50");
    expect(displayValue({ type: "currency", currency: "EUR" }, 1234.5)).toBe("1,234.50 EUR");
    expect(displayValue({ type: "currency", currency: "USD" }, -1234.5)).toBe("-$1,234.50");
    expect(displayValue({ type: "percent" }, 0.125)).toBe("12.50%");
    expect(displayValue({ type: "date" }, "2026-01-15")).toBe("2026-01-15");
    expect(displayValue({ type: "datetime" }, "2026-01-15T12:30:05+02:00")).toBe("2026-01-15 10:30:05 UTC");
    expect(displayValue({ type: "boolean" }, true)).toBe("Yes");
    expect(displayValue({ type: "boolean" }, false)).toBe("No");
    expect(displayValue({ type: "string" }, "Łódź")).toBe("Łódź");
  });

  it("shows empty cells as nothing", () => {
    expect(displayValue({ type: "number" }, null)).toBe("");
    expect(displayValue({ type: "date" }, undefined)).toBe("");
  });

  it("returns null for a value that does not fit the column", () => {
    expect(displayValue({ type: "integer" }, 1.5)).toBeNull();
    expect(displayValue({ type: "number" }, "12")).toBeNull();
    expect(displayValue({ type: "boolean" }, "yes")).toBeNull();
    expect(displayValue({ type: "date" }, "2026-13-45")).toBeNull();
  });
});
