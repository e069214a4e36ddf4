import { type ReportSpecInput, reportSpec } from "@reports/contracts";
import { sampleSpec } from "@reports/contracts/testing";
import { PDFParse } from "pdf-parse";
import { describe, expect, it } from "vitest";
import { RenderError, renderReport } from "./index";

async function pagesOf(data: Buffer): Promise<string[]> {
  const parser = new PDFParse({ data: new Uint8Array(data) });
  try {
    const text = await parser.getText();
    return text.pages.map((p) => p.text);
  } finally {
    await parser.destroy();
  }
}

const pdf = (input: Omit<ReportSpecInput, "format">) => reportSpec.parse({ ...input, format: "pdf" });

describe("renderReport to PDF", () => {
  // First in the file: it needs a thread where no PDF was rendered yet.
  it("keeps letters extractable after one the font composes from parts (ć = c + ◌́)", async () => {
    const one = (text: string) =>
      pdf({ title: "T", tables: [{ name: "T", columns: [{ key: "a", header: "A" }], rows: [{ a: text }] }] });
    await renderReport(one("ć"));
    const [page] = await pagesOf((await renderReport(one("abc.com ćma"))).data);
    expect(page).toContain("abc.com ćma");
  });

  it("shows the title, the table's name, headers and formatted values, in Polish and Cyrillic", async () => {
    const file = await renderReport(sampleSpec({ format: "pdf", rows: 3 }));
    expect(file).toMatchObject({ extension: "pdf", contentType: "application/pdf" });
    expect(file.data.subarray(0, 5).toString()).toBe("%PDF-");
    const [page, ...rest] = await pagesOf(file.data);
    expect(rest).toEqual([]);
    expect(page).toContain("Sales — Łódź & Привет");
    expect(page).toContain("Orders");
    expect(page).toContain("Order Customer Amount Weight Discount Day Created Paid");
    expect(page).toContain("1 Zażółć gęślą jaźń €12.35 0.25 0.00% 2026-01-15 2026-11-23 00:30:00 UTC Yes");
    expect(page).toContain("2 Customer 2 €24.69 1.25 1.00% 2026-02-15 2026-11-23 01:30:00 UTC No");
    expect(page).toContain("Page 1 of 1");
  });

  it("repeats the header row on every page and numbers the pages", async () => {
    const pages = await pagesOf((await renderReport(sampleSpec({ format: "pdf", rows: 120 }))).data);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const second = pages[1] ?? "";
    expect(second).toContain("Orders (continued)");
    expect(second).toContain("Order Customer Amount Weight Discount Day Created Paid");
    expect(second).toContain(`Page 2 of ${pages.length}`);
    expect(second).not.toContain("Sales — Łódź");
    // Every row is on exactly one page, in order.
    const ids = pages.flatMap((p) => [...p.matchAll(/^(\d+) Customer/gm)].map((m) => Number(m[1])));
    expect(ids).toEqual(Array.from({ length: 119 }, (_, i) => i + 2));
  });

  it("puts several tables one after another, each under its name", async () => {
    const spec = pdf({
      title: "Two tables",
      tables: [
        { name: "Ελληνικά", columns: [{ key: "w", header: "Λέξη" }], rows: [{ w: "Καλημέρα" }] },
        { name: "Totals", columns: [{ key: "n", header: "Count", type: "integer" }], rows: [{ n: 1234567 }] },
      ],
    });
    const [page] = await pagesOf((await renderReport(spec)).data);
    expect(page).toMatch(/Two tables\nΕλληνικά\nΛέξη\nΚαλημέρα\nTotals\nCount\n1,234,567/);
  });

  it("uses the spec's page size and orientation, A4 portrait by default", async () => {
    const mediaBox = async (options: ReportSpecInput["pdf"]) => {
      const spec = pdf({
        title: "Size",
        pdf: options,
        tables: [{ name: "T", columns: [{ key: "a", header: "A" }], rows: [] }],
      });
      const box = (await renderReport(spec)).data.toString("latin1").match(/\/MediaBox \[([^\]]+)\]/)?.[1];
      return box?.split(" ").map((n) => Math.round(Number(n)));
    };
    expect(await mediaBox(undefined)).toEqual([0, 0, 595, 842]);
    expect(await mediaBox({ pageSize: "Letter", orientation: "landscape" })).toEqual([0, 0, 792, 612]);
    expect(await mediaBox({ pageSize: "A4", orientation: "landscape" })).toEqual([0, 0, 842, 595]);
  });

  it("wraps long text inside its column and cuts what would not fit in a few lines", async () => {
    const spec = pdf({
      title: "Long text",
      tables: [
        {
          name: "Notes",
          columns: [
            { key: "id", header: "Id", type: "integer" },
            { key: "note", header: "Note" },
          ],
          rows: [
            { id: 1, note: "lorem ipsum ".repeat(2700) },
            { id: 2, note: `https://example.com/${"x".repeat(300)}` },
          ],
        },
      ],
    });
    const pages = await pagesOf((await renderReport(spec)).data);
    expect(pages).toHaveLength(1);
    const lines = (pages[0] ?? "").split("\n");
    const first = lines.findIndex((l) => l.startsWith("1 lorem"));
    expect(lines.slice(first, first + 4).join(" ")).toMatch(/^1 lorem ipsum .*…$/);
    // A word wider than the column breaks between characters, without a hyphen (it could read as a minus).
    expect(lines[first + 4]).toMatch(/^2 https:\/\/example\.com\/x*$/);
  });

  it("fits every planned page on the paper, whatever the rows' heights", async () => {
    const words = ["Łódź", "WWWW", "mmmm", "Привет", "i", "https://example.com/a/very/long/path/without/spaces"];
    const spec = pdf({
      title: "Mixed heights ".repeat(12),
      pdf: { pageSize: "Letter", orientation: "portrait" },
      tables: ["First", "A second table with a name long enough to wrap onto another line"].map((name) => ({
        name,
        columns: [
          { key: "n", header: "Number with a long header that wraps", type: "number" },
          { key: "t", header: "Text", width: 12 },
          { key: "u", header: "Other", width: 6 },
        ],
        rows: Array.from({ length: 90 }, (_, i) => ({
          n: i * 1000.5,
          t: Array.from({ length: (i * 7) % 23 }, (_, w) => words[(i + w) % words.length]).join(" "),
          u: i % 4 === 0 ? "x\ny\nz" : "short",
        })),
      })),
    });
    const data = (await renderReport(spec)).data.toString("latin1");
    const boxes = [...data.matchAll(/\/MediaBox \[([^\]]+)\]/g)].map((m) => m[1]);
    expect(boxes.length).toBeGreaterThan(4);
    expect(new Set(boxes)).toEqual(new Set(["0 0 612 792"]));
  });

  it("fails with INVALID_SPEC when a value does not fit its column", async () => {
    const spec = sampleSpec({ format: "pdf", rows: 2 });
    (spec.tables[0]?.rows[0] as Record<string, unknown>).day = "15.01.2026";
    const error = await renderReport(spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderError);
    expect(error).toMatchObject({ type: "INVALID_SPEC", message: expect.stringContaining('row 1, column "day"') });
  });
});
