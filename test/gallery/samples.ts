import { type ColumnInput, type ReportSpecInput, type Row, reportSpec } from "@reports/contracts";
import type { RenderAssets } from "@reports/renderers";
import { testPng } from "@reports/renderers/testing";

/**
 * The gallery's sample reports: the tables a new user tries first, and the ones that broke before (issue 14).
 * Every value is computed from the row index, never from the clock or a random source, so a render today and a
 * render next year give the same pages.
 */
export interface Sample {
  /** File name in docs/gallery/ (no extension). */
  name: string;
  /** What it shows, for the index page. */
  about: string;
  spec: Omit<ReportSpecInput, "format">;
  /** The files the spec refers to (its logo). */
  assets?: RenderAssets;
  /** Every page goes to the gallery as a picture (`{name}-page-{n}.png`), not only the first. */
  allPages?: boolean;
}

/** A small deterministic sequence (an LCG), so the data looks varied and never changes. */
function sequence(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const pad = (n: number) => String(n).padStart(2, "0");
const dateOf = (i: number) => `2026-${pad((i % 12) + 1)}-${pad((i % 28) + 1)}`;
const dateTimeOf = (i: number, offset = "Z") => `${dateOf(i)}T${pad((i * 7) % 24)}:${pad((i * 13) % 60)}:00${offset}`;

const customers = ["Zażółć gęślą jaźń", "Ørsted A/S", "Müller & Söhne GmbH", "O'Brien Ltd", "Łódź Logistics"];
const products = ["Standard plan", "Premium support", "Onboarding", "Hardware kit", "Training day"];

function everyType(): Sample {
  const next = sequence(1);
  const columns: ColumnInput[] = [
    { key: "id", header: "Id", type: "integer" },
    { key: "customer", header: "Customer", type: "string" },
    { key: "amount", header: "Amount", type: "currency", currency: "EUR", totals: "sum" },
    { key: "ratio", header: "Ratio", type: "number", decimals: 3, totals: "avg" },
    { key: "share", header: "Share", type: "percent", decimals: 1 },
    { key: "due", header: "Due", type: "date", totals: "max" },
    { key: "at", header: "Updated at", type: "datetime" },
    { key: "paid", header: "Paid", type: "boolean", totals: "count" },
  ];
  const rows: Row[] = Array.from({ length: 12 }, (_, i) => ({
    id: i + 1,
    customer: customers[i % customers.length] ?? "",
    amount: Math.round(next() * 1_000_000) / 100,
    ratio: Math.round(next() * 10_000) / 1_000,
    share: Math.round(next() * 1_000) / 1_000,
    due: dateOf(i),
    at: dateTimeOf(i, i % 2 ? "+05:30" : "Z"),
    paid: i % 3 !== 0,
  }));
  rows.push({ id: 13, customer: null, amount: null, ratio: null, share: null, due: null, at: null, paid: null });
  return {
    name: "every-column-type",
    about:
      "One column of each type (integer, string, currency, number, percent, date, datetime, boolean), empty cells, totals",
    spec: { title: "Every column type", timeZone: "Europe/Warsaw", tables: [{ name: "Types", columns, rows }] },
  };
}

function tenColumns(): Sample {
  const next = sequence(10);
  const columns: ColumnInput[] = [
    { key: "order", header: "Order", type: "integer" },
    { key: "customer", header: "Customer", type: "string" },
    { key: "product", header: "Product", type: "string" },
    { key: "ordered", header: "Ordered", type: "date" },
    { key: "shipped", header: "Shipped", type: "date" },
    { key: "quantity", header: "Quantity", type: "integer" },
    { key: "number", header: "Number", type: "number" },
    { key: "percent", header: "Percent", type: "percent" },
    { key: "total", header: "Total", type: "currency", currency: "USD", totals: "sum" },
    { key: "paid", header: "Paid", type: "boolean" },
  ];
  const rows: Row[] = Array.from({ length: 30 }, (_, i) => ({
    order: 10_000 + i,
    customer: customers[i % customers.length] ?? "",
    product: products[(i * 3) % products.length] ?? "",
    ordered: dateOf(i),
    shipped: dateOf(i + 3),
    quantity: 1 + Math.floor(next() * 500),
    number: Math.round(next() * 1e8) / 100,
    percent: Math.round(next() * 10_000) / 10_000,
    total: Math.round(next() * 1e9) / 100,
    paid: i % 4 !== 1,
  }));
  return {
    name: "ten-columns-a4-portrait",
    about: "10 columns on A4 portrait: dates next to dates, a Number header next to Percent, large amounts",
    spec: {
      title: "Orders",
      pdf: { pageSize: "A4", orientation: "portrait" },
      tables: [{ name: "Orders", columns, rows }],
    },
  };
}

function thirtyColumns(): Sample {
  const next = sequence(30);
  const types = ["string", "integer", "currency", "date", "percent", "number"] as const;
  const columns: ColumnInput[] = Array.from({ length: 30 }, (_, c) => {
    const type = c === 0 ? "string" : (types[c % types.length] ?? "string");
    return { key: `c${c + 1}`, header: c === 0 ? "Region" : `Metric ${c + 1} (${type})`, type };
  });
  const regions = ["North", "South-East", "Central Europe", "Asia Pacific", "Latin America"];
  const rows: Row[] = Array.from({ length: 40 }, (_, i) =>
    Object.fromEntries(
      columns.map((column, c) => {
        const value =
          c === 0
            ? (regions[i % regions.length] ?? "")
            : column.type === "string"
              ? `${products[(i + c) % products.length]}`
              : column.type === "integer"
                ? Math.floor(next() * 100_000)
                : column.type === "date"
                  ? dateOf(i + c)
                  : column.type === "percent"
                    ? Math.round(next() * 1_000) / 1_000
                    : Math.round(next() * 1e7) / 100;
        return [column.key, value];
      }),
    ),
  );
  return {
    name: "thirty-columns",
    about: "30 columns of mixed types: more than any page is wide",
    spec: { title: "Thirty columns", tables: [{ name: "Metrics", columns, rows }] },
  };
}

function bigNumbers(): Sample {
  const columns: ColumnInput[] = [
    { key: "label", header: "Case", type: "string" },
    { key: "integer", header: "Integer", type: "integer" },
    { key: "number", header: "Number", type: "number" },
    { key: "usd", header: "Dollars", type: "currency", currency: "USD" },
    { key: "jpy", header: "Yen", type: "currency", currency: "JPY", decimals: 0 },
    { key: "percent", header: "Percent", type: "percent", decimals: 2 },
  ];
  const rows: Row[] = [
    { label: "zero", integer: 0, number: 0, usd: 0, jpy: 0, percent: 0 },
    {
      label: "large",
      integer: 1_000_000_000,
      number: 1_000_000_000.5,
      usd: 1_000_000_000,
      jpy: 123_456_789_012,
      percent: 12.3456,
    },
    {
      label: "largest safe integer",
      integer: 9_007_199_254_740_991,
      number: 9_007_199_254_740_991,
      usd: 9_007_199_254_740.99,
      jpy: 9_007_199_254_740_991,
      percent: 1_000,
    },
    { label: "negative", integer: -42, number: -1234.5678, usd: -1_000_000, jpy: -5_000, percent: -0.25 },
    {
      label: "most negative",
      integer: -9_007_199_254_740_991,
      number: -1e15,
      usd: -999_999_999_999.99,
      jpy: -1e15,
      percent: -99.99,
    },
    { label: "tiny", integer: 1, number: 1e-7, usd: 0.01, jpy: 1, percent: 0.0001 },
    { label: "many decimals", integer: 3, number: 1.23456789, usd: 3.14, jpy: 3, percent: 0.0123456 },
  ];
  return {
    name: "big-and-negative-numbers",
    about: "The largest safe integers, negative amounts, tiny fractions, yen without decimals",
    spec: { title: "Big and negative numbers", tables: [{ name: "Numbers", columns, rows }] },
  };
}

function longText(): Sample {
  const columns: ColumnInput[] = [
    { key: "id", header: "Id", type: "integer" },
    { key: "title", header: "Title", type: "string" },
    { key: "description", header: "Description", type: "string" },
    { key: "url", header: "Link", type: "string" },
    { key: "amount", header: "Amount", type: "currency", currency: "GBP" },
  ];
  const lorem =
    "Quarterly reconciliation of the regional ledgers, including the adjustments agreed with the auditors after the site visit in March and the corrections of the opening balances";
  const rows: Row[] = Array.from({ length: 12 }, (_, i) => ({
    id: i + 1,
    title: i % 3 === 0 ? "Short" : `A somewhat longer title for row number ${i + 1}`,
    description: i % 2 === 0 ? lorem : `${lorem.slice(0, 40 + i * 9)}.`,
    url:
      i % 4 === 0
        ? "https://reports.example.com/requests/00000000-aaaa-4bbb-8ccc-dddddddddddd/download?attachment=true"
        : `https://example.com/${i}`,
    amount: (i + 1) * 1234.56,
  }));
  rows.push({
    id: 13,
    title: "Supercalifragilisticexpialidocious-Donaudampfschifffahrtsgesellschaftskapitän",
    description: "One word much wider than its column: it breaks inside the word only because it must.",
    url: "—",
    amount: 0,
  });
  return {
    name: "long-text",
    about: "Long descriptions that wrap, long URLs and a single word wider than its column",
    spec: { title: "Long text", tables: [{ name: "Notes", columns, rows }] },
  };
}

function everyScript(): Sample {
  const columns: ColumnInput[] = [
    { key: "script", header: "Script", type: "string" },
    { key: "sample", header: "Sample text", type: "string" },
    { key: "amount", header: "Amount", type: "number" },
  ];
  const samples: Array<[string, string]> = [
    ["Latin", "Zażółć gęślą jaźń — Ærøskøbing, façade, naïve"],
    ["Greek", "Καλημέρα κόσμε, ΑΒΓΔ αβγδ"],
    ["Cyrillic", "Привет, мир! Съешь же ещё этих мягких булок"],
    ["Chinese (Simplified)", "报告 销售额 北京 上海"],
    ["Chinese (Traditional)", "報告 銷售額 臺北 香港"],
    ["Japanese", "東京の売上報告 カタカナ ひらがな"],
    ["Korean", "서울 매출 보고서 한국어"],
    ["Arabic (RTL)", "تقرير المبيعات في القاهرة"],
    ["Hebrew (RTL)", "דוח מכירות בירושלים"],
    ["Devanagari", "बिक्री रिपोर्ट नई दिल्ली"],
    ["Thai", "รายงานยอดขาย กรุงเทพฯ"],
    ["Emoji", "📈 📊 ✅ 🚚 😀"],
    ["Mixed RTL and numbers", "Order 42: تقرير 2026 — דוח 7"],
  ];
  return {
    name: "every-script",
    about:
      "Latin, Greek, Cyrillic, Chinese (SC/TC), Japanese, Korean, Arabic, Hebrew, Devanagari, Thai, emoji; a CJK title",
    spec: {
      title: "報告 — every script",
      tables: [
        {
          name: "Scripts",
          columns,
          rows: samples.map(([script, sample], i) => ({ script, sample, amount: i * 1000.5 })),
        },
      ],
    },
  };
}

function thousandRows(): Sample {
  const next = sequence(1000);
  const columns: ColumnInput[] = [
    { key: "row", header: "Row", type: "integer" },
    { key: "customer", header: "Customer", type: "string" },
    { key: "product", header: "Product", type: "string" },
    { key: "date", header: "Date", type: "date" },
    { key: "amount", header: "Amount", type: "currency", currency: "USD", totals: "sum" },
  ];
  const rows: Row[] = Array.from({ length: 1000 }, (_, i) => ({
    row: i + 1,
    customer: customers[i % customers.length] ?? "",
    product: products[(i * 7) % products.length] ?? "",
    date: dateOf(i),
    amount: Math.round(next() * 100_000) / 100,
  }));
  return {
    name: "thousand-rows",
    about: "1,000 rows over many pages: the header row on every page, page numbers, a totals row",
    spec: { title: "A thousand rows", tables: [{ name: "Sales", columns, rows }] },
  };
}

function missingGlyph(): Sample {
  const columns: ColumnInput[] = [
    { key: "what", header: "What", type: "string" },
    { key: "text", header: "Text", type: "string" },
  ];
  return {
    name: "missing-glyph",
    about: "A character no font has (U+E000, private use): the file is still made, and its status says MISSING_GLYPHS",
    spec: {
      title: "A character no font has",
      tables: [
        {
          name: "Glyphs",
          columns,
          rows: [
            { what: "private use", text: "before \uE000 after" },
            { what: "plain", text: "every glyph here exists" },
          ],
        },
      ],
    },
  };
}

function groupedWithLogo(): Sample {
  const next = sequence(7);
  const regions = ["North", "South", "West"];
  const cities = ["Berlin", "Kraków", "Lyon", "Porto"];
  const columns: ColumnInput[] = [
    { key: "region", header: "Region" },
    { key: "city", header: "City" },
    { key: "id", header: "Order", type: "integer", totals: "count", align: "center" },
    { key: "customer", header: "Customer" },
    { key: "product", header: "Product" },
    { key: "note", header: "Note" },
    { key: "due", header: "Due", type: "date", totals: "max" },
    { key: "qty", header: "Qty", type: "integer", totals: "avg" },
    {
      key: "amount",
      header: "Amount",
      type: "currency",
      currency: "EUR",
      totals: "sum",
      styles: [
        { when: { op: "<", value: 0 }, color: "#C00000" },
        { when: { op: ">=", value: 5000 }, background: "#FFF2CC", bold: true },
      ],
    },
    {
      key: "margin",
      header: "Margin",
      type: "percent",
      decimals: 1,
      totals: "avg",
      styles: [{ when: { op: "<", value: 0 }, color: "#C00000" }],
    },
  ];
  const rows: Row[] = Array.from({ length: 64 }, (_, i) => ({
    region: regions[Math.floor(next() * regions.length)] ?? "",
    city: cities[Math.floor(next() * cities.length)] ?? "",
    id: 1001 + i,
    customer: customers[i % customers.length] ?? "",
    product: products[(i * 3) % products.length] ?? "",
    note: i % 6 === 0 ? "Delivered in two parts; the second part waits for the customer's new warehouse to open" : "",
    due: dateOf(i),
    qty: 1 + Math.floor(next() * 40),
    amount: Math.round((next() * 9_000 - 2_000) * 100) / 100,
    margin: Math.round((next() * 0.6 - 0.15) * 1000) / 1000,
  }));
  return {
    name: "grouped-with-logo",
    about:
      "Grouped by region and city with subtotals (sorted by the renderer), a logo, header and footer with page numbers, an accent colour, negative amounts in red and large ones highlighted",
    spec: {
      title: "Orders by region",
      timeZone: "Europe/Warsaw",
      layout: {
        logo: { key: "logos/acme.png", contentType: "image/png" },
        header: { left: "ACME Trading — internal", right: "Generated {{generatedAt}}" },
        footer: { left: "Orders by region", right: "Page {{page}} of {{pages}}" },
        accentColor: "#1F4E79",
      },
      tables: [{ name: "Orders", columns, rows, groupBy: ["region", "city"], sort: [{ key: "due" }] }],
    },
    assets: { logo: testPng(360, 90) },
    allPages: true,
  };
}

/** Every sample of the gallery, in the index's order. */
export const SAMPLES: readonly Sample[] = [
  everyType(),
  tenColumns(),
  thirtyColumns(),
  bigNumbers(),
  longText(),
  everyScript(),
  thousandRows(),
  missingGlyph(),
  groupedWithLogo(),
];

/** Samples whose sheets hold the spec's rows one for one under the header (no groups, no logo's row). */
export const FLAT_SAMPLES = SAMPLES.filter((s) => !s.spec.layout?.logo && !s.spec.tables.some((t) => t.groupBy));

/** A sample's spec in one format, validated (the gallery never renders what the API would refuse). */
export const sampleSpecFor = (sample: Sample, format: "pdf" | "xlsx") => reportSpec.parse({ ...sample.spec, format });
