import { type ReportSpecInput, type Row, reportSpec } from "@reports/contracts";
import { describe, expect, it } from "vitest";
import { renderReport } from "./index";
import type { RowSource } from "./rows";
import { readWithLibreOffice, readWithOpenpyxl } from "./testing/readers";

const xlsx = (input: Omit<ReportSpecInput, "format">) => reportSpec.parse({ ...input, format: "xlsx" });

describe("XLSX that says what it means", () => {
  const zones = xlsx({
    title: "Zones",
    timeZone: "Europe/Warsaw",
    tables: [
      {
        name: "T",
        columns: [
          { key: "at", header: "At", type: "datetime" },
          { key: "utc", header: "UTC", type: "datetime", timeZone: "UTC" },
          { key: "n", header: "N", type: "number" },
          { key: "d", header: "D", type: "number", decimals: 2 },
        ],
        rows: [
          { at: "2026-01-15T10:00:00Z", utc: "2026-01-15T21:30:00+05:30", n: 1e-7, d: 1e-7 },
          { at: "2026-07-15T10:00:00Z", utc: "2026-07-15T10:00:00Z", n: 12.34567, d: 12.34567 },
          { n: 1234567.5, d: 0.1 + 0.2 },
        ],
      },
    ],
  });

  it("writes date-times in the zone of their column, else the spec's, with the zone's name in the format", async () => {
    const [sheet] = readWithOpenpyxl((await renderReport(zones)).data);
    const cells = sheet?.cells ?? {};
    expect(cells.A2).toMatchObject({ value: "2026-01-15T11:00:00", format: 'yyyy-mm-dd hh:mm:ss "GMT+1"' });
    expect(cells.A3).toMatchObject({ value: "2026-07-15T12:00:00", format: 'yyyy-mm-dd hh:mm:ss "GMT+2"' });
    expect(cells.B2).toMatchObject({ value: "2026-01-15T16:00:00", format: 'yyyy-mm-dd hh:mm:ss "UTC"' });
  });

  it("keeps a number without decimals as given, and rounds one with decimals", async () => {
    const [sheet] = readWithOpenpyxl((await renderReport(zones)).data);
    const cells = sheet?.cells ?? {};
    expect(cells.C2).toMatchObject({ value: 1e-7, format: "#,##0.0000000" });
    expect(cells.C3).toMatchObject({ value: 12.34567, format: "#,##0.00000" });
    expect(cells.D3).toMatchObject({ value: 12.34567, format: "#,##0.00" });
  });

  it("shows LibreOffice users the values and zones the PDF shows", async () => {
    expect(readWithLibreOffice((await renderReport(zones)).data)).toEqual([
      ["At", "UTC", "N", "D"],
      ["2026-01-15 11:00:00 GMT+1", "2026-01-15 16:00:00 UTC", "0.0000001", "0.00"],
      ["2026-07-15 12:00:00 GMT+2", "2026-07-15 10:00:00 UTC", "12.34567", "12.35"],
      ["", "", "1,234,567.5", "0.30"],
    ]);
  });

  it("formats a totals row of numbers shown as given by the total's own decimals", async () => {
    const spec = xlsx({
      title: "Totals",
      tables: [
        {
          name: "T",
          columns: [
            { key: "n", header: "N", type: "number", totals: "sum" },
            { key: "a", header: "A", type: "number", totals: "avg" },
          ],
          rows: [
            { n: 0.1, a: 1 },
            { n: 0.2, a: 2 },
          ],
        },
      ],
    });
    const [sheet] = readWithOpenpyxl((await renderReport(spec)).data);
    expect(sheet?.cells.A4).toMatchObject({ format: "#,##0.0", bold: true });
    expect(sheet?.cells.B4).toMatchObject({ format: "#,##0.00", bold: true });
  });
});

describe("XLSX column widths", () => {
  const columns = [
    { key: "text", header: "Text" },
    { key: "cjk", header: "CJK" },
    { key: "fixed", header: "Fixed", width: 12 },
  ];

  /** Rows in chunks of 10, as a streamed input arrives: the sample spans chunks. */
  function streamed(rows: Row[]): RowSource {
    return {
      count: rows.length,
      async *chunks() {
        for (let i = 0; i < rows.length; i += 10) yield rows.slice(i, i + 10);
      },
    };
  }

  it("follow the widest value of the first 500 rows across chunks, count CJK twice, and stop at 60", async () => {
    const rows: Row[] = Array.from({ length: 600 }, () => ({ text: "short", cjk: "販売", fixed: "x".repeat(40) }));
    rows[300] = { text: "a value of thirty characters..", cjk: "販売報告書" };
    rows[550] = { text: "x".repeat(200) }; // past the sample: it does not widen the column
    const spec = xlsx({ title: "Widths", tables: [{ name: "T", columns, rows: [] }] });
    const file = await renderReport(spec, { rows: [streamed(rows)] });
    const [sheet] = readWithOpenpyxl(file.data, 2);
    expect(sheet?.widths).toMatchObject({ A: 32, B: 12, C: 12 });

    rows[100] = { text: "y".repeat(200) };
    const capped = await renderReport(spec, { rows: [streamed(rows)] });
    expect(readWithOpenpyxl(capped.data, 2)[0]?.widths.A).toBe(60);
  });
});

describe("prototype-named columns", () => {
  it("hold the row's own values, and nothing when a row has none", async () => {
    const keys = ["constructor", "toString", "__proto__", "hasOwnProperty"];
    const spec = reportSpec.parse(
      JSON.parse(
        JSON.stringify({
          format: "xlsx",
          title: "Proto",
          tables: [{ name: "P", columns: keys.map((key) => ({ key, header: key, type: "integer" })), rows: [] }],
        }).replace('"rows":[]', '"rows":[{}, {"constructor": 1, "toString": 2, "__proto__": 3, "hasOwnProperty": 4}]'),
      ),
    );
    const [sheet] = readWithOpenpyxl((await renderReport(spec)).data);
    const cells = sheet?.cells ?? {};
    expect(["A2", "B2", "C2", "D2"].map((a) => cells[a])).toEqual([undefined, undefined, undefined, undefined]);
    expect(["A3", "B3", "C3", "D3"].map((a) => cells[a]?.value)).toEqual([1, 2, 3, 4]);
  });
});
