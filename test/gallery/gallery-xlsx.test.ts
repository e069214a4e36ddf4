import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderReport } from "@reports/renderers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedTotals, numberMismatch, openpyxlMismatch, shownMismatch } from "./expected";
import { readWithLibreOffice, readWithOpenpyxl } from "./readers";
import { renderSampleXlsx } from "./render";
import { FLAT_SAMPLES, SAMPLES, sampleSpecFor } from "./samples";

const work = mkdtempSync(join(tmpdir(), "gallery-xlsx-"));
const xlsxPath = (name: string) => join(work, `${name}.xlsx`);

beforeAll(async () => {
  for (const sample of SAMPLES)
    writeFileSync(xlsxPath(sample.name), (await renderSampleXlsx(renderReport, sample)).data);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the gallery's XLSX, read back", () => {
  let openpyxl: ReturnType<typeof readWithOpenpyxl>;
  let libreOffice: ReturnType<typeof readWithLibreOffice>;
  beforeAll(() => {
    const paths = SAMPLES.map((s) => xlsxPath(s.name));
    openpyxl = readWithOpenpyxl(paths);
    libreOffice = readWithLibreOffice(paths, work);
  }, 120_000);

  // Grouped and logo samples have subtotal and logo rows between the spec's rows: their outline, SUBTOTALs and
  // recalculated values are checked in packages/renderers/src/layout.test.ts.
  it.each(FLAT_SAMPLES.map((s) => [s.name, s] as const))(
    "%s: openpyxl reads every value, type and number format",
    (name, sample) => {
      const spec = sampleSpecFor(sample, "xlsx");
      const book = openpyxl[xlsxPath(name)] ?? {};
      expect(Object.keys(book)).toEqual(spec.tables.map((t) => t.name));
      const problems: string[] = [];
      for (const table of spec.tables) {
        const [header = [], ...rows] = book[table.name] ?? [];
        expect(header.map((c) => [c.value, c.bold])).toEqual(table.columns.map((c) => [c.header, true]));
        table.rows.forEach((row, r) => {
          table.columns.forEach((column, c) => {
            const mismatch = openpyxlMismatch(column, row[column.key], rows[r]?.[c], spec);
            if (mismatch) problems.push(`${table.name} row ${r + 2} ${column.key}: ${mismatch}`);
          });
        });
      }
      expect(problems).toEqual([]);
    },
  );

  it.each(FLAT_SAMPLES.map((s) => [s.name, s] as const))(
    "%s: LibreOffice shows every value as sent, and the totals",
    (name, sample) => {
      const spec = sampleSpecFor(sample, "xlsx");
      const book = libreOffice[name] ?? {};
      expect(Object.keys(book).sort()).toEqual(spec.tables.map((t) => t.name).sort());
      const problems: string[] = [];
      for (const table of spec.tables) {
        const [header, ...rows] = book[table.name] ?? [];
        expect(header).toEqual(table.columns.map((c) => c.header));
        table.rows.forEach((row, r) => {
          table.columns.forEach((column, c) => {
            const mismatch = shownMismatch(column, row[column.key], rows[r]?.[c] ?? "", spec);
            if (mismatch) problems.push(`${table.name} row ${r + 2} ${column.key}: ${mismatch}`);
          });
        });
        const totals = expectedTotals(table);
        if (totals.size === 0) continue;
        const shown = rows[table.rows.length] ?? [];
        table.columns.forEach((column, c) => {
          const expected = totals.get(column.key);
          if (expected === undefined) return;
          const text = shown[c] ?? "";
          const mismatch =
            typeof expected === "string"
              ? text === expected
                ? null
                : `"${text}", expected ${expected}`
              : numberMismatch(text, expected, column.type === "percent");
          if (mismatch) problems.push(`${table.name} totals ${column.key} (${column.totals}): ${mismatch}`);
        });
      }
      expect(problems).toEqual([]);
    },
  );
});
