import { z } from "zod";

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what this looks for
const UNSAFE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a string cannot be stored or shown, or null when it can: PostgreSQL text cannot hold NUL, and an unpaired
 * surrogate is no character at all (UTF-8 cannot encode it; files would carry U+FFFD instead).
 *
 * @example
 * textProblem("a\u0000b"); // "must not contain NUL (\\u0000)"
 */
export function textProblem(text: string): string | null {
  const found = UNSAFE_TEXT.exec(text);
  if (!found) return null;
  return found[0] === "\u0000"
    ? "must not contain NUL (\\u0000)"
    : `must not contain an unpaired surrogate (\\u${found[0].charCodeAt(0).toString(16)} at ${found.index})`;
}

/** Adds the NUL and unpaired-surrogate check to a string schema: every string of the spec goes through it. */
export function safeText<T extends z.ZodString | z.ZodURL>(schema: T): T {
  return schema.superRefine((text, ctx) => {
    const problem = textProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }) as T;
}

/** A string that can be stored and shown (see `textProblem`). */
export const text = () => safeText(z.string());
