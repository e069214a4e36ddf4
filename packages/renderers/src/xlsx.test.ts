import { type ReportSpec, type ReportSpecInput, reportSpec } from "@reports/contracts";
import { sampleSpec } from "@reports/contracts/testing";
import { describe, expect, it } from "vitest";
import XLSX from "xlsx";
import { RenderError, renderReport } from "./index";
import { readWithOpenpyxl } from "./testing/readers";

async function workbookOf(spec: ReportSpec): Promise<XLSX.WorkBook> {
  const file = await renderReport(spec);
  expect(file.extension).toBe("xlsx");
  expect(file.contentType).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  return XLSX.read(file.data, { type: "buffer", cellNF: true, cellStyles: true });
}

function sheetOf(workbook: XLSX.WorkBook, name: string): XLSX.WorkSheet {
  const sheet = workbook.Sheets[name];
  if (!sheet) throw new Error(`no sheet "${name}" in ${workbook.SheetNames.join(", ")}`);
  return sheet;
}

const xlsx = (input: Omit<ReportSpecInput, "format">) => reportSpec.parse({ ...input, format: "xlsx" });

describe("renderReport to XLSX", () => {
  it("writes a header row and typed cells with number formats", async () => {
    const sheet = sheetOf(await workbookOf(sampleSpec({ format: "xlsx", rows: 3 })), "Orders");
    expect(sheet["!ref"]).toBe("A1:H4");
    expect(["A1", "B1", "C1", "H1"].map((a) => sheet[a]?.v)).toEqual(["Order", "Customer", "Amount", "Paid"]);

    expect(sheet.A2).toMatchObject({ t: "n", v: 1, z: "#,##0" });
    expect(sheet.B2).toMatchObject({ t: "s", v: "Zażółć gęślą jaźń" });
    expect(sheet.C2).toMatchObject({ t: "n", v: 12.35, z: '"€"#,##0.00' });
    expect(sheet.D2).toMatchObject({ t: "n", v: 0.25, z: "#,##0.00" });
    expect(sheet.E3).toMatchObject({ t: "n", v: 0.01, z: "0.00%", w: "1.00%" });
    expect(sheet.H2).toMatchObject({ t: "b", v: true });
    expect(sheet.H3).toMatchObject({ t: "b", v: false });
  });

  it("writes dates and date-times as UTC serials with a date format", async () => {
    const sheet = sheetOf(await workbookOf(sampleSpec({ format: "xlsx", rows: 3 })), "Orders");
    // 2026-01-15 and 2026-11-23T00:30:00Z, counted from 1899-12-30.
    expect(sheet.F2).toMatchObject({ t: "n", v: 46_037, z: "yyyy-mm-dd", w: "2026-01-15" });
    expect(sheet.G2).toMatchObject({ t: "n", z: 'yyyy-mm-dd hh:mm:ss "UTC"', w: "2026-11-23 00:30:00 UTC" });
    expect(sheet.G2?.v).toBeCloseTo(46_349 + 0.5 / 24, 9);
    expect(XLSX.SSF.is_date(sheet.F2?.z as string)).toBe(true);
    const date = XLSX.SSF.parse_date_code(sheet.G3?.v as number);
    expect([date.y, date.m, date.d, date.H, date.M]).toEqual([2026, 11, 23, 1, 30]);
  });

  it("leaves null and absent values empty", async () => {
    const spec = xlsx({
      title: "Gaps",
      tables: [
        {
          name: "T",
          columns: [
            { key: "a", header: "A", type: "number" },
            { key: "b", header: "B" },
          ],
          rows: [{ a: null, b: "x" }, { a: 1 }],
        },
      ],
    });
    const sheet = sheetOf(await workbookOf(spec), "T");
    expect(sheet.A2).toBeUndefined();
    expect(sheet.B2?.v).toBe("x");
    expect(sheet.A3?.v).toBe(1);
    expect(sheet.B3).toBeUndefined();
  });

  it("writes one sheet per table, named exactly as the table", async () => {
    const table = (name: string) => ({ name, columns: [{ key: "k", header: name }], rows: [{ k: name }] });
    const names = ["Summary", "Q1 & Q2 (draft)", "A".repeat(31), "It's 販売 — Łódź", "Histories"];
    const workbook = await workbookOf(xlsx({ title: "Many", tables: names.map(table) }));
    expect(workbook.SheetNames).toEqual(names);
    expect(sheetOf(workbook, "It's 販売 — Łódź").A2?.v).toBe("It's 販売 — Łódź");
  });

  it("keeps strings that look like Excel escapes exactly", async () => {
    const tricky = ["_x0041_", "a_x00ff_b_X263A_", "_x005F_x0041_", "__x0041__", "tab\there & <b>", "😀 Привет"];
    const spec = xlsx({
      title: "Escapes",
      tables: [{ name: "T", columns: [{ key: "s", header: "_x0042_" }], rows: tricky.map((s) => ({ s })) }],
    });
    const sheet = sheetOf(await workbookOf(spec), "T");
    expect(sheet.A1?.v).toBe("_x0042_");
    expect(tricky.map((_, i) => sheet[`A${i + 2}`]?.v)).toEqual(tricky);
  });

  it("sizes columns from the spec's width, else from the header and the values as Excel shows them", async () => {
    const [sheet] = readWithOpenpyxl((await renderReport(sampleSpec({ format: "xlsx", rows: 3 }))).data);
    expect(sheet?.widths.B).toBe(24);
    // "2026-11-23 00:30:00 UTC" (23 characters) is the widest text of the date-time column, plus 2.
    expect(sheet?.widths.G).toBe(25);
    expect(sheet?.widths.A).toBe(10);
  });

  it("uses a dollar sign for USD", async () => {
    const spec = xlsx({
      title: "USD",
      tables: [
        {
          name: "T",
          columns: [{ key: "p", header: "Price", type: "currency", currency: "USD" }],
          rows: [{ p: 1234.5 }],
        },
      ],
    });
    expect(sheetOf(await workbookOf(spec), "T").A2).toMatchObject({ v: 1234.5, z: '"$"#,##0.00', w: "$1,234.50" });
  });

  it("reports progress per chunk of rows, ending at the total", async () => {
    const calls: Array<[number, number]> = [];
    await renderReport(sampleSpec({ format: "xlsx", rows: 25_000 }), { onProgress: (d, t) => calls.push([d, t]) });
    expect(calls).toEqual([
      [10_000, 25_000],
      [20_000, 25_000],
      [25_000, 25_000],
    ]);
  });

  it("fails with INVALID_SPEC when a value does not fit its column", async () => {
    const spec = sampleSpec({ format: "xlsx", rows: 2 });
    (spec.tables[0]?.rows[1] as Record<string, unknown>).amount = "12 EUR";
    const error = await renderReport(spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderError);
    expect(error).toMatchObject({ type: "INVALID_SPEC", message: expect.stringContaining('row 2, column "amount"') });
  });

  it("stops when the signal aborts", async () => {
    const controller = new AbortController();
    controller.abort(new Error("shutting down"));
    await expect(renderReport(sampleSpec({ format: "xlsx" }), { signal: controller.signal })).rejects.toThrow(
      "shutting down",
    );
  });
});
