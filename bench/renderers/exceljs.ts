import { PassThrough } from "node:stream";
import type { ReportSpec } from "@reports/contracts";
import ExcelJS from "exceljs";

const FORMATS: Record<string, string> = {
  integer: "#,##0",
  number: "#,##0.00",
  currency: '"€"#,##0.00',
  percent: "0.00%",
  date: "yyyy-mm-dd",
  datetime: "yyyy-mm-dd hh:mm:ss",
};

/**
 * The baseline: ExcelJS's streaming writer called the documented way, with the features our XLSX has
 * (bold frozen header, autofilter, widths, number formats, real dates), into a Buffer like ours.
 */
export async function excelJsXlsx(spec: ReportSpec): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const stream = new PassThrough();
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  for (const table of spec.tables) {
    const sheet = workbook.addWorksheet(table.name, { views: [{ state: "frozen", ySplit: 1 }] });
    sheet.columns = table.columns.map((c) => {
      const numFmt = FORMATS[c.type];
      return { header: c.header, key: c.key, width: c.width ?? 14, ...(numFmt ? { style: { numFmt } } : {}) };
    });
    sheet.getRow(1).font = { bold: true };
    sheet.autoFilter = {
      from: { row: 1, column: 1 },
      to: { row: table.rows.length + 1, column: table.columns.length },
    };
    const dates = table.columns.filter((c) => c.type === "date" || c.type === "datetime").map((c) => c.key);
    for (const values of table.rows) {
      const cells: Record<string, unknown> = { ...values };
      for (const key of dates) if (typeof values[key] === "string") cells[key] = new Date(values[key] as string);
      sheet.addRow(cells).commit();
    }
    sheet.commit();
  }
  await workbook.commit();
  return Buffer.concat(chunks);
}
