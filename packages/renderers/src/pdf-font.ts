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
export function cellFont<F extends FontkitFont>(font: F): F {
  const glyphs = new Map<number, ReturnType<FontkitFont["glyphForCodePoint"]>>();
  const glyph = (codePoint: number) => {
    let found = glyphs.get(codePoint);
    if (found === undefined) {
      found = font.glyphForCodePoint(codePoint);
      glyphs.set(codePoint, found);
    }
    return found;
  };
  const layout = (text: string, features?: unknown) => {
    if (!Array.isArray(features) || features.length > 0 || !NO_SHAPING.test(text)) {
      return font.layout(text, features);
    }
    const run = { glyphs: [] as Array<ReturnType<typeof glyph>>, positions: [] as Position[] };
    for (let i = 0; i < text.length; i++) {
      const g = glyph(text.charCodeAt(i));
      run.glyphs.push(g);
      run.positions.push({ xAdvance: g.advanceWidth, yAdvance: 0, xOffset: 0, yOffset: 0 });
    }
    // A getter like fontkit's GlyphRun: pdfkit scales the positions after this returns.
    return Object.defineProperty(run, "advanceWidth", {
      get: () => run.positions.reduce((sum, p) => sum + p.xAdvance, 0),
    });
  };
  return new Proxy(font, {
    get: (target, property, receiver) => (property === "layout" ? layout : Reflect.get(target, property, receiver)),
  });
}
