import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReportDefinition } from "@reports/sdk";
import { createReportsClient } from "@reports/sdk";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readWithLibreOffice } from "../gallery/readers";
import { download, pdfText } from "../support/files";
import { freePort, type RunningProcess, startProcess } from "../support/processes";

/** The "done when": a definition with a logo, header and footer, grouping with subtotals and a conditional
 * style; version 1 published; XLSX and PDF made from rows alone; version 2 published; old requests still on 1. */
describe("report definitions end to end (pnpm start)", () => {
  let system: RunningProcess;
  let dataDir: string;
  let baseUrl: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "reports-definitions-"));
    const port = await freePort();
    system = startProcess("apps/standalone/src/main.ts", {
      PORT: String(port),
      DATA_DIR: dataDir,
      RENDER_THREADS: "1",
    });
    await system.waitForLog("listening", 60_000);
    baseUrl = `http://127.0.0.1:${port}`;
  }, 90_000);

  afterAll(async () => {
    await system?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A 120×40 logo: a solid accent-coloured bar. */
  function logoPng(): Buffer {
    const png = new PNG({ width: 120, height: 40 });
    for (let i = 0; i < png.data.length; i += 4) png.data.set([0x1f, 0x4e, 0x79, 0xff], i);
    return PNG.sync.write(png);
  }

  const rows = [
    { region: "North", customer: "Łódź Trading", amount: 1200 },
    { region: "South", customer: "Привет LLC", amount: -150.5 },
    { region: "North", customer: "Acme", amount: 300 },
    { region: "South", customer: "Globex", amount: 80 },
    { region: "North", customer: "Initech", amount: -20 },
  ];
  type Params = { month: string };

  it("creates, publishes and generates XLSX and PDF from rows alone, and keeps old requests on version 1", async () => {
    const reports = createReportsClient({ baseUrl });
    const upload = await fetch(`${baseUrl}/logos`, {
      method: "POST",
      body: new Uint8Array(logoPng()),
      headers: { "content-type": "image/png" },
    });
    expect(upload.status).toBe(201);
    const logo = (await upload.json()) as { key: string; contentType: "image/png" };

    const definition = {
      formats: ["xlsx", "pdf"],
      title: "Sales {{params.month}}",
      params: { type: "object", required: ["month"], properties: { month: { type: "string", maxLength: 7 } } },
      layout: {
        logo,
        header: { left: "ACME — sales {{params.month}}", right: "Page {{page}} of {{pages}}" },
        footer: { center: "Generated {{generatedAt}}" },
        accentColor: "#1F4E79",
      },
      tables: [
        {
          name: "Orders",
          groupBy: ["region"],
          columns: [
            { key: "region", header: "Region" },
            { key: "customer", header: "Customer", width: 24 },
            {
              key: "amount",
              header: "Amount",
              type: "currency",
              currency: "EUR",
              totals: "sum",
              styles: [{ when: { op: "<", value: 0 }, color: "#C00000" }],
            },
          ],
        },
      ],
    } satisfies ReportDefinition;
    await reports.definitions.create("sales-monthly", definition);
    expect(await reports.definitions.publish("sales-monthly", 1)).toMatchObject({ publishedVersion: 1 });

    const made = await Promise.all(
      (["xlsx", "pdf"] as const).map((format) =>
        reports.generate<Params>({
          definition: "sales-monthly",
          format,
          params: { month: "2026-11" },
          tables: [{ name: "Orders", rows }],
        }),
      ),
    );
    const [xlsx, pdf] = await Promise.all(made.map((m) => reports.waitForStatus(m.requestId, { timeoutMs: 90_000 })));
    expect(xlsx?.report).toMatchObject({ title: "Sales 2026-11", definition: { name: "sales-monthly", version: 1 } });

    // both files first: the readers below block this process for seconds, and a kept-alive socket goes stale
    const [book, file] = await Promise.all(
      [xlsx?.url, pdf?.url].map(async (url) => (await download(url as string)).bytes),
    );
    if (!book || !file) throw new Error("not downloaded");

    // XLSX: collapsible groups (outline levels) with live SUBTOTAL formulas that LibreOffice recalculates
    const outline = readOutline(book);
    expect(outline.levels.some((level) => level > 0)).toBe(true);
    expect(outline.formulas.filter((f) => f.startsWith("=SUBTOTAL(")).length).toBeGreaterThanOrEqual(3);
    const xlsxPath = join(dataDir, "sales.xlsx");
    await writeFile(xlsxPath, book);
    const calc = Object.values(readWithLibreOffice([xlsxPath], dataDir).sales ?? {})
      .flat(2)
      .join("|");
    // North 1200 + 300 − 20 = 1480, South −150.5 + 80 = −70.5, total 1409.5
    for (const subtotal of ["Total North||€1,480.00", "Total South||-€70.50", "Total||€1,409.50"]) {
      expect(calc).toContain(subtotal);
    }

    // PDF: the header with the params filled in, group headings, subtotals, the logo as an image
    const { text } = await pdfText(file);
    expect(text).toContain("ACME — sales 2026-11");
    expect(text).toMatch(/Page 1 of 1/);
    expect(text).toContain("North");
    expect(text).toMatch(/1,480\.00/);
    const pdfPath = join(dataDir, "sales.pdf");
    await writeFile(pdfPath, file);
    expect(execFileSync("pdfimages", ["-list", pdfPath]).toString().split("\n").length).toBeGreaterThan(3);

    // version 2: new requests use it, the old ones still say version 1
    await reports.definitions.update("sales-monthly", { ...definition, title: "Revenue {{params.month}}" });
    await reports.definitions.publish("sales-monthly", 2);
    const later = await reports.generate<Params>({
      definition: "sales-monthly",
      params: { month: "2026-12" },
      tables: [{ name: "Orders", rows }],
    });
    expect((await reports.getStatus(later.requestId)).report).toMatchObject({
      title: "Revenue 2026-12",
      definition: { version: 2 },
    });
    for (const old of made) {
      expect((await reports.getStatus(old.requestId)).report).toMatchObject({
        title: "Sales 2026-11",
        definition: { name: "sales-monthly", version: 1 },
      });
    }
    const detail = await reports.definitions.get("sales-monthly");
    expect(detail.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(detail.publishedVersion).toBe(2);
  });
});

/** Each row's outline level and every formula of the first sheet, as openpyxl reads them. */
function readOutline(book: Buffer): { levels: number[]; formulas: string[] } {
  const script = `
import json, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]
levels = [ws.row_dimensions[r].outline_level or 0 for r in range(1, ws.max_row + 1)]
formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
print(json.dumps({"levels": levels, "formulas": formulas}))
`;
  const dir = mkdtempSync(join(tmpdir(), "outline-"));
  const path = join(dir, "book.xlsx");
  writeFileSync(path, book);
  try {
    return JSON.parse(execFileSync("/usr/bin/python3", ["-c", script, path]).toString());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
