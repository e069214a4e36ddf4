import { PDFParse } from "pdf-parse";
import * as XLSX from "xlsx";

/** Downloads a finished report. */
export async function download(url: string): Promise<{ bytes: Buffer; response: Response }> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`download ${url}: ${response.status}`);
  return { bytes: Buffer.from(await response.arrayBuffer()), response };
}

/** The rows of one sheet, keyed by header. */
export function xlsxRows(bytes: Buffer, sheet: string): Array<Record<string, unknown>> {
  const book = XLSX.read(bytes, { cellDates: false });
  const ws = book.Sheets[sheet];
  if (!ws) throw new Error(`no sheet ${sheet} in ${book.SheetNames.join(", ")}`);
  return XLSX.utils.sheet_to_json(ws);
}

/** The PDF's text, all pages. */
export async function pdfText(bytes: Buffer): Promise<{ text: string; pages: number }> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    const result = await parser.getText();
    return { text: result.text, pages: result.total };
  } finally {
    await parser.destroy();
  }
}
