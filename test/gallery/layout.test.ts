import PDFDocument from "pdfkit";
import { describe, expect, it } from "vitest";
import { pdfLayoutProblems } from "./layout";

/** A cell drawn at a column's left edge plus padding (`x` is the column's left edge), or a string anywhere. */
interface Drawn {
  text: string;
  x: number;
  row: number;
  bold?: boolean;
  size?: number;
}

const COLUMNS = [40, 160, 280];

/** A table as a renderer would draw it: a title, a bold header row, body rows, a footer; then `extra` strings. */
function tablePdf(body: Drawn[], header: Drawn[] = COLUMNS.map((x, i) => ({ text: `Column ${i + 1}`, x, row: 0 }))) {
  const doc = new PDFDocument({ size: "A4", margin: 36 });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));
  doc.font("Helvetica-Bold").fontSize(16).text("Report", 36, 36, { lineBreak: false });
  for (const cell of [...header.map((h) => ({ ...h, bold: h.bold ?? true })), ...body]) {
    doc
      .font(cell.bold ? "Helvetica-Bold" : "Helvetica")
      .fontSize(cell.size ?? 8)
      .text(cell.text, cell.x + 3, 80 + cell.row * 12, { lineBreak: false });
  }
  doc.font("Helvetica").fontSize(8).text("Page 1 of 1", 500, 800, { lineBreak: false });
  doc.end();
  return done;
}

const row = (r: number, texts: string[]): Drawn[] => texts.map((text, i) => ({ text, x: COLUMNS[i] ?? 0, row: r }));
const clean = [...row(1, ["Zażółć", "2026-01-01", "1,000.00"]), ...row(2, ["Ørsted A/S", "2026-02-02", "12.50"])];

describe("the PDF layout check", () => {
  it("finds nothing wrong with a table whose strings stay in their columns", async () => {
    expect(await pdfLayoutProblems(await tablePdf(clean))).toEqual([]);
  });

  it("finds two strings drawn over each other", async () => {
    const problems = await pdfLayoutProblems(
      await tablePdf([
        ...clean,
        { text: "2026-09-30 and more", x: 160, row: 3 },
        { text: "2026-11-23", x: 230, row: 3 },
      ]),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ kind: "overlap", detail: '"2026-09-30 and more" and "2026-11-23" overlap' }),
    );
  });

  it("finds a string that crosses into the next column without touching anything", async () => {
    const long = { text: "a value far wider than its column of 120 points", x: 40, row: 3 };
    const problems = await pdfLayoutProblems(await tablePdf([...clean, long]));
    expect(problems.map((p) => p.kind)).toEqual(["column"]);
    expect(problems[0]?.detail).toContain('under "Column 1" and "Column 2"');
  });

  it("finds a header that runs into its neighbour's column", async () => {
    const header = [
      { text: "A header much wider than its own column", x: 40, row: 0 },
      { text: "B", x: 240, row: 0 },
      { text: "C", x: 280, row: 0 },
    ];
    const problems = await pdfLayoutProblems(await tablePdf(clean, header));
    expect(problems).toContainEqual({
      page: 1,
      kind: "column",
      detail: 'header "A header much wider than its own column" spans 2 columns',
    });
  });

  it("finds a number broken over two lines with a hyphen", async () => {
    const problems = await pdfLayoutProblems(
      await tablePdf([...clean, ...row(3, ["x", "", "$1,000,0-"]), ...row(4, ["", "", "00.00"])]),
    );
    expect(problems).toEqual([
      expect.objectContaining({ kind: "broken-number", detail: expect.stringContaining("$1,000,0-") }),
    ]);
  });

  it("finds text drawn past the page's edge", async () => {
    const problems = await pdfLayoutProblems(
      await tablePdf([...clean, { text: "off the edge of the page", x: 520, row: 5 }]),
    );
    expect(problems.map((p) => p.kind)).toContain("off-page");
  });

  it("takes a bold row under the body for totals, not for a second header", async () => {
    const totals = row(3, ["Total", "", "1,012.50"]).map((c) => ({ ...c, bold: true }));
    expect(await pdfLayoutProblems(await tablePdf([...clean, ...totals]))).toEqual([]);
  });
});
