import type { ReportErrorType } from "@reports/contracts";

/** The report error types a render can end in. */
export type RenderErrorType = Extract<
  ReportErrorType,
  "RENDER_FAILED" | "RENDER_TIMEOUT" | "TOO_LARGE" | "INVALID_SPEC"
>;

/**
 * A render that did not produce a file; `type` is what the worker stores as the report's error type.
 *
 * @example
 * if (err instanceof RenderError && err.type === "RENDER_TIMEOUT") log.warn("render too slow");
 */
export class RenderError extends Error {
  override readonly name = "RenderError";

  constructor(
    readonly type: RenderErrorType,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A cell whose value does not fit its column's type (the spec skipped validation). */
export function invalidCell(table: string, row: number, key: string, type: string): RenderError {
  return new RenderError(
    "INVALID_SPEC",
    `table "${table}", row ${row + 1}, column "${key}": not a valid ${type} value`,
  );
}

/** Classifies anything thrown while rendering; engine internals become a one-line message. */
export function toRenderError(error: unknown): RenderError {
  if (error instanceof RenderError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // V8's ceilings on one string or buffer: the report is too big for this renderer, not broken.
  if (
    error instanceof RangeError &&
    /Invalid string length|Array buffer allocation failed|Invalid typed array length/.test(message)
  ) {
    return new RenderError("TOO_LARGE", `the report is too large to render: ${message}`, { cause: error });
  }
  return new RenderError("RENDER_FAILED", `rendering failed: ${firstLine(message)}`, { cause: error });
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
