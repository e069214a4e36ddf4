import type { Column, Table } from "@reports/sdk";

/**
 * A table from pasted text: the first line holds the headers, cells are separated by tabs (a paste
 * from a spreadsheet) or commas. A column whose every cell is a number becomes a number column.
 *
 * @example
 * parseTable("Region,Sales\nNorth,1200\nSouth,950", "Sales");
 */
export function parseTable(text: string, name: string): Table {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  const separator = lines[0]?.includes("\t") ? "\t" : ",";
  const [head = [], ...body] = lines.map((line) => line.split(separator).map((cell) => cell.trim()));
  const keys = head.map((_, i) => `c${i}`);
  const numeric = keys.map((_, i) => body.length > 0 && body.every((row) => isNumber(row[i] ?? "")));
  const columns: Column[] = head.map((header, i) => ({
    key: keys[i] ?? `c${i}`,
    header: header || `Column ${i + 1}`,
    type: numeric[i] ? "number" : "string",
  }));
  const rows = body.map((cells) =>
    Object.fromEntries(keys.map((key, i) => [key, numeric[i] ? Number(cells[i]) : (cells[i] ?? null)])),
  );
  return { name, columns, rows };
}

const isNumber = (cell: string) => cell !== "" && Number.isFinite(Number(cell));

/** `rows` lines of sample sales data, to try a report large enough to watch its progress. */
export function sampleTable(rows: number): string {
  const regions = ["North", "South", "East", "West"];
  const lines = ["Order\tRegion\tAmount"];
  for (let i = 1; i <= rows; i++) lines.push(`${i}\t${regions[i % 4]}\t${((i * 37) % 1000) + 0.5}`);
  return lines.join("\n");
}
