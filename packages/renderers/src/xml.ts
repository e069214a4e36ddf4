/** What XML text cannot hold as is, and what a spreadsheet reader would take for an escape. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what has to be escaped
const SPECIAL = /[&<>\u0000-\u0008\u000b-\u001f\ud800-\udfff\ufffe\uffff]|_x[0-9a-f]{4}_/i;
const ESCAPE_START = /_(?=x[0-9a-f]{4}_)/gi;
// A literal CR would reach readers as LF (XML normalises line ends); a character reference stays a CR.
const MARKUP = /[&<>\r]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 has no way to write these but Excel's _xHHHH_
const UNWRITABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;" };

/**
 * Escapes text for a spreadsheet XML element: markup characters and CR as references, other control characters
 * as Excel's `_xHHHH_`, a literal `_xHHHH_` as `_x005F_xHHHH_` so Excel keeps it, lone surrogates as U+FFFD.
 *
 * @example
 * escapeText("a < b\r\u0001_x0041_"); // "a &lt; b&#13;_x0001__x005F_x0041_"
 */
export function escapeText(text: string): string {
  if (!SPECIAL.test(text)) return text;
  return text
    .replace(ESCAPE_START, "_x005F_")
    .replace(MARKUP, (c) => ENTITIES[c] as string)
    .replace(UNWRITABLE, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}_`)
    .replace(LONE_SURROGATE, "\ufffd");
}

/** Escapes a value for an XML attribute in double quotes. */
export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, "&quot;");
}

/** Whether a reader would trim the text's edges unless told `xml:space="preserve"`. */
export function hasEdgeSpace(text: string): boolean {
  return /^\s|\s$/.test(text);
}

/** The column letters of a 0-based index: 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}
