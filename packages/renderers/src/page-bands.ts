import { PAGE_PLACEHOLDERS, type PageBand } from "@reports/contracts";
import { zoneNamer } from "./format";
import { wallClock } from "./timezone";

const PLACEHOLDER = new RegExp(`\\{\\{(${PAGE_PLACEHOLDERS.join("|")})\\}\\}`, "g");

/** What replaces the placeholders of a header or footer part. */
export interface BandValues {
  page: string;
  pages: string;
  generatedAt: string;
}

/**
 * Replaces `{{page}}`, `{{pages}}` and `{{generatedAt}}` in one part of a header or footer; any other `{{…}}` is
 * kept as written (the definition's own parameters are substituted before the spec reaches a renderer).
 * `literal` is applied to the literal text around the placeholders (XLSX doubles its `&`).
 *
 * @example
 * fillBand("Page {{page}} of {{pages}} {{x}}", { page: "2", pages: "9", generatedAt: "" }); // "Page 2 of 9 {{x}}"
 */
export function fillBand(template: string, values: BandValues, literal: (text: string) => string = (t) => t): string {
  let out = "";
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    out += literal(template.slice(last, match.index)) + values[match[1] as keyof BandValues];
    last = match.index + match[0].length;
  }
  return out + literal(template.slice(last));
}

/** The three parts of a band, left out ones as "". */
export function bandParts(band: PageBand | undefined): [string, string, string] {
  return [band?.left ?? "", band?.center ?? "", band?.right ?? ""];
}

/** `{{generatedAt}}` as shown: the render's instant in the spec's time zone, e.g. `2026-12-07 05:30 UTC`. */
export function generatedAtText(at: Date, timeZone: string): string {
  const wall = new Date(wallClock(timeZone)(at.getTime()));
  return `${wall.toISOString().slice(0, 16).replace("T", " ")} ${zoneNamer(timeZone)(at.getTime())}`;
}
