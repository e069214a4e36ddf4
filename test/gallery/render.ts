import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReportSpec, ReportWarning } from "@reports/contracts";
import type { RenderedFile, RenderOptions } from "@reports/renderers";
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

type Render = (spec: ReportSpec, options?: RenderOptions) => Promise<RenderedFile>;

/** `{{generatedAt}}` of every sample: a fixed instant, so pages never change with the clock. */
const GENERATED_AT = "2026-01-01T08:00:00Z";

const optionsOf = (sample: Sample): RenderOptions => ({
  generatedAt: GENERATED_AT,
  ...(sample.assets ? { assets: sample.assets } : {}),
});

/**
 * Renders a sample to PDF and XLSX with `render` (a render pool's, as a worker does, or `renderReport` in this
 * thread), pinned so the same spec always gives the same bytes (see `pinPdf`, `pinZip`).
 */
export async function renderSample(render: Render, sample: Sample): Promise<RenderedSample> {
  const [pdf, xlsx] = await Promise.all([renderSamplePdf(render, sample), renderSampleXlsx(render, sample)]);
  return { pdf: pdf.data, xlsx: xlsx.data, warnings: [...pdf.warnings, ...xlsx.warnings] };
}

export async function renderSamplePdf(render: Render, sample: Sample): Promise<RenderedFile> {
  const file = await render(sampleSpecFor(sample, "pdf"), optionsOf(sample));
  return { ...file, data: pinPdf(file.data) };
}

export async function renderSampleXlsx(render: Render, sample: Sample): Promise<RenderedFile> {
  const file = await render(sampleSpecFor(sample, "xlsx"), optionsOf(sample));
  return { ...file, data: pinZip(file.data) };
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

/** 2026-01-01 00:00 as a zip entry's MS-DOS date and time. */
const DOS_DATE = ((2026 - 1980) << 9) | (1 << 5) | 1;

/**
 * The same XLSX for the same spec: every zip entry's modification time (the only thing that changes between two
 * renders) becomes a fixed one, in the central directory and in each entry's local header.
 */
export function pinZip(zip: Buffer): Buffer {
  const out = Buffer.from(zip);
  const end = out.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error("not a zip file: no end of central directory");
  const entries = out.readUInt16LE(end + 10);
  let at = out.readUInt32LE(end + 16);
  for (let i = 0; i < entries; i++) {
    if (out.readUInt32LE(at) !== 0x02014b50) throw new Error(`not a central directory entry at ${at}`);
    out.writeUInt32LE(DOS_DATE << 16, at + 12);
    const nameLength = out.readUInt16LE(at + 28);
    pinExtendedTimestamp(out, at + 46 + nameLength, out.readUInt16LE(at + 30));
    const local = out.readUInt32LE(at + 42);
    out.writeUInt32LE(DOS_DATE << 16, local + 10);
    pinExtendedTimestamp(out, local + 30 + out.readUInt16LE(local + 26), out.readUInt16LE(local + 28));
    at += 46 + nameLength + out.readUInt16LE(at + 30) + out.readUInt16LE(at + 32);
  }
  return out;
}

/** The "UT" extra field (0x5455): a flags byte, then Unix times of 4 bytes each. */
function pinExtendedTimestamp(zip: Buffer, start: number, length: number): void {
  for (let at = start; at + 4 <= start + length; at += 4 + zip.readUInt16LE(at + 2)) {
    if (zip.readUInt16LE(at) !== 0x5455) continue;
    for (let t = at + 5; t + 4 <= at + 4 + zip.readUInt16LE(at + 2); t += 4) zip.writeUInt32LE(PINNED_UNIX_TIME, t);
  }
}

const PINNED_UNIX_TIME = Date.UTC(2026, 0, 1) / 1000;

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

/** Every page as a PNG, in order. */
export function pagePngs(pdf: Buffer, dpi = PNG_DPI): Buffer[] {
  return withTempDir((dir) => {
    writeFileSync(join(dir, "in.pdf"), pdf);
    execFileSync("pdftoppm", ["-png", "-r", String(dpi), "in.pdf", "page"], { cwd: dir });
    return readdirSync(dir)
      .filter((f) => /^page-\d+\.png$/.test(f))
      .sort((a, b) => Number(a.replace(/\D/g, "")) - Number(b.replace(/\D/g, "")))
      .map((f) => readFileSync(join(dir, f)));
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
