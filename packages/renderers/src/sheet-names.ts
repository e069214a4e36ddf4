const MAX_LENGTH = 31;
// biome-ignore lint/suspicious/noControlCharactersInRegex: Excel rejects control characters in sheet names too
const FORBIDDEN = /[[\]:*?/\\\u0000-\u001f]/g;

/**
 * Turns names into Excel sheet names. The contract refuses table names Excel cannot take, so this only shapes the
 * names of a table's further sheets (`Orders (2)`) and guards specs stored before that rule: at most 31 characters, none of `[ ] : * ? / \`,
 * no leading or trailing apostrophe, not the reserved "History", unique ignoring case.
 *
 * @example
 * sheetNames(["Q1/Q2: sales", "q1/q2: SALES"]); // ["Q1_Q2_ sales", "q1_q2_ SALES (2)"]
 */
export function sheetNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name, i) => {
    let base = name
      .replace(FORBIDDEN, "_")
      .replace(/^'+|'+$/g, "")
      .trim();
    if (base === "") base = `Sheet${i + 1}`;
    if (base.toLowerCase() === "history") base = `${base}_`;
    base = truncate(base, MAX_LENGTH);
    let candidate = base;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) {
      const suffix = ` (${n})`;
      candidate = `${truncate(base, MAX_LENGTH - suffix.length).replace(/'+$/, "")}${suffix}`;
    }
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

/**
 * The name of a table's `part`-th sheet (from 2) when its rows fill more than one: `Name (2)`, cut so the
 * suffix stays within 31 characters.
 *
 * @example
 * partName("Orders", 2); // "Orders (2)"
 */
export function partName(name: string, part: number): string {
  const [base] = sheetNames([name]);
  const suffix = ` (${part})`;
  return `${truncate(base ?? name, MAX_LENGTH - suffix.length)}${suffix}`;
}

/** Cuts to `max` UTF-16 units without splitting a surrogate pair, and drops a trailing apostrophe left by the cut. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end).replace(/'+$/, "").trimEnd() || "Sheet";
}
