import type { ReportErrorType } from "@reports/contracts";
import { RenderError } from "@reports/renderers";
import { StorageError } from "@reports/storage";

export interface ClassifiedError {
  type: ReportErrorType;
  /** Shown to the client: never an internal message. */
  message: string;
  /** Whether another attempt could succeed. */
  retryable: boolean;
}

/**
 * The one place a worker failure gets its type and its fate: retryable (S3 5xx or network, a lost
 * database connection, anything unexpected) or fatal (invalid spec, too large, a render error).
 */
export function classifyError(error: unknown, options: { retryRenderTimeout?: boolean } = {}): ClassifiedError {
  if (error instanceof RenderError) {
    const retryable = error.type === "RENDER_TIMEOUT" && options.retryRenderTimeout === true;
    return { type: error.type, message: error.message, retryable };
  }
  if (error instanceof StorageError) {
    return { type: "STORAGE_FAILED", message: "The file could not be stored.", retryable: error.retryable };
  }
  return { type: "INTERNAL", message: "An internal error stopped this report.", retryable: true };
}
