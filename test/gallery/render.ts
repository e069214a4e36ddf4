import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReportSpec, ReportWarning } from "@reports/contracts";
import type { RenderedFile } from "@reports/renderers";
import { type Sample, sampleSpecFor } from "./samples";

/** Where the committed gallery lives. */
export const GALLERY_DIR = new URL("../../docs/gallery/", import.meta.url);

/** First pages are rendered at this resolution: enough to read, small enough to commit. */
export const PNG_DPI = 60;

export interface RenderedSample {
  pdf: Buffer;
  xlsx: Buffer;
  warnings: ReportWarning[];
}

/**
 * Renders a sample to PDF and XLSX with `render` (a render pool's, as a worker does, or `renderReport` in this
 * thread), with the PDF's dates and id pinned (see `pinPdf`).
 */
export async function renderSample(
  render: (spec: ReportSpec) => Promise<RenderedFile>,
  sample: Sample,
): Promise<RenderedSample> {
  const [pdf, xlsx] = await Promise.all([render(sampleSpecFor(sample, "pdf")), render(sampleSpecFor(sample, "xlsx"))]);
  return { pdf: pinPdf(pdf.data), xlsx: xlsx.data, warnings: [...pdf.warnings, ...xlsx.warnings] };
}

const PINNED_DATE = "D:20260101000000Z";

/**
 * The same PDF for the same spec: the creation date becomes a fixed one and the file id a hash of the content.
 * Both are replaced by strings of the same length, so the cross-reference offsets stay right.
 */
export function pinPdf(pdf: Buffer): Buffer {
  const text = pdf.toString("latin1");
  const dated = text.replace(/\(D:\d{14}Z\)/g, `(${PINNED_DATE})`);
  const hash = createHash("md5")
    .update(dated.replace(/\/ID \[<[0-9a-f]+> <[0-9a-f]+>\]/, ""))
    .digest("hex");
  return Buffer.from(dated.replace(/\/ID \[<[0-9a-f]{32}> <[0-9a-f]{32}>\]/, `/ID [<${hash}> <${hash}>]`), "latin1");
}

/** The first page as a PNG (poppler's pdftoppm), as a user would see it. */
export function firstPagePng(pdf: Buffer, dpi = PNG_DPI): Buffer {
  return withTempDir((dir) => {
    writeFileSync(join(dir, "in.pdf"), pdf);
    execFileSync("pdftoppm", ["-png", "-r", String(dpi), "-f", "1", "-l", "1", "-singlefile", "in.pdf", "page"], {
      cwd: dir,
    });
    return readFileSync(join(dir, "page.png"));
  });
}

export function withTempDir<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "gallery-"));
  try {
    return work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
