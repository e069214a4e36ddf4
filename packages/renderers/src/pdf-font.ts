/** The parts of a fontkit font this file touches. */
export interface FontkitFont {
  layout(text: string, features?: unknown): unknown;
  glyphForCodePoint(codePoint: number): { id: number; advanceWidth: number; codePoints: number[] };
  hasGlyphForCodePoint(codePoint: number): boolean;
}

/**
 * Latin, Greek, Cyrillic, punctuation and currency signs, without combining marks: text that needs no shaping,
 * so a glyph per code point at its advance width is exactly what fontkit's layout would give, minus kerning.
 */
const NO_SHAPING =
  /^[\u0020-\u007e\u00a0-\u02ff\u0370-\u0482\u048a-\u052f\u1e00-\u1fff\u2000-\u206f\u20a0-\u20cf\u2100-\u214f]*$/;

interface Position {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
}

/**
 * The font React-PDF loaded, with a layout for table cells that skips shaping: pdfkit's `text()` lays out every
 * word through fontkit and caches each one forever (memory grows with every distinct id and amount). Cells are
 * drawn with `features: []`, which pdfkit never caches, and land here; anything else (text that needs shaping,
 * React-PDF's own calls) goes to fontkit as before. Everything but `layout` is the real font, so pdfkit takes
 * it for the same font and embeds one subset.
 */
export function cellFont<F extends FontkitFont & { unitsPerEm: number }>(font: F): F {
  const glyphs = new Map<number, ReturnType<FontkitFont["glyphForCodePoint"]>>();
  const toPdfUnits = 1000 / font.unitsPerEm;
  let measured: string | null = null;
  const layout = (text: string, features?: unknown) => {
    if (!Array.isArray(features) || features.length > 0 || !NO_SHAPING.test(text)) {
      return font.layout(text, features);
    }
    let advance = 0;
    // pdfkit draws a line (encode), then lays it out again only to advance its cursor, which cells never use:
    // the second call gets the width alone, sparing a glyph array and an object per character.
    if (measured === text) {
      measured = null;
      for (let i = 0; i < text.length; i++) advance += glyph(glyphs, font, text.charCodeAt(i)).advanceWidth;
      return { glyphs: [], positions: [], advanceWidth: advance * toPdfUnits };
    }
    measured = text;
    const run = { glyphs: new Array(text.length), positions: new Array<Position>(text.length), advanceWidth: 0 };
    for (let i = 0; i < text.length; i++) {
      const g = glyph(glyphs, font, text.charCodeAt(i));
      run.glyphs[i] = g;
      run.positions[i] = { xAdvance: g.advanceWidth, yAdvance: 0, xOffset: 0, yOffset: 0 };
      advance += g.advanceWidth;
    }
    // What fontkit's GlyphRun reports once pdfkit has scaled its positions to 1000 units per em.
    run.advanceWidth = advance * toPdfUnits;
    return run;
  };
  return new Proxy(font, {
    get: (target, property, receiver) => (property === "layout" ? layout : Reflect.get(target, property, receiver)),
  });
}

function glyph(cache: Map<number, ReturnType<FontkitFont["glyphForCodePoint"]>>, font: FontkitFont, codePoint: number) {
  let found = cache.get(codePoint);
  if (found === undefined) {
    found = font.glyphForCodePoint(codePoint);
    cache.set(codePoint, found);
  }
  return found;
}
