import { type ReportSpecInput, reportSpec } from "@reports/contracts";
import { sampleSpec } from "@reports/contracts/testing";
import { describe, expect, it } from "vitest";
import XLSX from "xlsx";
import { renderReport } from "./index";
import { readWithOpenpyxl } from "./testing/readers";

const xlsx = (input: Omit<ReportSpecInput, "format">) => reportSpec.parse({ ...input, format: "xlsx" });
const strings = (values: string[]) =>
  xlsx({ title: "T", tables: [{ name: "T", columns: [{ key: "s", header: "S" }], rows: values.map((s) => ({ s })) }] });

describe("XLSX read back by openpyxl", () => {
  it("has a bold frozen header, an autofilter, the dimension and a typed cell of every column type", async () => {
    const [sheet, ...others] = readWithOpenpyxl((await renderReport(sampleSpec({ format: "xlsx", rows: 3 }))).data);
    expect(others).toEqual([]);
    expect(sheet).toMatchObject({ name: "Orders", dimensions: "A1:H4", freeze: "A2", filter: "A1:H4" });
    const cells = sheet?.cells ?? {};
    expect(["A1", "B1", "H1"].map((a) => [cells[a]?.value, cells[a]?.bold])).toEqual([
      ["Order", true],
      ["Customer", true],
      ["Paid", true],
    ]);
    expect(cells.A2).toMatchObject({ value: 1, type: "n", format: "#,##0", bold: false });
    expect(cells.B2).toMatchObject({ value: "Zażółć gęślą jaźń", type: "s" });
    expect(cells.C2).toMatchObject({ value: 12.35, type: "n", format: '"€"#,##0.00' });
    expect(cells.D2).toMatchObject({ value: 0.25, type: "n", format: "#,##0.00" });
    expect(cells.E3).toMatchObject({ value: 0.01, type: "n", format: "0.00%" });
    expect(cells.F2).toMatchObject({ value: "2026-01-15T00:00:00", type: "d", format: "yyyy-mm-dd" });
    expect(cells.G2).toMatchObject({ value: "2026-11-23T00:30:00", type: "d", format: 'yyyy-mm-dd hh:mm:ss "UTC"' });
    expect(cells.H2).toMatchObject({ value: true, type: "b" });
    expect(cells.H3).toMatchObject({ value: false, type: "b" });
  });

  it("round-trips markup, line ends, tabs, edge spaces and emoji exactly", async () => {
    const tricky = ["a & b < c > d", "\r\n\r", "line\nbreak", " padded ", "😀 Привет", "tab\tin", "<b>&amp;</b>"];
    const data = (await renderReport(strings(tricky))).data;
    const [sheet] = readWithOpenpyxl(data);
    expect(tricky.map((_, i) => sheet?.cells[`A${i + 2}`]?.value)).toEqual(tricky);
    const sheetjs = XLSX.read(data, { type: "buffer" }).Sheets.T;
    expect(tricky.map((_, i) => sheetjs?.[`A${i + 2}`]?.v)).toEqual(tricky);
  });

  it("writes control characters and escape look-alikes the way Excel reads them back", async () => {
    const tricky = ["\u0001\u0008\u000b", "_x0041_", "x_X263A_y", "_x005F_x0041_"];
    const data = (await renderReport(strings(tricky))).data;
    const sheetjs = XLSX.read(data, { type: "buffer" }).Sheets.T;
    expect(tricky.map((_, i) => sheetjs?.[`A${i + 2}`]?.v)).toEqual(tricky);
    // openpyxl 3.0 (Debian 12) does not undo Excel's _xHHHH_ escapes in inline strings: it shows them as written.
    const [sheet] = readWithOpenpyxl(data);
    expect(tricky.map((_, i) => sheet?.cells[`A${i + 2}`]?.value)).toEqual([
      "_x0001__x0008__x000B_",
      "_x005F_x0041_",
      "x_x005F_X263A_y",
      "_x005F_x005F_x005F_x0041_",
    ]);
  });

  it("replaces a lone surrogate, which XML cannot hold, with U+FFFD (a spec stored before the contract refused them)", async () => {
    const spec = strings(["placeholder"]);
    (spec.tables[0]?.rows[0] as { s: string }).s = "a\ud800b";
    const [sheet] = readWithOpenpyxl((await renderReport(spec)).data);
    expect(sheet?.cells.A2?.value).toBe("a\ufffdb");
  });

  it("writes text that starts like a formula as text, never as a formula", async () => {
    const attacks = ["=1+1", "+1", "-1", "@SUM(A1:A2)", "\t=cmd", "\r=cmd", '=HYPERLINK("http://x","y")'];
    const data = (await renderReport(strings([...attacks, "safe"]))).data;
    const [sheet] = readWithOpenpyxl(data);
    for (const [i, attack] of attacks.entries()) {
      expect(sheet?.cells[`A${i + 2}`]).toMatchObject({ value: attack, type: "s", quotePrefix: true });
    }
    expect(sheet?.cells[`A${attacks.length + 2}`]).toMatchObject({ value: "safe", type: "s", quotePrefix: false });
    const sheetjs = XLSX.read(data, { type: "buffer", cellFormula: true }).Sheets.T ?? {};
    for (const [i, attack] of attacks.entries()) {
      expect(sheetjs[`A${i + 2}`]).toMatchObject({ t: "s", v: attack });
      expect(sheetjs[`A${i + 2}`]?.f).toBeUndefined();
    }
  });

  it("writes date-times as the wall-clock time in the spec's time zone, and currency symbols in its locale", async () => {
    const spec = xlsx({
      title: "Zones",
      locale: "de-DE",
      timeZone: "Europe/Warsaw",
      tables: [
        {
          name: "T",
          columns: [
            { key: "at", header: "At", type: "datetime" },
            { key: "price", header: "Price", type: "currency", currency: "EUR" },
          ],
          rows: [
            { at: "2026-01-15T10:00:00Z", price: 1 },
            { at: "2026-07-15T10:00:00Z", price: 2 },
          ],
        },
      ],
    });
    const [sheet] = readWithOpenpyxl((await renderReport(spec)).data);
    expect(sheet?.cells.A2?.value).toBe("2026-01-15T11:00:00");
    expect(sheet?.cells.A3?.value).toBe("2026-07-15T12:00:00");
    expect(sheet?.cells.B2?.format).toBe('#,##0.00 "€"');
  });
});
