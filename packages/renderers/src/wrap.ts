import type { TextMeasure } from "./fonts";

const ELLIPSIS = "…";
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this replaces
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;
const SPACES = "\t\u000b\u000c";
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Text broken into lines that fit a width. */
export interface WrappedText {
  text: string;
  lines: number;
}

/**
 * Tabs and other control characters as the PDF shows them: a tab or a vertical tab is a space, CR LF a line
 * break, the rest (NUL, ESC, C1 controls) nothing. No font has a glyph for them: they would be boxes.
 */
export function printable(text: string): string {
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(text)) return text;
  return text.replace(/\r\n/g, "\n").replace(CONTROL, (c) => (c === "\r" ? "\n" : SPACES.includes(c) ? " " : ""));
}

/**
 * Breaks `text` into lines no wider than `width` (in font-size units) at spaces and newlines; a word is broken
 * (between characters, without a hyphen, which could read as a minus) only when it alone is wider than a line.
 * Past `maxLines` the rest is cut with an ellipsis. The lines are joined with "\n", so a row's height is known
 * before anything is drawn.
 *
 * @example
 * wrapText("Zażółć gęślą jaźń", 5, measure, 2); // { text: "Zażółć\ngęślą…", lines: 2 } (depending on the font)
 */
export function wrapText(text: string, width: number, measure: TextMeasure, maxLines: number): WrappedText {
  if (!text.includes("\n") && measure.width(text) <= width) return { text, lines: 1 };
  const space = measure.width(" ");
  const lines: string[] = [];
  let truncated = false;
  outer: for (const paragraph of text.split("\n")) {
    let line: string | null = null;
    let lineWidth = 0;
    for (const word of paragraph.split(" ")) {
      const wordWidth = measure.width(word);
      if (line === null && wordWidth <= width) {
        line = word;
        lineWidth = wordWidth;
        continue;
      }
      if (line !== null && lineWidth + space + wordWidth <= width) {
        line = `${line} ${word}`;
        lineWidth += space + wordWidth;
        continue;
      }
      if (line !== null) lines.push(line);
      if (wordWidth <= width) {
        line = word;
        lineWidth = wordWidth;
      } else {
        const pieces = breakWord(word, width, measure);
        line = pieces.pop() ?? "";
        lineWidth = measure.width(line);
        lines.push(...pieces);
      }
      if (lines.length > maxLines) {
        truncated = true;
        break outer;
      }
    }
    lines.push(line ?? "");
    if (lines.length > maxLines) {
      truncated = true;
      break;
    }
  }
  if (!truncated && lines.length <= maxLines) return { text: lines.join("\n"), lines: lines.length };
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = withEllipsis(kept[maxLines - 1] ?? "", width, measure);
  return { text: kept.join("\n"), lines: maxLines };
}

/** Pieces of a word too wide for a line, each as many whole characters (graphemes) as fit. */
function breakWord(word: string, width: number, measure: TextMeasure): string[] {
  const pieces: string[] = [];
  let piece = "";
  for (const { segment } of graphemes.segment(word)) {
    if (piece !== "" && measure.width(piece + segment) > width) {
      pieces.push(piece);
      piece = "";
    }
    piece += segment;
  }
  pieces.push(piece);
  return pieces;
}

/** The line cut so that it and an ellipsis fit the width. */
export function withEllipsis(line: string, width: number, measure: TextMeasure): string {
  const parts = Array.from(graphemes.segment(line), (s) => s.segment);
  while (parts.length > 0 && measure.width(parts.join("") + ELLIPSIS) > width) parts.pop();
  return parts.join("").trimEnd() + ELLIPSIS;
}
