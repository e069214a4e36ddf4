import type { Column } from "@reports/contracts";
import { describe, expect, it } from "vitest";
import {
  dateTimeFormat,
  displayFormatter,
  excelFormat,
  excelSerial,
  formatContext,
  givenDecimals,
  givenFormat,
  parseInstant,
  zoneNamer,
} from "./format";

const show = (
  column: Pick<Column, "type" | "currency" | "decimals" | "timeZone">,
  value: Parameters<ReturnType<typeof displayFormatter>>[0],
  spec = {},
) => displayFormatter(column, formatContext(spec))(value);

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
    expect(excelFormat({ type: "number" })).toBe("General");
    expect(excelFormat({ type: "currency", currency: "EUR" })).toBe('"€"#,##0.00');
    expect(excelFormat({ type: "currency", currency: "USD" })).toBe('"$"#,##0.00');
    expect(excelFormat({ type: "currency" })).toBe("#,##0.00");
    expect(excelFormat({ type: "percent" })).toBe("0.00%");
    expect(excelFormat({ type: "date" })).toBe("yyyy-mm-dd");
    expect(excelFormat({ type: "datetime" })).toBe("yyyy-mm-dd hh:mm:ss");
    expect(excelFormat({ type: "string" })).toBeUndefined();
    expect(excelFormat({ type: "boolean" })).toBeUndefined();
  });

  it("puts the currency symbol where the locale does, with the currency's usual decimals", () => {
    expect(excelFormat({ type: "currency", currency: "EUR" }, "de-DE")).toBe('#,##0.00 "€"');
    expect(excelFormat({ type: "currency", currency: "JPY" }, "ja-JP")).toBe('"￥"#,##0');
    expect(excelFormat({ type: "currency", currency: "PLN" }, "pl-PL")).toBe('#,##0.00 "zł"');
  });

  it("gives a number shown as given the format of its decimals, to Excel's 15 digits", () => {
    expect([12.34567, 1e-7, 0.1 + 0.2, 42, 1e21, 1e-16].map(givenFormat)).toEqual([
      "#,##0.00000",
      "#,##0.0000000",
      "#,##0.0",
      "#,##0",
      "#,##0",
      "General",
    ]);
    expect([12.34567, 1e-7, 1.5e-10, 123.456, 1e-16].map(givenDecimals)).toEqual([5, 7, 11, 3, null]);
  });

  it("writes a date-time's zone into its format, as the PDF shows it", () => {
    expect(dateTimeFormat("UTC")).toBe('yyyy-mm-dd hh:mm:ss "UTC"');
    const warsaw = zoneNamer("Europe/Warsaw");
    expect([warsaw(ms("2026-01-15T10:00:00Z")), warsaw(ms("2026-07-15T10:00:00Z"))]).toEqual(["GMT+1", "GMT+2"]);
  });

  it("honours a column's decimals", () => {
    expect(excelFormat({ type: "number", decimals: 3 })).toBe("#,##0.000");
    expect(excelFormat({ type: "percent", decimals: 0 })).toBe("0%");
    expect(excelFormat({ type: "currency", currency: "USD", decimals: 0 })).toBe('"$"#,##0');
  });
});

describe("displayFormatter", () => {
  it("shows values the way the XLSX formats do", () => {
    expect(show({ type: "integer" }, 1234567)).toBe("1,234,567");
    expect(show({ type: "number" }, 1234.5)).toBe("1,234.5");
    expect(show({ type: "number", decimals: 2 }, 1234.5)).toBe("1,234.50");
    expect(show({ type: "currency", currency: "EUR" }, 1234.5)).toBe("€1,234.50");
    expect(show({ type: "currency", currency: "USD" }, -1234.5)).toBe("-$1,234.50");
    expect(show({ type: "percent" }, 0.125)).toBe("12.50%");
    expect(show({ type: "date" }, "2026-01-15")).toBe("2026-01-15");
    expect(show({ type: "datetime" }, "2026-01-15T12:30:05+02:00")).toBe("2026-01-15 10:30:05 UTC");
    expect(show({ type: "boolean" }, true)).toBe("Yes");
    expect(show({ type: "boolean" }, false)).toBe("No");
    expect(show({ type: "string" }, "Łódź")).toBe("Łódź");
  });

  it("formats numbers, currencies and dates in the spec's locale, date-times in its time zone", () => {
    const de = { locale: "de-DE", timeZone: "Europe/Berlin" };
    expect(show({ type: "number", decimals: 2 }, 1234.5, de)).toBe("1.234,50");
    expect(show({ type: "number" }, 1234.5, de)).toBe("1.234,5");
    expect(show({ type: "currency", currency: "EUR" }, 1234.5, de)).toBe("1.234,50\u00a0€");
    expect(show({ type: "percent", decimals: 1 }, 0.125, de)).toBe("12,5\u00a0%");
    expect(show({ type: "date" }, "2026-01-15", de)).toBe("15.01.2026");
    expect(show({ type: "datetime" }, "2026-07-15T12:30:05Z", de)).toBe("15.07.2026, 14:30:05 MESZ");
    expect(show({ type: "datetime" }, "2026-01-15T12:30:05Z", { timeZone: "America/New_York" })).toBe(
      "2026-01-15 07:30:05 EST",
    );
  });

  it("shows a number column without decimals as given, in the locale's digits", () => {
    const given = [12.34567, 1e-7, 0.1 + 0.2, 1234567.25, -2, 1 / 3, 1e-20];
    expect(given.map((v) => show({ type: "number" }, v))).toEqual([
      "12.34567",
      "0.0000001",
      "0.3",
      "1,234,567.25",
      "-2",
      "0.333333333333333",
      "1E-20",
    ]);
    expect(show({ type: "number" }, 12.34567, { locale: "de-DE" })).toBe("12,34567");
  });

  it("shows a datetime column in its own time zone, else the spec's", () => {
    const at = "2026-07-15T12:30:05Z";
    expect(show({ type: "datetime", timeZone: "Asia/Kolkata" }, at, { timeZone: "Europe/Berlin" })).toBe(
      "2026-07-15 18:00:05 GMT+5:30",
    );
    expect(show({ type: "datetime" }, at, { timeZone: "Europe/Berlin" })).toBe("2026-07-15 14:30:05 GMT+2");
  });

  it("shows empty cells as nothing", () => {
    expect(show({ type: "number" }, null)).toBe("");
    expect(show({ type: "date" }, undefined)).toBe("");
  });

  it("returns null for a value that does not fit the column", () => {
    expect(show({ type: "integer" }, 1.5)).toBeNull();
    expect(show({ type: "number" }, "12")).toBeNull();
    expect(show({ type: "boolean" }, "yes")).toBeNull();
    expect(show({ type: "date" }, "2026-13-45")).toBeNull();
  });
});
