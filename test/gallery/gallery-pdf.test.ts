import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderReport } from "@reports/renderers";
import { beforeAll, describe, expect, it } from "vitest";
import { pdfLayoutProblems } from "./layout";
import { comparePngs } from "./readers";
import { firstPagePng, GALLERY_DIR, renderSamplePdf } from "./render";
import { SAMPLES } from "./samples";

/** Pixels of a first page that may differ from the committed picture: anti-aliasing, not a changed layout. */
const MAX_DIFFERING_PIXELS = 0.002;

const pdfs = new Map<string, Buffer>();

beforeAll(async () => {
  for (const sample of SAMPLES) pdfs.set(sample.name, (await renderSamplePdf(renderReport, sample)).data);
}, 120_000);

const pdfOf = (name: string) => {
  const pdf = pdfs.get(name);
  if (!pdf) throw new Error(`${name} was not rendered`);
  return pdf;
};

describe("the gallery's PDFs, rendered again", () => {
  it.each(SAMPLES.map((s) => s.name))("%s: the first page looks like its committed picture", (name) => {
    const committed = readFileSync(new URL(`${name}.png`, GALLERY_DIR));
    const fresh = firstPagePng(pdfOf(name));
    const { differing, total, diff } = comparePngs(fresh, committed);
    const diffDir = join(tmpdir(), "gallery-diff");
    if (diff && differing > 0) {
      mkdirSync(diffDir, { recursive: true });
      writeFileSync(join(diffDir, `${name}.png`), diff);
      writeFileSync(join(diffDir, `${name}.fresh.png`), fresh);
    }
    const changed = `${fileURLToPath(new URL(`${name}.png`, GALLERY_DIR))} differs from a fresh render (${
      Number.isFinite(differing) ? `${differing} of ${total} pixels` : "another page size"
    }; the difference is in ${diffDir}). If the change is meant, run \`pnpm gallery\`, look at the pictures and commit them.`;
    expect(differing / Math.max(total, 1), changed).toBeLessThanOrEqual(MAX_DIFFERING_PIXELS);
  });

  it.each(SAMPLES.map((s) => s.name))(
    "%s: no text over other text, across a column edge, off the page, or a number broken over lines (every page)",
    async (name) => {
      expect(await pdfLayoutProblems(pdfOf(name))).toEqual([]);
    },
  );
});
