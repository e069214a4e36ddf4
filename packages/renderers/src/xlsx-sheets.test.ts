import { type ReportSpecInput, reportSpec } from "@reports/contracts";
import { describe, expect, it } from "vitest";
import XLSX from "xlsx";
import { DEFAULT_RENDER_LIMITS, EXCEL_MAX_DATA_ROWS, RenderError, renderReport } from "./index";
import { resolveLimits } from "./limits";
import { readWithOpenpyxl } from "./testing/readers";

const xlsx = (input: Omit<ReportSpecInput, "format">) => reportSpec.parse({ ...input, format: "xlsx" });
const numbers = (rows: number, totals = false) =>
  xlsx({
    title: "Numbers",
    tables: [
      {
        name: "Sales",
        columns: [
          { key: "n", header: "N", type: "integer", ...(totals ? { totals: "count" as const } : {}) },
          { key: "v", header: "Value", type: "number", ...(totals ? { totals: "sum" as const } : {}) },
        ],
        rows: Array.from({ length: rows }, (_, i) => ({ n: i + 1, v: i + 0.5 })),
      },
    ],
  });

describe("XLSX totals row", () => {
  const spec = xlsx({
    title: "Totals",
    tables: [
      {
        name: "T",
        columns: [
          { key: "name", header: "Name" },
          { key: "qty", header: "Qty", type: "integer", totals: "sum" },
          { key: "price", header: "Price", type: "currency", currency: "USD", totals: "avg" },
          { key: "day", header: "Day", type: "date", totals: "max" },
          { key: "low", header: "Low", type: "number", totals: "min" },
          { key: "paid", header: "Paid", type: "boolean", totals: "count" },
        ],
        rows: [
          { name: "a", qty: 2, price: 10, day: "2026-01-15", low: 3.5, paid: true },
          { name: "b", qty: 3, price: 20, day: "2026-03-01", low: -1.25, paid: null },
          { name: "c", qty: 5, price: null, day: "2025-12-31", low: 7, paid: false },
        ],
      },
    ],
  });

  it("ends the table with live SUBTOTALs, their values cached, bold and formatted like the column", async () => {
    const data = (await renderReport(spec)).data;
    const [sheet] = readWithOpenpyxl(data);
    expect(sheet?.filter).toBe("A1:F4");
    expect(sheet?.dimensions).toBe("A1:F5");
    expect(sheet?.cells.A5).toMatchObject({ value: "Total", bold: true });
    expect(sheet?.cells.B5).toMatchObject({ value: "=SUBTOTAL(109,'T'!B2:B4)", bold: true, format: "#,##0" });
    expect(sheet?.cells.C5).toMatchObject({ value: "=SUBTOTAL(101,'T'!C2:C4)", format: '"$"#,##0.00' });
    expect(sheet?.cells.D5).toMatchObject({ value: "=SUBTOTAL(104,'T'!D2:D4)", format: "yyyy-mm-dd" });
    expect(sheet?.cells.F5).toMatchObject({ value: "=SUBTOTAL(103,'T'!F2:F4)", format: "#,##0" });
    const cached = XLSX.read(data, { type: "buffer" }).Sheets.T ?? {};
    expect(["B5", "C5", "D5", "E5", "F5"].map((a) => cached[a]?.v)).toEqual([10, 15, 46_082, -1.25, 2]);
  });
});

describe("XLSX totals formulas", () => {
  it("quote and escape the sheet names they refer to", async () => {
    const spec = xlsx({
      title: "Names",
      tables: [
        {
          name: "R&D <x> 'q' ok",
          columns: [{ key: "a", header: "A", type: "number", totals: "sum" }],
          rows: [{ a: 1 }, { a: 2 }],
        },
      ],
    });
    const [sheet] = readWithOpenpyxl((await renderReport(spec)).data);
    expect(sheet?.name).toBe("R&D <x> 'q' ok");
    expect(sheet?.cells.A4?.value).toBe("=SUBTOTAL(109,'R&D <x> ''q'' ok'!A2:A3)");
  });
});

describe("XLSX sheets and row limits", () => {
  it("continues a table longer than a sheet on sheets named Name (2), Name (3), each with its header", async () => {
    const data = (await renderReport(numbers(7, true), { limits: { xlsxSheetRows: 3 } })).data;
    const sheets = readWithOpenpyxl(data);
    expect(sheets.map((s) => [s.name, s.dimensions, s.filter, s.freeze])).toEqual([
      ["Sales", "A1:B4", "A1:B4", "A2"],
      ["Sales (2)", "A1:B4", "A1:B4", "A2"],
      ["Sales (3)", "A1:B3", "A1:B2", "A2"],
    ]);
    expect(sheets.map((s) => [s.cells.A1?.value, s.cells.A2?.value])).toEqual([
      ["N", 1],
      ["N", 4],
      ["N", 7],
    ]);
    expect(sheets[2]?.cells.B3?.value).toBe("=SUBTOTAL(109,'Sales'!B2:B4,'Sales (2)'!B2:B4,'Sales (3)'!B2:B2)");
    expect(XLSX.read(data, { type: "buffer" }).Sheets["Sales (3)"]?.B3?.v).toBe(24.5);
  });

  it("puts the totals row on a sheet of its own when the last sheet is full", async () => {
    const sheets = readWithOpenpyxl((await renderReport(numbers(3, true), { limits: { xlsxSheetRows: 3 } })).data);
    expect(sheets.map((s) => [s.name, s.dimensions])).toEqual([
      ["Sales", "A1:B4"],
      ["Sales (2)", "A1:B2"],
    ]);
    expect(sheets[1]?.cells.B2?.value).toBe("=SUBTOTAL(109,'Sales'!B2:B4)");
  });

  it("rejects a table longer than a sheet with TOO_LARGE when the setting says so", async () => {
    const error = await renderReport(numbers(4), { limits: { xlsxSheetRows: 3, xlsxOverflow: "reject" } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RenderError);
    expect(error).toMatchObject({ type: "TOO_LARGE", message: 'table "Sales" has 4 rows; a sheet holds 3' });
    const fits = await renderReport(numbers(3), { limits: { xlsxSheetRows: 3, xlsxOverflow: "reject" } });
    expect(fits.extension).toBe("xlsx");
  });

  it("splits at Excel's limit by default, and never lets a sheet hold more", () => {
    expect(DEFAULT_RENDER_LIMITS).toMatchObject({ xlsxSheetRows: EXCEL_MAX_DATA_ROWS, xlsxOverflow: "split" });
    expect(EXCEL_MAX_DATA_ROWS).toBe(1_048_575);
    expect(resolveLimits({ xlsxSheetRows: 2_000_000 }).xlsxSheetRows).toBe(EXCEL_MAX_DATA_ROWS);
    expect(resolveLimits({ pdfMaxRows: undefined }).pdfMaxRows).toBe(100_000);
    expect(resolveLimits({ pdfMaxRows: 5 }, { xlsxSheetRows: 10 })).toEqual({
      pdfMaxRows: 5,
      xlsxSheetRows: 10,
      xlsxOverflow: "split",
    });
  });
});
