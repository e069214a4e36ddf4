import { TABLE_DIRECTIVE } from "./input";
import { type ReportFormat, type ReportSpec, type ReportSpecInput, reportSpec } from "./spec";

/**
 * A valid spec with every column type and `rows` generated rows, for tests and benchmarks.
 *
 * @example
 * const spec = sampleSpec({ format: "xlsx", rows: 1000 });
 */
export function sampleSpec(options: { format?: ReportFormat; rows?: number; title?: string } = {}): ReportSpec {
  const rows = options.rows ?? 3;
  return reportSpec.parse({
    format: options.format ?? "xlsx",
    title: options.title ?? "Sales — Łódź & Привет",
    tables: [
      {
        name: "Orders",
        columns: [
          { key: "id", header: "Order", type: "integer" },
          { key: "customer", header: "Customer", type: "string", width: 24 },
          { key: "amount", header: "Amount", type: "currency", currency: "EUR" },
          { key: "weight", header: "Weight", type: "number" },
          { key: "discount", header: "Discount", type: "percent" },
          { key: "day", header: "Day", type: "date" },
          { key: "at", header: "Created", type: "datetime" },
          { key: "paid", header: "Paid", type: "boolean" },
        ],
        rows: Array.from({ length: rows }, (_, i) => sampleRow(i)),
      },
    ],
  });
}

/** Row `i` (from 0) of `sampleSpec`'s table, for generating big inputs without holding them. */
export function sampleRow(i: number) {
  return {
    id: i + 1,
    customer: i === 0 ? "Zażółć gęślą jaźń" : `Customer ${i + 1}`,
    amount: Math.round((i + 1) * 1234.5) / 100,
    weight: (i % 17) + 0.25,
    discount: (i % 10) / 100,
    day: `2026-${String((i % 12) + 1).padStart(2, "0")}-15`,
    at: `2026-11-23T${String(i % 24).padStart(2, "0")}:30:00Z`,
    paid: i % 2 === 0,
  };
}

/**
 * A spec as a streamed report (JSON Lines): the spec without rows, then each table's rows, a table
 * directive before every table but the first.
 *
 * @example
 * await fetch(`${api}/generate`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: ndjsonOf(spec) });
 */
export function ndjsonOf(spec: ReportSpecInput): string {
  const outline = { ...spec, tables: spec.tables.map(({ rows: _rows, ...table }) => table) };
  const lines = [JSON.stringify(outline)];
  spec.tables.forEach((table, t) => {
    if (t > 0) lines.push(JSON.stringify({ [TABLE_DIRECTIVE]: table.name }));
    for (const row of table.rows) lines.push(JSON.stringify(row));
  });
  return `${lines.join("\n")}\n`;
}
