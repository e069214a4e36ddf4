const files: string[] = [];

/**
 * Adds fonts (TTF or OTF files) for characters DejaVu Sans lacks, such as CJK, tried in order, for the PDFs this
 * thread renders from now on. The pool does it in every thread from its `fallbackFonts` option. This module loads
 * nothing: the PDF engine picks the files up when it renders.
 *
 * @example
 * registerFallbackFonts(["/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"]); // Debian's fonts-droid-fallback
 */
export function registerFallbackFonts(paths: readonly string[]): void {
  files.push(...paths);
}

/** The fallback font files registered so far, in order. */
export function fallbackFontFiles(): readonly string[] {
  return files;
}
