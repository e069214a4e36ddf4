/// <reference path="./fontkit.d.ts" />
import bidiFactory from "bidi-js";
import type { Font } from "fontkit";
import { fallbackFontFiles } from "./fallback-fonts";
import { BASE_FONT, type ChainFont, candidates, hanFonts, loadFont, type Weight } from "./font-chain";
import { cellFont } from "./pdf-font";

export type { Weight } from "./font-chain";

/** Measures text at 1 pt (in ems): advance widths, shaped where the script needs it. */
export interface TextMeasure {
  width(text: string): number;
}

/** A piece of a line in one font and one direction, placed `x` ems from the line's left edge. */
export interface PlacedRun {
  text: string;
  /** What pdfkit draws with: the chain's font, behind the cell layout of `pdf-font.ts`. */
  font: Font;
  x: number;
}

/** A line ready to draw: its runs in visual order (null: the whole line in the base font, as given). */
export interface LineLayout {
  runs: PlacedRun[] | null;
  width: number;
  /** The line's paragraph direction is right-to-left (it starts with Arabic or Hebrew): align it right. */
  rtl: boolean;
}

/** The fonts of one weight for one report: DejaVu Sans first, the rest of the chain loaded as text needs it. */
export interface FontFace {
  base: Font;
  measure: TextMeasure;
  /** The width (ems) of text DejaVu Sans draws alone, glyph by glyph; null when it needs `layout`. */
  simpleWidth(text: string): number | null;
  layout(line: string): LineLayout;
  /** Code points of `text` that no font of the chain can draw. */
  missing(text: string): number[];
  /** Ascent and descent of the base font, in ems. */
  ascent: number;
  descent: number;
}

/**
 * Latin, Greek, Cyrillic, punctuation and currency signs without combining marks: text drawn glyph by glyph
 * (see `pdf-font.ts`), measured as the sum of its advances.
 */
const SIMPLE =
  /^[\u0020-\u007e\u00a0-\u02ff\u0370-\u0482\u048a-\u052f\u1e00-\u1fff\u2000-\u205f\u20a0-\u20cf\u2100-\u214f]*$/;
/** Strong right-to-left characters: a line holding one goes through the bidi algorithm. */
const RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\u200f\u202b\u202e\u2067]/;
/** Hebrew and Arabic script: fontkit reverses a run holding one by itself (its shaper's direction). */
const RTL_SCRIPT = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe]/;
/** Default-ignorable code points (joiners, variation selectors, bidi controls): never drawn as boxes. */
const IGNORABLE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: it tests one code point at a time
  /^[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\u{1d173}-\u{1d17a}\u{e0000}-\u{e0fff}]$/u;
/** Marks and joiners stay in the font of the character before them when it has them (shaping needs them). */
// biome-ignore lint/suspicious/noMisleadingCharacterClass: it tests one code point at a time
const CLINGING = /^[\p{M}\u200c\u200d\ufe00-\ufe0f\u{1f3fb}-\u{1f3ff}\u{e0020}-\u{e007f}]$/u;

/** Latin, combining marks, Greek, Cyrillic, punctuation, currency: their glyphs are created first (see below). */
const WARM_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x20, 0x24f],
  [0x300, 0x4ff],
  [0x2000, 0x20cf],
];

const bidi = bidiFactory();
const forPdfkit = new Map<Font, Font>();
const faces = new Map<string, FontFace>();

/** The face of a weight for text in `locale` (it orders the Han fonts), made once per thread. */
export function fontFace(weight: Weight, locale?: string): FontFace {
  const han = hanFonts(locale);
  const key = `${weight} ${han[0]?.name} ${fallbackFontFiles().length}`;
  let face = faces.get(key);
  if (face === undefined) {
    face = makeFace(weight, han);
    faces.set(key, face);
  }
  return face;
}

/** Reads DejaVu Sans in both weights, so the first render of a thread does not pay for it. */
export function preloadFonts(): void {
  fontFace(400);
  fontFace(700);
}

function drawable(font: Font): Font {
  let proxy = forPdfkit.get(font);
  if (proxy === undefined) {
    // fontkit caches a glyph with the text of its first use. If that is a letter the font builds from parts
    // (ć = c + ◌́), the cached "c" maps to the wrong text, and every later PDF of this thread extracts and copies
    // "c" wrongly. Creating the glyphs from their own code points first keeps the mapping right.
    for (const [first, last] of WARM_RANGES) {
      for (let cp = first; cp <= last; cp++) if (font.hasGlyphForCodePoint(cp)) font.glyphForCodePoint(cp);
    }
    proxy = cellFont(font);
    forPdfkit.set(font, proxy);
  }
  return proxy;
}

interface Slot {
  chain: ChainFont;
  font: Font;
  draw: Font;
}

/** A run before placing: logical text of one font at one bidi level. */
interface Run {
  text: string;
  slot: number;
  level: number;
}

function makeFace(weight: Weight, han: readonly ChainFont[]): FontFace {
  const slots: Slot[] = [];
  const slotOf = (chain: ChainFont): number => {
    let index = slots.findIndex((s) => s.chain === chain);
    if (index < 0) {
      const font = loadFont(chain, weight);
      slots.push({ chain, font, draw: drawable(font) });
      index = slots.length - 1;
    }
    return index;
  };
  slotOf(BASE_FONT);
  const base = slots[0] as Slot;
  // Per code point: the slot of the first font that has it (-1: none) and its advance in ems.
  const glyphs = new Map<number, { slot: number; em: number }>();
  const glyph = (codePoint: number) => {
    let found = glyphs.get(codePoint);
    if (found === undefined) {
      found = { slot: -1, em: base.font.glyphForCodePoint(codePoint).advanceWidth / base.font.unitsPerEm };
      for (const chain of candidates(codePoint, han)) {
        const font = loadFont(chain, weight);
        if (font.hasGlyphForCodePoint(codePoint)) {
          found = { slot: slotOf(chain), em: font.glyphForCodePoint(codePoint).advanceWidth / font.unitsPerEm };
          break;
        }
      }
      glyphs.set(codePoint, found);
    }
    return found;
  };

  /** Width of simple text when DejaVu Sans has every character, else null. */
  const simpleWidth = (text: string): number | null => {
    if (!SIMPLE.test(text)) return null;
    let total = 0;
    for (let i = 0; i < text.length; i++) {
      const found = glyph(text.charCodeAt(i));
      if (found.slot !== 0) return null;
      total += found.em;
    }
    return total;
  };

  const runWidth = (run: Run): number => {
    const slot = slots[run.slot] as Slot;
    if (!slot.chain.shapes && SIMPLE.test(run.text)) {
      let total = 0;
      for (const char of run.text) total += glyph(char.codePointAt(0) as number).em;
      return total;
    }
    if (!slot.chain.shapes) {
      let total = 0;
      for (const char of run.text) {
        const cp = char.codePointAt(0) as number;
        total += slot.font.hasGlyphForCodePoint(cp) ? slot.font.glyphForCodePoint(cp).advanceWidth : 0;
      }
      return total / slot.font.unitsPerEm;
    }
    return slot.font.layout(run.text, []).advanceWidth / slot.font.unitsPerEm;
  };

  /** The line cut into runs of one font and one bidi level, in logical order, marks with their base. */
  const runsOf = (line: string): { runs: Run[]; rtl: boolean } => {
    let levels: Uint8Array | null = null;
    let mirrored: Map<number, string> | null = null;
    let rtl = false;
    if (RTL.test(line)) {
      const embedding = bidi.getEmbeddingLevels(line);
      levels = embedding.levels;
      mirrored = bidi.getMirroredCharactersMap(line, embedding.levels);
      rtl = ((embedding.paragraphs[0]?.level ?? 0) & 1) === 1;
    }
    const runs: Run[] = [];
    let previous = -1;
    let offset = 0;
    for (const char of line) {
      const at = offset;
      offset += char.length;
      const cp = char.codePointAt(0) as number;
      let slot: number;
      if (previous >= 0 && CLINGING.test(char) && (slots[previous] as Slot).font.hasGlyphForCodePoint(cp)) {
        slot = previous;
      } else if (IGNORABLE.test(char)) continue;
      else slot = Math.max(glyph(cp).slot, 0);
      const level = levels ? (levels[at] ?? 0) : 0;
      const text = mirrored?.get(at) ?? char;
      const last = runs.at(-1);
      if (last && last.slot === slot && last.level === level) last.text += text;
      else runs.push({ text, slot, level });
      previous = slot;
    }
    return { runs, rtl };
  };

  const layout = (line: string): LineLayout => {
    const width = simpleWidth(line);
    if (width !== null) return { runs: null, width, rtl: false };
    const { runs, rtl } = runsOf(line);
    const placed = visualOrder(runs).map((run) => {
      // fontkit reverses a run of Arabic or Hebrew itself; any other run at an odd level is reversed here.
      const reversed = (run.level & 1) === 1;
      const text = reversed !== RTL_SCRIPT.test(run.text) ? Array.from(run.text).reverse().join("") : run.text;
      return { run: { ...run, text }, width: runWidth(run) };
    });
    let x = 0;
    const out: PlacedRun[] = [];
    for (const { run, width: w } of placed) {
      out.push({ text: run.text, font: (slots[run.slot] as Slot).draw, x });
      x += w;
    }
    return { runs: out, width: x, rtl };
  };

  const measure: TextMeasure = {
    width: (text) => simpleWidth(text) ?? runsOf(text).runs.reduce((sum, run) => sum + runWidth(run), 0),
  };

  const missing = (text: string): number[] => {
    if (simpleWidth(text) !== null) return [];
    const found: number[] = [];
    for (const char of text) {
      if (char === "\n" || IGNORABLE.test(char)) continue;
      const cp = char.codePointAt(0) as number;
      if (glyph(cp).slot < 0 && !found.includes(cp)) found.push(cp);
    }
    return found;
  };

  return {
    base: base.draw,
    simpleWidth,
    measure,
    layout,
    missing,
    ascent: base.font.ascent / base.font.unitsPerEm,
    descent: base.font.descent / base.font.unitsPerEm,
  };
}

/** Unicode bidi rule L2: from the highest level down to the lowest odd one, reverse every sequence at or above it. */
function visualOrder<T extends { level: number }>(runs: readonly T[]): T[] {
  const order = [...runs];
  const levels = order.map((r) => r.level);
  const highest = Math.max(0, ...levels);
  const lowestOdd = Math.min(...levels.filter((l) => (l & 1) === 1), highest + 1);
  for (let level = highest; level >= lowestOdd; level--) {
    let i = 0;
    while (i < order.length) {
      if ((order[i] as T).level < level) {
        i++;
        continue;
      }
      let j = i;
      while (j < order.length && (order[j] as T).level >= level) j++;
      const reversed = order.slice(i, j).reverse();
      order.splice(i, j - i, ...reversed);
      i = j;
    }
  }
  return order;
}
