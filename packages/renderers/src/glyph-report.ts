import type { ReportWarning } from "@reports/contracts";
import type { FontFace } from "./fonts";

/** At most this many code points are named in a warning. */
const MAX_CODE_POINTS = 50;

/** Collects the characters no font of the chain has, over a report's texts (title, headings, headers, cells). */
export interface GlyphCheck {
  check(text: string, face: FontFace): void;
  report(): ReportWarning[];
}

export const codePointName = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * A `MISSING_GLYPHS` warning for the report's status when some text has a character no font can draw: the file is
 * still produced (the character shows as the font's empty box), and the status says which and how often.
 *
 * @example
 * const glyphs = missingGlyphs();
 * glyphs.check("\u{E000}", face);
 * glyphs.report(); // [{ code: "MISSING_GLYPHS", message: "1 cell has …: U+E000", codePoints: ["U+E000"], cells: 1 }]
 */
export function missingGlyphs(): GlyphCheck {
  const codePoints = new Set<number>();
  let cells = 0;
  return {
    check(text, face) {
      const missing = face.missing(text);
      if (missing.length === 0) return;
      cells++;
      for (const cp of missing) codePoints.add(cp);
    },
    report() {
      if (cells === 0) return [];
      const names = [...codePoints].sort((a, b) => a - b).map(codePointName);
      const shown = names.slice(0, MAX_CODE_POINTS);
      const more = names.length > shown.length ? ` and ${names.length - shown.length} more` : "";
      const subject = cells === 1 ? "1 text has" : `${cells} texts have`;
      return [
        {
          code: "MISSING_GLYPHS",
          message: `${subject} characters no embedded font can draw (shown as empty boxes): ${shown.join(", ")}${more}`,
          codePoints: shown,
          cells,
        },
      ];
    },
  };
}
