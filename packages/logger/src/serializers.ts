import { scrub } from "./scrub";

/**
 * Fields of an error (or of a driver error in its `cause` chain) worth logging: what went wrong and
 * where, never the data. Anything else — `params`, `query`, `parameters`, PostgreSQL's `detail` and
 * `where` (they quote values), a response body — is dropped, whatever the library put there.
 */
const SAFE_FIELDS = [
  "code",
  "errno",
  "syscall",
  "severity",
  "routine",
  "constraint_name",
  "table_name",
  "column_name",
  "schema_name",
  "statusCode",
  "retryable",
  "operation",
  "key",
] as const;

/** Causes followed below an error; deeper ones are cut off. */
const MAX_DEPTH = 5;

export interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  cause?: SerializedError;
  errors?: SerializedError[];
  [field: string]: unknown;
}

/** A message, minus what a query error spells out: Drizzle's `Failed query: <sql>\nparams: <every value>`. */
function safeMessage(error: Error, type: string): string {
  if (type === "DrizzleQueryError" || error.message.startsWith("Failed query:")) {
    return "Failed query (its text and parameters are not logged; see the cause)";
  }
  return scrub(error.message);
}

/** The stack's frames only: its first lines repeat the message, which may hold what `safeMessage` left out. */
function framesOf(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  const frames = stack.split("\n").filter((line) => line.trimStart().startsWith("at "));
  return frames.length > 0 ? scrub(frames.join("\n")) : undefined;
}

/**
 * pino's `err` serializer: type, message, code and stack frames of an error and of its causes, with
 * query text, bound parameters and secrets left out.
 *
 * @example
 * pino({ serializers: { err: serializeError } });
 */
export function serializeError(value: unknown, depth = 0): SerializedError | unknown {
  if (!(value instanceof Error)) {
    return typeof value === "string" ? scrub(value) : value;
  }
  // Drizzle's errors keep name "Error": their class says more
  const type = value.name && value.name !== "Error" ? value.name : value.constructor?.name || "Error";
  const out: SerializedError = { type, message: safeMessage(value, type) };
  for (const field of SAFE_FIELDS) {
    const v = (value as unknown as Record<string, unknown>)[field];
    if (typeof v === "string") out[field] = scrub(v);
    else if (typeof v === "number" || typeof v === "boolean") out[field] = v;
  }
  const stack = framesOf(value.stack);
  if (stack) out.stack = stack;
  if (depth < MAX_DEPTH) {
    if (value.cause !== undefined) out.cause = serializeError(value.cause, depth + 1) as SerializedError;
    if (value instanceof AggregateError) {
      out.errors = value.errors.slice(0, 5).map((e) => serializeError(e, depth + 1) as SerializedError);
    }
  }
  return out;
}
