import { createRequire } from "node:module";
import { Font } from "@react-pdf/renderer";
import type { FontkitFont } from "./pdf-font";

const require = createRequire(import.meta.url);

/** DejaVu Sans: Latin, Greek and Cyrillic, bundled so no system font matters. */
export const FONT_FAMILY = "DejaVu Sans";

/** Words longer than this may break (with a hyphen) every `FRAGMENT` characters, or they overflow their cell. */
export const LONG_WORD = 12;
export const FRAGMENT = 4;

// Top level, so every worker thread that imports the PDF renderer has the fonts.
Font.register({
  family: FONT_FAMILY,
  fonts: [
    { src: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf"), fontWeight: "normal" },
    { src: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf"), fontWeight: "bold" },
  ],
});
// No dictionary hyphenation (slow and wrong for ids and amounts), but long words may still break.
Font.registerHyphenationCallback((word) => (word.length > LONG_WORD ? splitWord(word) : [word]));

function splitWord(word: string): string[] {
  const chars = Array.from(word);
  const parts: string[] = [];
  for (let i = 0; i < chars.length; i += FRAGMENT) parts.push(chars.slice(i, i + FRAGMENT).join(""));
  return parts;
}

/** Measures text in a font at 1 pt: advance widths only, no kerning. */
export interface TextMeasure {
  width(text: string): number;
}

/** A weight of the font as React-PDF loaded it (a fontkit font), with a measure of its text. */
export interface FontFace {
  font: FontkitFont & { ascent: number; descent: number; unitsPerEm: number };
  measure: TextMeasure;
}

const faces = new Map<number, Promise<FontFace>>();

/** Basic Latin to Latin Extended-B, combining marks, Greek, Cyrillic, general punctuation, currency signs. */
const WARM_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x20, 0x24f],
  [0x300, 0x4ff],
  [0x2000, 0x20cf],
];

/**
 * Advance widths of the font React-PDF itself loads, to wrap and truncate cells before layout.
 * `fontWeight: 700`, not "bold": the store silently answers "bold" with the regular face.
 */
export async function textMeasure(weight: 400 | 700): Promise<TextMeasure> {
  return (await fontFace(weight)).measure;
}

/** The font React-PDF loaded for a weight (so pdfkit embeds one subset of it), loaded once per thread. */
export function fontFace(weight: 400 | 700): Promise<FontFace> {
  let face = faces.get(weight);
  if (face === undefined) {
    face = loadFace(weight);
    faces.set(weight, face);
  }
  return face;
}

async function loadFace(fontWeight: 400 | 700): Promise<FontFace> {
  const descriptor = { fontFamily: FONT_FAMILY, fontWeight };
  await Font.load(descriptor);
  const font = Font.getFont(descriptor).data as unknown as FontFace["font"] | null;
  if (!font) throw new Error(`font ${FONT_FAMILY} ${fontWeight} did not load`);
  // fontkit caches a glyph with the text of its first use. If that is a letter the font builds from parts
  // (ć = c + ◌́), the cached "c" maps to the wrong text, and every later PDF of this thread extracts and copies
  // "c" wrongly. Creating the glyphs from their own code points first keeps the mapping right.
  for (const [first, last] of WARM_RANGES) for (let cp = first; cp <= last; cp++) font.glyphForCodePoint(cp);
  const unitsPerEm = font.unitsPerEm;
  const advances = new Map<number, number>();
  const advance = (codePoint: number): number => {
    let em = advances.get(codePoint);
    if (em === undefined) {
      em = font.glyphForCodePoint(codePoint).advanceWidth / unitsPerEm;
      advances.set(codePoint, em);
    }
    return em;
  };
  const measure: TextMeasure = {
    width(text) {
      let total = 0;
      for (let i = 0; i < text.length; i++) {
        const code = text.codePointAt(i) as number;
        if (code > 0xffff) i++;
        total += advance(code);
      }
      return total;
    },
  };
  return { font, measure };
}
