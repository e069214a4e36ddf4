import { type ReportSpecInput, reportSpec } from "@reports/contracts";
import { describe, expect, it } from "vitest";
import { DEFAULT_RENDER_LIMITS, RenderError, renderReport } from "./index";
import { pdfToText } from "./testing/readers";

const pdf = (input: Omit<ReportSpecInput, "format">) => reportSpec.parse({ ...input, format: "pdf" });
const UNICODE = "Zoë Łukasz Привет Ελλάδα";

describe("PDF text read back by pdftotext", () => {
  it("renders Latin, Polish, Cyrillic and Greek with the bundled font, in the title, headers and cells", async () => {
    const spec = pdf({
      title: UNICODE,
      tables: [{ name: "Ελλάδα", columns: [{ key: "who", header: "Привет" }], rows: [{ who: UNICODE }] }],
    });
    const { data } = await renderReport(spec);
    const text = pdfToText(data);
    expect(text.split("\n").filter((line) => line.includes(UNICODE))).toHaveLength(2);
    expect(text).toContain("Привет");
    // One subset of DejaVu Sans per weight, shared by React-PDF's text and the painted table.
    expect(data.toString("latin1").match(/\/FontFile2/g)).toHaveLength(2);
    expect(data.toString("latin1")).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans-Bold/);
  });

  it("right-aligns numbers, and shows the spec's locale and time zone", async () => {
    const spec = pdf({
      title: "Locale",
      locale: "de-DE",
      timeZone: "Europe/Warsaw",
      tables: [
        {
          name: "T",
          columns: [
            { key: "name", header: "Name" },
            { key: "amount", header: "Amount", type: "currency", currency: "EUR" },
            { key: "at", header: "At", type: "datetime" },
          ],
          rows: [
            { name: "short", amount: 5, at: "2026-01-15T10:00:00Z" },
            { name: "long", amount: 1234567.5, at: "2026-07-15T10:00:00Z" },
          ],
        },
      ],
    });
    const lines = pdfToText((await renderReport(spec)).data, true).split("\n");
    const short = lines.find((l) => l.includes("short")) ?? "";
    const long = lines.find((l) => l.includes("long")) ?? "";
    expect(short).toMatch(/5,00 € +15\.01\.2026, 11:00:00 MEZ/);
    expect(long).toMatch(/1\.234\.567,50 € +15\.07\.2026, 12:00:00 MESZ/);
    // Right edges line up (pdftotext places text on a character grid: within one character).
    expect(Math.abs(short.indexOf("€") - long.indexOf("€"))).toBeLessThanOrEqual(1);
    expect(long.indexOf("1.234") - short.indexOf("5,00")).toBeLessThan(-5);
  });

  it("ends a table with its totals row, formatted like its columns", async () => {
    const spec = pdf({
      title: "Totals",
      tables: [
        {
          name: "T",
          columns: [
            { key: "name", header: "Name" },
            { key: "qty", header: "Qty", type: "integer", totals: "avg" },
            { key: "day", header: "Day", type: "date", totals: "min" },
            { key: "ok", header: "OK", type: "boolean", totals: "count" },
          ],
          rows: [
            { name: "a", qty: 1, day: "2026-02-01", ok: true },
            { name: "b", qty: 2, day: "2026-01-01", ok: null },
          ],
        },
      ],
    });
    const lines = pdfToText((await renderReport(spec)).data, true).split("\n");
    const total = lines.findIndex((line) => /^Total\s/.test(line));
    expect(lines[total - 1]).toMatch(/^b +2 2026-01-01 *$/);
    expect(lines[total]).toMatch(/^Total +1\.50 2026-01-01 +1$/);
  });
});

describe("PDF row limit", () => {
  it("fails with TOO_LARGE past the limit, before any work, and renders up to it", async () => {
    expect(DEFAULT_RENDER_LIMITS.pdfMaxRows).toBe(100_000);
    const rows = (n: number) =>
      pdf({
        title: "Big",
        tables: [{ name: "T", columns: [{ key: "a", header: "A" }], rows: Array(n).fill({ a: "x" }) }],
      });
    const error = await renderReport(rows(11), { limits: { pdfMaxRows: 10 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderError);
    expect(error).toMatchObject({
      type: "TOO_LARGE",
      message: "a PDF holds at most 10 rows (this report has 11); ask for XLSX instead",
    });
    expect((await renderReport(rows(10), { limits: { pdfMaxRows: 10 } })).extension).toBe("pdf");
  });
});
