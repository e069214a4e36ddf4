/**
 * `pnpm gallery`: renders every sample report to PDF and XLSX, its first page to PNG, into docs/gallery/ with an
 * index (docs/gallery/README.md). Commit the result: `pnpm test` compares fresh renders with these files.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createRenderPool } from "@reports/renderers";
import { firstPagePng, GALLERY_DIR, PNG_DPI, pagePngs, renderSample } from "./render";
import { SAMPLES } from "./samples";

const dir = fileURLToPath(GALLERY_DIR);
mkdirSync(dir, { recursive: true });
const names = new Set(SAMPLES.map((s) => s.name));
for (const file of readdirSync(dir)) {
  // a sample that was renamed or removed leaves nothing behind
  const name = file.replace(/\.[a-z]+$/, "").replace(/-page-\d+$/, "");
  if (/\.(pdf|xlsx|png)$/.test(file) && (!names.has(name) || /-page-\d+\.png$/.test(file))) rmSync(`${dir}${file}`);
}

const pool = createRenderPool({ maxThreads: 2 });
const entries: string[] = [];
for (const sample of SAMPLES) {
  const started = Date.now();
  const { pdf, xlsx, warnings } = await renderSample((spec, options) => pool.render(spec, options), sample);
  writeFileSync(`${dir}${sample.name}.pdf`, pdf);
  writeFileSync(`${dir}${sample.name}.xlsx`, xlsx);
  writeFileSync(`${dir}${sample.name}.png`, firstPagePng(pdf));
  const pages = sample.allPages ? pagePngs(pdf) : [];
  for (const [p, png] of pages.entries()) writeFileSync(`${dir}${sample.name}-page-${p + 1}.png`, png);
  const warned = warnings.map((w) => `\`${w.code}\`: ${w.message}`).join("; ");
  entries.push(
    [
      `## ${sample.spec.title}`,
      "",
      `${sample.about}. [PDF](${sample.name}.pdf) · [XLSX](${sample.name}.xlsx)${warned ? ` · warnings: ${warned}` : ""}`,
      "",
      `[![First page of ${sample.name}.pdf](${sample.name}.png)](${sample.name}.pdf)`,
      "",
      ...(pages.length > 1
        ? [pages.map((_, p) => `[page ${p + 1}](${sample.name}-page-${p + 1}.png)`).join(" · "), ""]
        : []),
    ].join("\n"),
  );
  console.log(`${sample.name}: ${pdf.length} B PDF, ${xlsx.length} B XLSX, ${Date.now() - started} ms`);
}

await pool.close();

writeFileSync(
  `${dir}README.md`,
  [
    "# Gallery",
    "",
    "Sample reports as the renderers make them today: each as PDF and XLSX, with the PDF's first page at",
    `${PNG_DPI} dpi. Made by \`pnpm gallery\` (from \`test/gallery/samples.ts\`); \`pnpm test\` renders them again and`,
    "checks the PDFs for overlapping text and against these pictures, and reads the XLSX back with openpyxl and",
    "LibreOffice.",
    "",
    ...entries,
  ].join("\n"),
);
