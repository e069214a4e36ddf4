import { type ReportSpecInput, reportSpec } from "@reports/contracts";
import { describe, expect, it } from "vitest";
import { renderReport } from "./index";
import { testPng } from "./testing/images";
import {
  pdfToText,
  readLayoutWithOpenpyxl,
  readWithLibreOffice,
  readWithOpenpyxl,
  withoutCachedResults,
} from "./testing/readers";

const regions = ["North", "South", "West"];
const cities = ["Berlin", "Paris"];
/** 24 rows in no order: every region and city, negative and large amounts. */
const rows = Array.from({ length: 24 }, (_, i) => ({
  region: regions[(i * 7) % 3] as string,
  city: cities[(i * 5) % 2] as string,
  amount: ((i * 389) % 1500) - 400,
  qty: i % 7,
}));

const grouped = (format: "xlsx" | "pdf", extra: Partial<ReportSpecInput> = {}, table: object = {}) =>
  reportSpec.parse({
    format,
    title: "Sales",
    tables: [
      {
        name: "Sales",
        groupBy: ["region", "city"],
        columns: [
          { key: "region", header: "Region" },
          { key: "city", header: "City" },
          {
            key: "amount",
            header: "Amount",
            type: "number",
            decimals: 2,
            totals: "sum",
            styles: [
              { when: { op: "<", value: 0 }, color: "#C00000" },
              { when: { op: ">=", value: 1000 }, background: "#FFF2CC", bold: true },
            ],
          },
          { key: "qty", header: "Qty", type: "integer", totals: "max", align: "center" },
        ],
        rows,
        ...table,
      },
    ],
    ...extra,
  });

/** What each group should sum to, computed here from the rows. */
function expectedSums() {
  const sums = new Map<string, number>();
  for (const row of rows) {
    for (const key of [row.region, `${row.region}/${row.city}`, ""]) sums.set(key, (sums.get(key) ?? 0) + row.amount);
  }
  return sums;
}

describe("grouped XLSX", () => {
  it("writes each group as an outline level with a live SUBTOTAL row under it, sorted by the group keys", async () => {
    const [sheet] = readLayoutWithOpenpyxl((await renderReport(grouped("xlsx"))).data);
    expect(sheet).toMatchObject({ summaryBelow: true, outlineLevelRow: 2 });
    const body = sheet?.rows.slice(1) ?? [];
    // 24 rows + 6 city subtotals + 3 region subtotals + the total
    expect(body).toHaveLength(34);
    const labels = body.filter((r) => r.level < 2).map((r) => [r.level, r.values[0], r.values[2], r.values[3]]);
    expect(labels.slice(0, 3)).toEqual([
      [1, "Total Berlin", "=SUBTOTAL(9,'Sales'!C2:C5)", "=SUBTOTAL(4,'Sales'!D2:D5)"],
      [1, "Total Paris", "=SUBTOTAL(9,'Sales'!C7:C10)", "=SUBTOTAL(4,'Sales'!D7:D10)"],
      [0, "Total North", "=SUBTOTAL(9,'Sales'!C2:C11)", "=SUBTOTAL(4,'Sales'!D2:D11)"],
    ]);
    expect(labels.at(-1)).toEqual([0, "Total", "=SUBTOTAL(9,'Sales'!C2:C34)", "=SUBTOTAL(4,'Sales'!D2:D34)"]);
    expect(body.filter((r) => r.level === 2).map((r) => r.values[0])).toEqual([
      ...Array(8).fill("North"),
      ...Array(8).fill("South"),
      ...Array(8).fill("West"),
    ]);
  });

  it("gives LibreOffice's own recalculation the right subtotals and grand total", async () => {
    const file = withoutCachedResults((await renderReport(grouped("xlsx"))).data);
    const shown = readWithLibreOffice(file).filter((r) => r[0]?.startsWith("Total"));
    const sums = expectedSums();
    const money = (n: number) => n.toLocaleString("en-US", { minimumFractionDigits: 2 });
    expect(shown.map((r) => [r[0], r[2]])).toEqual([
      ["Total Berlin", money(sums.get("North/Berlin") as number)],
      ["Total Paris", money(sums.get("North/Paris") as number)],
      ["Total North", money(sums.get("North") as number)],
      ["Total Berlin", money(sums.get("South/Berlin") as number)],
      ["Total Paris", money(sums.get("South/Paris") as number)],
      ["Total South", money(sums.get("South") as number)],
      ["Total Berlin", money(sums.get("West/Berlin") as number)],
      ["Total Paris", money(sums.get("West/Paris") as number)],
      ["Total West", money(sums.get("West") as number)],
      ["Total", money(sums.get("") as number)],
    ]);
  });

  it("continues a table on a further sheet, its SUBTOTALs reaching across sheets", async () => {
    const spec = grouped("xlsx", {}, { groupBy: ["region"] });
    const file = await renderReport(spec, { limits: { xlsxSheetRows: 20 } });
    const sheets = readLayoutWithOpenpyxl(file.data);
    expect(sheets.map((s) => [s.name, s.rows.length])).toEqual([
      ["Sales", 21],
      ["Sales (2)", 9],
    ]);
    const west = sheets[1]?.rows.find((r) => r.values[0] === "Total West");
    expect(west?.values[2]).toBe("=SUBTOTAL(9,'Sales'!C20:C21,'Sales (2)'!C2:C7)");
    const second = readWithLibreOffice(withoutCachedResults(file.data), 2);
    const shown = (label: string) => second.find((r) => r[0] === label)?.[2];
    const money = (n: number) => n.toLocaleString("en-US", { minimumFractionDigits: 2 });
    expect([shown("Total West"), shown("Total")]).toEqual([
      money(expectedSums().get("West") as number),
      money(expectedSums().get("") as number),
    ]);
    await expect(renderReport(spec, { limits: { xlsxSheetRows: 20, xlsxOverflow: "reject" } })).rejects.toMatchObject({
      type: "TOO_LARGE",
    });
  });

  it("takes presorted rows as they come: a value that comes back starts a new group", async () => {
    const spec = grouped(
      "xlsx",
      {},
      {
        groupBy: ["region"],
        presorted: true,
        rows: [
          { region: "A", amount: 1 },
          { region: "A", amount: 2 },
          { region: "B", amount: 4 },
          { region: "A", amount: 8 },
        ],
      },
    );
    const [sheet] = readLayoutWithOpenpyxl((await renderReport(spec)).data);
    expect(sheet?.rows.map((r) => [r.level, r.values[0], r.values[2]])).toEqual([
      [0, "Region", "Amount"],
      [1, "A", 1],
      [1, "A", 2],
      [0, "Total A", "=SUBTOTAL(9,'Sales'!C2:C3)"],
      [1, "B", 4],
      [0, "Total B", "=SUBTOTAL(9,'Sales'!C5:C5)"],
      [1, "A", 8],
      [0, "Total A", "=SUBTOTAL(9,'Sales'!C7:C7)"],
      [0, "Total", "=SUBTOTAL(9,'Sales'!C2:C8)"],
    ]);
  });
});

describe("sorting", () => {
  const sorted = (format: "xlsx" | "pdf") =>
    reportSpec.parse({
      format,
      title: "Sorted",
      tables: [
        {
          name: "Names",
          sort: [{ key: "n", direction: "desc" }, { key: "s" }],
          columns: [
            { key: "s", header: "S" },
            { key: "n", header: "N", type: "integer" },
          ],
          rows: [
            { s: "b", n: 1 },
            { s: "a", n: 2 },
            { s: "c", n: null },
            { s: "a", n: 1 },
            { s: "Ä", n: 2 },
          ],
        },
      ],
    });

  it("orders rows by the sort keys, stable, empty cells last, in XLSX and PDF alike", async () => {
    const [sheet] = readLayoutWithOpenpyxl((await renderReport(sorted("xlsx"))).data);
    const order = [
      ["a", 2],
      ["Ä", 2],
      ["a", 1],
      ["b", 1],
      ["c", null],
    ];
    expect(sheet?.rows.slice(1).map((r) => r.values)).toEqual(order);
    const lines = pdfToText((await renderReport(sorted("pdf"))).data, true)
      .split("\n")
      .map((l) => l.trim().split(/\s+/));
    expect(lines.filter((l) => l.length <= 2 && /^[aÄbc]$/.test(l[0] ?? "")).map((l) => l.join(" "))).toEqual([
      "a 2",
      "Ä 2",
      "a 1",
      "b 1",
      "c",
    ]);
  });
});

describe("XLSX layout", () => {
  const layout = {
    logo: { key: "logos/acme.png", contentType: "image/png" as const },
    header: { left: "ACME & Co", right: "{{generatedAt}} {{params.month}}" },
    footer: { center: "Page {{page}} of {{pages}}" },
    accentColor: "#1F4E79",
  };

  it("writes header and footer with Excel's page codes, the logo above the table, and real conditional formats", async () => {
    const spec = grouped("xlsx", { layout, timeZone: "Europe/Warsaw" });
    const file = await renderReport(spec, { assets: { logo: testPng(300, 80) }, generatedAt: "2026-12-07T05:30:00Z" });
    const [sheet] = readLayoutWithOpenpyxl(file.data);
    expect(sheet?.header).toEqual({
      left: "ACME && Co",
      center: null,
      right: "2026-12-07 06:30 GMT+1 {{params.month}}",
    });
    expect(sheet?.footer).toEqual({ left: null, center: "Page &P of &N", right: null });
    expect(sheet?.images).toBe(1);
    // the logo's row, then the header row
    expect(sheet?.rows[1]?.values.slice(0, 2)).toEqual(["Region", "City"]);
    expect(sheet?.conditional).toEqual([
      {
        range: "C3:C36",
        type: "cellIs",
        operator: "lessThan",
        formula: ["0"],
        stop: true,
        color: "FFC00000",
        fill: null,
        bold: false,
      },
      {
        range: "C3:C36",
        type: "cellIs",
        operator: "greaterThanOrEqual",
        formula: ["1000"],
        stop: true,
        color: null,
        fill: "FFFFF2CC",
        bold: true,
      },
    ]);
  });

  it("puts an ungrouped table under the logo's row: frozen header, filter and totals moved down by one", async () => {
    const spec = reportSpec.parse({
      format: "xlsx",
      title: "Plain",
      layout: { logo: layout.logo, footer: { right: "{{page}}/{{pages}}" } },
      tables: [
        {
          name: "Plain",
          columns: [
            { key: "s", header: "S", align: "right" },
            {
              key: "n",
              header: "N",
              type: "integer",
              totals: "sum",
              styles: [{ when: { op: "=", value: 0 }, bold: true }],
            },
          ],
          rows: [
            { s: "a", n: 1 },
            { s: "b", n: 0 },
            { s: "c", n: 5 },
          ],
        },
      ],
    });
    const file = await renderReport(spec, { assets: { logo: testPng(100, 100) } });
    const [sheet] = readLayoutWithOpenpyxl(file.data);
    expect(sheet?.images).toBe(1);
    expect(sheet?.footer.right).toBe("&P/&N");
    expect(sheet?.rows.map((r) => r.values)).toEqual([
      [null, null],
      ["S", "N"],
      ["a", 1],
      ["b", 0],
      ["c", 5],
      ["Total", "=SUBTOTAL(109,'Plain'!B3:B5)"],
    ]);
    // "= 0" would take an empty cell for 0: a blanks rule stops it first
    expect(sheet?.conditional.map((c) => [c.range, c.type, c.operator])).toEqual([
      ["B3:B6", "containsBlanks", null],
      ["B3:B6", "cellIs", "equal"],
    ]);
    const [details] = readWithOpenpyxl(file.data);
    expect(details).toMatchObject({ freeze: "A3", filter: "A2:B5" });
    expect(details?.cells.A3).toMatchObject({ value: "a" });
    expect(readWithLibreOffice(withoutCachedResults(file.data)).at(-1)).toEqual(["Total", "6"]);
  });

  it("refuses a logo whose bytes are not the image it claims, or that is missing", async () => {
    const spec = grouped("xlsx", { layout });
    await expect(
      renderReport(spec, { assets: { logo: Buffer.from("GIF89a not a png at all") } }),
    ).rejects.toMatchObject({
      type: "INVALID_SPEC",
      message: "the logo is not a PNG image",
    });
    await expect(renderReport(spec)).rejects.toMatchObject({ type: "INVALID_SPEC" });
  });
});

describe("grouped PDF", () => {
  it("shows group headings, subtotals and the total in order, with the header and footer's page numbers", async () => {
    const spec = grouped("pdf", {
      layout: { header: { left: "ACME" }, footer: { left: "Internal", right: "Page {{page}} of {{pages}}" } },
    });
    const text = pdfToText((await renderReport(spec)).data);
    const lines = text.split("\n").map((l) => l.trim());
    const marks = lines.filter((l) => /^(Region|City): |^Total/.test(l));
    expect(marks.slice(0, 7)).toEqual([
      "Region: North",
      "City: Berlin",
      expect.stringMatching(/^Total Berlin/),
      "City: Paris",
      expect.stringMatching(/^Total Paris/),
      expect.stringMatching(/^Total North/),
      "Region: South",
    ]);
    expect(marks.at(-1)).toMatch(/^Total\b/);
    expect(lines).toContain("ACME");
    expect(lines).toContain("Internal");
    expect(lines).toContain("Page 1 of 1");
  });

  it("never leaves a group heading at the foot of a page nor a subtotal alone at the top of one", async () => {
    const many = Array.from({ length: 400 }, (_, i) => ({
      region: `R${Math.floor(i / 7)}`,
      city: "C",
      amount: i,
      qty: 1,
    }));
    const spec = grouped("pdf", {}, { rows: many, groupBy: ["region"], presorted: true });
    const pages = pdfToText((await renderReport(spec)).data)
      .split("\f")
      .filter((p) => p.trim() !== "");
    expect(pages.length).toBeGreaterThan(3);
    for (const page of pages) {
      const lines = page
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !l.startsWith("Page "));
      const body = lines.filter((l) => !/^(Sales|Region\s+City)/.test(l));
      expect(body.at(-1)).not.toMatch(/^Region: /);
      expect(body[0]).not.toMatch(/^Total R/);
    }
  });
});
