import type { ReportSpec, ReportWarning } from "@reports/contracts";
import { RenderError, toRenderError } from "./errors";
import { fileTypeOf } from "./file-type";
import { type LogoImage, logoImage } from "./image";
import { type RenderLimits, resolveLimits } from "./limits";
import { generatedAtText } from "./page-bands";
import { Progress } from "./progress";
import { arrayRows, type RowSource } from "./rows";
import { type ChunkSink, collectingSink, writeWhole } from "./sink";

export interface RenderedFile {
  /** The file; empty when it went to the render's `output` instead. */
  data: Buffer;
  /** The file's size. */
  bytes: number;
  contentType: string;
  extension: "xlsx" | "pdf";
  /** What the file could not show as asked, though it was produced (e.g. `MISSING_GLYPHS`); empty when nothing. */
  warnings: ReportWarning[];
}

export interface RenderOptions {
  /** Checked between chunks of work; an abort rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called a bounded number of times (every 10,000 rows and at the end), never per row. */
  onProgress?: (rowsDone: number, rowsTotal: number) => void;
  /** Size limits of this render, over the defaults (`DEFAULT_RENDER_LIMITS`) or the pool's. */
  limits?: Partial<RenderLimits>;
  /**
   * Each table's rows from elsewhere (e.g. streamed from object storage), in table order; those tables' own
   * `rows` are then not read. Nothing holds all the rows at once, and an XLSX is written as they arrive.
   */
  rows?: readonly RowSource[];
  /**
   * Takes the file's bytes as they are made (an upload, say), instead of the result's `data`: an XLSX of a
   * million rows is then never held whole. Chunks come in order; a returned promise holds the render back.
   */
  output?: ChunkSink;
  /** What the spec refers to but does not hold: the bytes of `layout.logo`. */
  assets?: RenderAssets;
  /** The instant `{{generatedAt}}` shows, as ISO 8601 (default: now); a replay passes the first render's. */
  generatedAt?: string;
}

/** Files a spec refers to by key, loaded by the caller (the worker reads them from object storage). */
export interface RenderAssets {
  /** The image `layout.logo` names: PNG or JPEG, at most `MAX_LOGO_BYTES`. */
  logo?: Uint8Array;
}

/** The largest logo a report may carry: 512 KiB. */
export const MAX_LOGO_BYTES = 512 * 1024;

/**
 * Renders a validated spec in the current thread. Blocks the event loop while it works: services
 * should go through `createRenderPool`, which runs this in a worker thread.
 *
 * @example
 * const file = await renderReport(spec, { onProgress: (done, total) => log.debug({ done, total }) });
 * await writeFile(`report.${file.extension}`, file.data);
 */
export function renderReport(spec: ReportSpec, options: RenderOptions = {}): Promise<RenderedFile> {
  return renderRows(
    spec,
    spec.tables.map((t, i) => options.rows?.[i] ?? arrayRows(t.rows)),
    options,
  );
}

/** Renders a spec whose rows come from `sources` (one per table; the tables' own `rows` are not read). */
export async function renderRows(
  spec: ReportSpec,
  sources: readonly RowSource[],
  options: RenderOptions = {},
): Promise<RenderedFile> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const limits = resolveLimits(options.limits);
  const progress = new Progress(
    sources.reduce((n, s) => n + s.count, 0),
    onProgress,
    signal,
  );
  const collected = options.output ? null : collectingSink();
  const sink = options.output ?? (collected as ReturnType<typeof collectingSink>).sink;
  try {
    let bytes: number;
    let whole: Buffer | null = null;
    let warnings: ReportWarning[] = [];
    // Engines load on first use: a process that only drives the pool never loads React-PDF or SheetJS.
    switch (spec.format) {
      case "xlsx": {
        const { renderXlsx } = await import("./xlsx");
        bytes = await renderXlsx(spec, sources, progress, limits, sink, look(spec, options));
        break;
      }
      case "pdf": {
        const { renderPdf } = await import("./pdf");
        const { pdf, warnings: pdfWarnings } = await renderPdf(spec, sources, progress, limits, look(spec, options));
        warnings = pdfWarnings;
        if (options.output) await writeWhole(options.output, pdf);
        else whole = pdf;
        bytes = pdf.length;
        break;
      }
      default:
        throw new RenderError(
          "INVALID_SPEC",
          `unknown report format "${String((spec as { format: unknown }).format)}"`,
        );
    }
    const file: RenderedFile = {
      ...fileTypeOf(spec.format),
      data: whole ?? collected?.bytes() ?? Buffer.alloc(0),
      bytes,
      warnings,
    };
    signal?.throwIfAborted();
    progress.finish();
    return file;
  } catch (error) {
    if (signal?.aborted && error === signal.reason) throw error;
    throw toRenderError(error);
  }
}

/** The logo (checked) and the time of `{{generatedAt}}`, for either renderer. */
function look(spec: ReportSpec, { assets, generatedAt }: RenderOptions) {
  const logo = spec.layout?.logo;
  let image: LogoImage | null = null;
  if (logo) {
    if (!assets?.logo) throw new RenderError("INVALID_SPEC", `layout.logo: no image was given for "${logo.key}"`);
    if (assets.logo.byteLength > MAX_LOGO_BYTES) {
      throw new RenderError("INVALID_SPEC", `layout.logo: the image is larger than ${MAX_LOGO_BYTES} bytes`);
    }
    image = logoImage(assets.logo, logo.contentType);
  }
  const at = generatedAt === undefined ? new Date() : new Date(generatedAt);
  return { logo: image, generatedAt: generatedAtText(at, spec.timeZone ?? "UTC") };
}

/** Loads both engines and the fonts, so the first render of a fresh thread does not pay for it. */
export async function preloadRenderers(): Promise<void> {
  const [, , fonts] = await Promise.all([import("./xlsx"), import("./pdf"), import("./fonts")]);
  fonts.preloadFonts();
}
