import type { ReportErrorType } from "@reports/contracts";
import { RenderError } from "@reports/renderers";
import { StorageError } from "@reports/storage";

export interface ClassifiedError {
  type: ReportErrorType;
  /** Shown to the client: never an internal message. */
  message: string;
  /** Whether another attempt could succeed (used by the retry policy). */
  retryable: boolean;
}

/** The one place a worker failure gets its type. */
export function classifyError(error: unknown): ClassifiedError {
  if (error instanceof RenderError) {
    return { type: error.type, message: error.message, retryable: false };
  }
  if (error instanceof StorageError) {
    return { type: "STORAGE_FAILED", message: "The file could not be stored.", retryable: error.retryable };
  }
  return { type: "INTERNAL", message: "An internal error stopped this report.", retryable: true };
}
