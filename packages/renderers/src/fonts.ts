import { createRequire } from "node:module";
import { Font } from "@react-pdf/renderer";
import { fallbackFontFiles } from "./fallback-fonts";
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

type LoadedFont = FontkitFont & { ascent: number; descent: number; unitsPerEm: number };

/** A run of text drawn with one font: 0 is DejaVu Sans, 1… the fallback fonts in order. */
export interface FontRun {
  text: string;
  font: number;
}

/** A weight of the fonts as React-PDF loaded them (fontkit fonts), with a measure of their text. */
export interface FontFace {
  font: LoadedFont;
  /** The fallback fonts at this weight, in order. */
  fallbacks: LoadedFont[];
  measure: TextMeasure;
  /** The text cut where the font changes, or null when DejaVu Sans has every character (nearly always). */
  runs(text: string): FontRun[] | null;
}

const faces = new Map<number, Promise<FontFace>>();
const fallbackFamilies: string[] = [];

/** Registers with React-PDF the fallback files added since the last call; new fonts mean new faces. */
function syncFallbacks(): void {
  const files = fallbackFontFiles();
  while (fallbackFamilies.length < files.length) {
    const src = files[fallbackFamilies.length] as string;
    const family = `Fallback ${fallbackFamilies.length + 1}`;
    Font.register({
      family,
      fonts: [
        { src, fontWeight: 400 },
        { src, fontWeight: 700 },
      ],
    });
    fallbackFamilies.push(family);
    faces.clear();
  }
}

/** The font families of React-PDF's text: DejaVu Sans, then the fallbacks. */
export function fontFamilies(): string[] {
  syncFallbacks();
  return [FONT_FAMILY, ...fallbackFamilies];
}

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

/** The fonts React-PDF loaded for a weight (so pdfkit embeds one subset of each), loaded once per thread. */
export function fontFace(weight: 400 | 700): Promise<FontFace> {
  syncFallbacks();
  let face = faces.get(weight);
  if (face === undefined) {
    face = loadFace(weight);
    faces.set(weight, face);
  }
  return face;
}

async function loadFont(fontFamily: string, fontWeight: 400 | 700): Promise<LoadedFont> {
  await Font.load({ fontFamily, fontWeight });
  const font = Font.getFont({ fontFamily, fontWeight }).data as unknown as LoadedFont | null;
  if (!font) throw new Error(`font ${fontFamily} ${fontWeight} did not load`);
  return font;
}

async function loadFace(fontWeight: 400 | 700): Promise<FontFace> {
  const [font, ...fallbacks] = await Promise.all(fontFamilies().map((family) => loadFont(family, fontWeight)));
  if (!font) throw new Error(`font ${FONT_FAMILY} did not load`);
  // fontkit caches a glyph with the text of its first use. If that is a letter the font builds from parts
  // (ć = c + ◌́), the cached "c" maps to the wrong text, and every later PDF of this thread extracts and copies
  // "c" wrongly. Creating the glyphs from their own code points first keeps the mapping right.
  for (const [first, last] of WARM_RANGES) for (let cp = first; cp <= last; cp++) font.glyphForCodePoint(cp);
  const fonts = [font, ...fallbacks];
  // Per code point: the font that has it (DejaVu Sans when none does) and its advance in ems.
  const glyphs = new Map<number, { font: number; em: number }>();
  const glyph = (codePoint: number) => {
    let found = glyphs.get(codePoint);
    if (found === undefined) {
      const index = Math.max(
        0,
        fonts.findIndex((f) => f.hasGlyphForCodePoint(codePoint)),
      );
      const chosen = fonts[index] as LoadedFont;
      found = { font: index, em: chosen.glyphForCodePoint(codePoint).advanceWidth / chosen.unitsPerEm };
      glyphs.set(codePoint, found);
    }
    return found;
  };
  const measure: TextMeasure = {
    width(text) {
      let total = 0;
      for (let i = 0; i < text.length; i++) {
        const code = text.codePointAt(i) as number;
        if (code > 0xffff) i++;
        total += glyph(code).em;
      }
      return total;
    },
  };
  const runs = (text: string): FontRun[] | null => {
    if (fallbacks.length === 0) return null;
    const found: FontRun[] = [];
    for (const char of text) {
      const index = glyph(char.codePointAt(0) as number).font;
      const last = found.at(-1);
      if (last?.font === index) last.text += char;
      else found.push({ text: char, font: index });
    }
    return found.length > 1 || found[0]?.font !== 0 ? found : null;
  };
  return { font, fallbacks, measure, runs };
}
