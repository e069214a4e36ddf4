import { type ReportSpecInput, reportSpec } from "@reports/contracts";
import { describe, expect, it } from "vitest";
import { renderReport } from "./index";
import { LAYOUT } from "./pdf-layout";
import { overlappingWords, pdfFonts, pdfToText, pdfWords } from "./testing/readers";

const pdf = (input: Omit<ReportSpecInput, "format">) => reportSpec.parse({ ...input, format: "pdf" });

const TYPES = ["string", "integer", "number", "currency", "percent", "date", "datetime", "boolean"] as const;
const SAMPLE: Record<(typeof TYPES)[number], (i: number) => string | number | boolean> = {
  string: (i) => `Customer ${i} with a fairly long name`,
  integer: (i) => i * 1234567,
  number: (i) => i * 3.25,
  currency: (i) => i * 1_000_000,
  percent: (i) => i / 7,
  date: () => "2026-09-03",
  datetime: () => "2026-11-23T21:30:00+05:30",
  boolean: (i) => i % 2 === 0,
};

/** A table of `n` columns cycling through every type, with values as wide as real ones. */
function wideTable(n: number, rows = 30) {
  const columns = Array.from({ length: n }, (_, c) => {
    const type = TYPES[c % TYPES.length] as (typeof TYPES)[number];
    return { key: `c${c}`, header: `${type} ${c}`, type, ...(type === "currency" ? { currency: "USD" } : {}) };
  });
  return {
    name: "Wide",
    columns,
    rows: Array.from({ length: rows }, (_, i) =>
      Object.fromEntries(columns.map((c) => [c.key, SAMPLE[c.type](i + 1)])),
    ),
  };
}

/** Every word inside the page's margins, and no two words of a line on top of each other. */
function expectNoOverlap(data: Buffer) {
  const { pages, words } = pdfWords(data);
  expect(words.length).toBeGreaterThan(0);
  expect(overlappingWords(words).map(([a, b]) => `${a.text} | ${b.text}`)).toEqual([]);
  for (const word of words) {
    const page = pages[word.page - 1] as { width: number };
    expect(word.xMin).toBeGreaterThanOrEqual(LAYOUT.margin - 1);
    expect(word.xMax).toBeLessThanOrEqual(page.width - LAYOUT.margin + 1);
  }
  return { pages, words };
}

describe("PDF column layout", () => {
  it("fits 10 columns on A4 portrait without a word on top of another, numbers and dates whole", async () => {
    const spec = pdf({ title: "Ten", pdf: { pageSize: "A4", orientation: "portrait" }, tables: [wideTable(10)] });
    const { data } = await renderReport(spec);
    const { pages, words } = expectNoOverlap(data);
    expect(pages[0]?.width).toBeCloseTo(595.28, 1);
    const texts = new Set(words.map((w) => w.text));
    for (const whole of ["2026-09-03", "$30,000,000.00", "37,037,010", "16:00:00", "428.57%"]) {
      expect(texts).toContain(whole);
    }
  });

  it("turns the page to landscape when the spec leaves the orientation open and portrait is too narrow", async () => {
    const { data } = await renderReport(pdf({ title: "Ten", tables: [wideTable(12)] }));
    const { pages } = expectNoOverlap(data);
    expect(pages[0]?.width).toBeCloseTo(841.89, 1);
    expect(pages[0]?.height).toBeCloseTo(595.28, 1);
  });

  it("splits 30 columns into groups that repeat the key column and the header", async () => {
    const { data } = await renderReport(pdf({ title: "Thirty", tables: [wideTable(30, 5)] }));
    const { words } = expectNoOverlap(data);
    // Narrow headers wrap onto a second line.
    const text = pdfToText(data).replace(/\s+/g, " ");
    expect(text).toMatch(/Wide \(columns 1, 2–\d+ of 30\)/);
    // Every column's header is printed, and the key column's header once per group.
    const texts = new Set(words.map((w) => w.text));
    for (let c = 1; c < 30; c++) expect(texts).toContain(String(c));
    const groups = [...text.matchAll(/Wide \(columns/g)].length;
    expect(groups).toBeGreaterThan(1);
    // Column 0 in every group, and the other text columns (8, 16, 24) once: five rows each.
    expect(words.filter((w) => w.text === "Customer").length).toBe(5 * (groups + 3));
  });

  it("never wraps or cuts huge and negative numbers", async () => {
    const spec = pdf({
      title: "Numbers",
      tables: [
        {
          name: "N",
          columns: [
            { key: "a", header: "Int", type: "integer" },
            { key: "b", header: "Number", type: "number", decimals: 2 },
            { key: "c", header: "Money", type: "currency", currency: "USD" },
            { key: "d", header: "Note" },
          ],
          rows: [
            { a: 9007199254740991, b: -1e15, c: 1e15, d: "lorem ipsum ".repeat(40) },
            { a: -9007199254740991, b: 0.5, c: -1e9, d: "x" },
          ],
        },
      ],
    });
    const { data } = await renderReport(spec);
    const { words } = expectNoOverlap(data);
    const texts = words.map((w) => w.text);
    for (const n of ["9,007,199,254,740,991", "-9,007,199,254,740,991", "-1,000,000,000,000,000.00"]) {
      expect(texts).toContain(n);
    }
    expect(texts).toContain("$1,000,000,000,000,000.00");
  });

  it("cuts text after the spec's maxLines with an ellipsis", async () => {
    const spec = pdf({
      title: "Lines",
      pdf: { pageSize: "A4", maxLines: 2 },
      tables: [
        {
          name: "T",
          columns: [
            { key: "a", header: "A", width: 20 },
            { key: "b", header: "B", width: 20 },
          ],
          rows: [{ a: "word ".repeat(100), b: "x" }],
        },
      ],
    });
    const lines = pdfToText((await renderReport(spec)).data).split("\n");
    const cell = lines.filter((l) => l.startsWith("word"));
    expect(cell).toHaveLength(2);
    expect(cell[1]).toMatch(/…$/);
  });
});

describe("PDF fonts", () => {
  const scripts = pdf({
    title: "報告 — 보고서 — تقرير — דוח",
    tables: [
      {
        name: "Scripts 文字",
        columns: [
          { key: "s", header: "Script" },
          { key: "t", header: "Text" },
        ],
        rows: [
          { s: "Chinese", t: "东京是日本的首都" },
          { s: "Japanese", t: "こんにちは、カタカナ" },
          { s: "Korean", t: "안녕하세요 세계" },
          { s: "Arabic", t: "مرحبا بالعالم" },
          { s: "Hebrew", t: "שלום עולם" },
          { s: "Devanagari", t: "नमस्ते दुनिया" },
          { s: "Thai", t: "สวัสดีชาวโลก" },
          { s: "Emoji", t: "Party 🎉 👍" },
          { s: "Tab", t: "alpha\tbeta" },
        ],
      },
    ],
  });

  it("sets every text, title and footer included, in embedded fonts, never a standard 14 font", async () => {
    const { data, warnings } = await renderReport(scripts);
    const fonts = pdfFonts(data);
    expect(fonts.length).toBeGreaterThan(5);
    for (const font of fonts) {
      expect(font).toMatchObject({ embedded: true });
      expect(font.name).not.toMatch(/Helvetica|Times|Courier|Symbol|ZapfDingbats/);
    }
    expect(fonts.map((f) => f.name.replace(/^[A-Z]{6}\+/, ""))).toEqual(
      expect.arrayContaining([
        "NotoSansSC-Bold",
        "NotoSansArabic-Regular",
        "NotoSansHebrew-Regular",
        "NotoEmoji-Regular",
      ]),
    );
    expect(warnings).toEqual([]);
    const text = pdfToText(data);
    for (const shown of ["報告", "东京是日本的首都", "こんにちは", "안녕하세요", "Page 1 of 1", "alpha beta"]) {
      expect(text).toContain(shown);
    }
  });

  it("embeds only the fonts a report's text needs", async () => {
    const { data } = await renderReport(pdf({ title: "Plain", tables: [wideTable(3, 2)] }));
    expect(pdfFonts(data).map((f) => f.name.replace(/^[A-Z]{6}\+/, ""))).toEqual(["DejaVuSans-Bold", "DejaVuSans"]);
  });

  it("orders right-to-left text right to left, right-aligned in its cell", async () => {
    const { words } = pdfWords((await renderReport(scripts)).data);
    const word = (letter: string) => words.find((w) => w.text.includes(letter)) as { xMin: number; xMax: number };
    // "שלום עולם": "שלום" is read first, so it stands right of "עולם", at the cell's right edge.
    expect(word("ש").xMin).toBeGreaterThan(word("ע").xMax);
    expect(word("ע").xMin).toBeGreaterThan(word("Hebrew").xMax + 100);
  });

  it("reports characters no font has as a MISSING_GLYPHS warning, and still makes the file", async () => {
    const spec = pdf({
      title: "Private use",
      tables: [
        {
          name: "T",
          columns: [{ key: "a", header: "A" }],
          rows: [{ a: "x \u{E000}" }, { a: "\u{E001}\u{E000}" }, { a: "fine" }],
        },
      ],
    });
    const { data, warnings } = await renderReport(spec);
    expect(data.subarray(0, 5).toString()).toBe("%PDF-");
    expect(warnings).toEqual([
      {
        code: "MISSING_GLYPHS",
        message: expect.stringContaining("U+E000, U+E001"),
        codePoints: ["U+E000", "U+E001"],
        cells: 2,
      },
    ]);
  });
});
