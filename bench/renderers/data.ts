import { type ReportFormat, type ReportSpec, type Row, reportSpec } from "@reports/contracts";
import { sampleRow } from "@reports/contracts/testing";
import type { RowSource } from "@reports/renderers";

/** The 8-column table of every case (one column of each type), as `sampleSpec` builds it. */
export const COLUMNS = [
  { key: "id", header: "Order", type: "integer" },
  { key: "customer", header: "Customer", type: "string", width: 24 },
  { key: "amount", header: "Amount", type: "currency", currency: "EUR" },
  { key: "weight", header: "Weight", type: "number" },
  { key: "discount", header: "Discount", type: "percent" },
  { key: "day", header: "Day", type: "date" },
  { key: "at", header: "Created", type: "datetime" },
  { key: "paid", header: "Paid", type: "boolean" },
] as const;

/** Row `i` of the table: `sampleSpec`'s rows with distinct names throughout, so no cache gets one for free. */
export function row(i: number): Row {
  return { ...sampleRow(i), customer: `Customer ${i + 1}` };
}

/** A spec of `rows` rows, validated on its first row only: a million rows through zod would measure zod. */
export function benchSpec(format: ReportFormat, rows: number): ReportSpec {
  const spec = reportSpec.parse({
    format,
    title: "Sales — Łódź & Привет",
    tables: [{ name: "Orders", columns: COLUMNS, rows: [row(0)] }],
  });
  const table = spec.tables[0];
  if (table) table.rows = Array.from({ length: rows }, (_, i) => row(i));
  return spec;
}

/** The same rows made 2,000 at a time as the renderer reads them: what a stream from object storage gives. */
export function streamedRows(count: number): RowSource {
  return {
    count,
    async *chunks() {
      for (let start = 0; start < count; start += 2_000) {
        yield Array.from({ length: Math.min(2_000, count - start) }, (_, i) => row(start + i));
      }
    },
  };
}

/** Rows per group of the grouped case: a million rows make some thousand groups. */
export const GROUP_ROWS = 1_000;

/**
 * The grouped case's spec: the same table with a region column first, grouped by it, presorted (the rows come in
 * region order, as from a database's ORDER BY), with a sum of the amounts per region and in all.
 */
export function groupedBenchSpec(format: ReportFormat): ReportSpec {
  return reportSpec.parse({
    format,
    title: "Sales by region",
    tables: [
      {
        name: "Orders",
        groupBy: ["region"],
        presorted: true,
        columns: [
          { key: "region", header: "Region" },
          ...COLUMNS.map((c) => (c.key === "amount" ? { ...c, totals: "sum" } : c)),
        ],
        rows: [],
      },
    ],
  });
}

/** The grouped case's rows, streamed like `streamedRows`, in runs of `GROUP_ROWS` per region. */
export function groupedRows(count: number): RowSource {
  const rows = streamedRows(count);
  return {
    count,
    async *chunks() {
      let i = 0;
      for await (const chunk of rows.chunks()) {
        yield chunk.map((r) => ({ region: `Region ${String(Math.floor(i++ / GROUP_ROWS)).padStart(4, "0")}`, ...r }));
      }
    },
  };
}
