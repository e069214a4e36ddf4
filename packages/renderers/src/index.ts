export { RenderError, type RenderErrorType } from "./errors";
export { createRenderPool, DEFAULT_RENDER_TIMEOUT_MS, type RenderPool, type RenderPoolOptions } from "./pool";
export { type RenderedFile, type RenderOptions, renderReport } from "./render";
