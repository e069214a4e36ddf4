/** Excel's last row is 1,048,576; the header takes one. */
export const EXCEL_MAX_DATA_ROWS = 1_048_575;

/** Size limits of one render; every field has a documented default (see the package README). */
export interface RenderLimits {
  /**
   * Rows a PDF may hold over all its tables; more fail with `TOO_LARGE` before any work.
   * Default 100,000 (about 2,500 A4 pages, some 20 s on one core).
   */
  pdfMaxRows: number;
  /** Data rows per XLSX sheet, at most (and by default) Excel's 1,048,575. */
  xlsxSheetRows: number;
  /**
   * What a table with more rows than a sheet holds becomes: `"split"` (default) continues it on sheets
   * named `Name (2)`, `Name (3)`, …; `"reject"` fails the render with `TOO_LARGE`.
   */
  xlsxOverflow: "split" | "reject";
}

export const DEFAULT_RENDER_LIMITS: Readonly<RenderLimits> = Object.freeze({
  pdfMaxRows: 100_000,
  xlsxSheetRows: EXCEL_MAX_DATA_ROWS,
  xlsxOverflow: "split",
});

/** The defaults with `overrides` applied (an undefined field keeps the default); a sheet never holds more rows than Excel opens. */
export function resolveLimits(...overrides: Array<Partial<RenderLimits> | undefined>): RenderLimits {
  const limits: RenderLimits = { ...DEFAULT_RENDER_LIMITS };
  for (const override of overrides) {
    for (const [key, value] of Object.entries(override ?? {})) {
      if (value !== undefined) Object.assign(limits, { [key]: value });
    }
  }
  limits.xlsxSheetRows = Math.max(1, Math.min(Math.floor(limits.xlsxSheetRows), EXCEL_MAX_DATA_ROWS));
  limits.pdfMaxRows = Math.max(0, Math.floor(limits.pdfMaxRows));
  return limits;
}
