export { RenderError, type RenderErrorType } from "./errors";
export { type RenderedFile, type RenderOptions, renderReport } from "./render";
