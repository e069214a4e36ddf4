import type { TextMeasure } from "./fonts";
import { FRAGMENT, LONG_WORD } from "./fonts";

const ELLIPSIS = "…";

/** Text broken into lines that fit a width. */
export interface WrappedText {
  text: string;
  lines: number;
}

/**
 * Breaks `text` into lines no wider than `width` (in font-size units) at spaces and newlines, and long words
 * every few characters with a hyphen; past `maxLines` the rest is cut with an ellipsis. The lines are joined
 * with "\n" so React-PDF breaks exactly here and a row's height is known before layout.
 *
 * @example
 * wrapText("Zażółć gęślą jaźń", 5, measure, 2); // { text: "Zażółć\ngęślą…", lines: 2 } (depending on the font)
 */
export function wrapText(text: string, width: number, measure: TextMeasure, maxLines: number): WrappedText {
  if (!text.includes("\n") && measure.width(text) <= width) return { text, lines: 1 };
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(" ")) {
      const candidate = line === "" ? word : `${line} ${word}`;
      if (measure.width(candidate) <= width) {
        line = candidate;
        continue;
      }
      if (line !== "") lines.push(line);
      line = word;
      if (word.length > LONG_WORD && measure.width(word) > width) {
        const pieces = breakWord(word, width, measure);
        line = pieces.pop() ?? "";
        lines.push(...pieces);
      }
      if (lines.length > maxLines) break;
    }
    lines.push(line);
    if (lines.length > maxLines) break;
  }
  if (lines.length <= maxLines) return { text: lines.join("\n"), lines: lines.length };
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = withEllipsis(kept[maxLines - 1] ?? "", width, measure);
  return { text: kept.join("\n"), lines: maxLines };
}

/** Hyphenated pieces of a word too wide for a line, cut between fragments like the hyphenation callback. */
function breakWord(word: string, width: number, measure: TextMeasure): string[] {
  const chars = Array.from(word);
  const pieces: string[] = [];
  let piece = "";
  for (let i = 0; i < chars.length; i += FRAGMENT) {
    const fragment = chars.slice(i, i + FRAGMENT).join("");
    if (piece !== "" && measure.width(`${piece}${fragment}-`) > width) {
      pieces.push(`${piece}-`);
      piece = "";
    }
    piece += fragment;
  }
  pieces.push(piece);
  return pieces;
}

function withEllipsis(line: string, width: number, measure: TextMeasure): string {
  let cut = line.replace(/-$/, "");
  while (cut !== "" && measure.width(cut + ELLIPSIS) > width) cut = Array.from(cut).slice(0, -1).join("");
  return cut.trimEnd() + ELLIPSIS;
}
