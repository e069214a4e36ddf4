export { type AssetSource, loadAssets } from "./assets";
export { RenderError, type RenderErrorType } from "./errors";
export { registerFallbackFonts } from "./fallback-fonts";
export { fileTypeOf } from "./file-type";
export { DEFAULT_RENDER_LIMITS, EXCEL_MAX_DATA_ROWS, type RenderLimits } from "./limits";
export { createRenderPool, DEFAULT_RENDER_TIMEOUT_MS, type RenderPool, type RenderPoolOptions } from "./pool";
export { MAX_LOGO_BYTES, type RenderAssets, type RenderedFile, type RenderOptions, renderReport } from "./render";
export type { RowSource } from "./rows";
export type { ChunkSink } from "./sink";
