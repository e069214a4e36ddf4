/// <reference path="./fontkit.d.ts" />
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { create, type Font } from "fontkit";
import { fallbackFontFiles } from "./fallback-fonts";

const require = createRequire(import.meta.url);

export type Weight = 400 | 700;

/** A font of the chain: a file per weight, and whether its text needs shaping (joined forms, marks, ligatures). */
export interface ChainFont {
  name: string;
  files: Record<Weight, string>;
  shapes: boolean;
}

type Ranges = ReadonlyArray<readonly [number, number]>;

const expo = (pkg: string, file: string): Record<Weight, string> => ({
  400: require.resolve(`@expo-google-fonts/${pkg}/400Regular/${file}_400Regular.ttf`),
  700: require.resolve(`@expo-google-fonts/${pkg}/700Bold/${file}_700Bold.ttf`),
});

/** DejaVu Sans: Latin, Greek, Cyrillic, punctuation and symbols; every text starts here. */
export const BASE_FONT: ChainFont = {
  name: "DejaVu Sans",
  files: {
    400: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf"),
    700: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf"),
  },
  shapes: false,
};

// Noto fonts from @expo-google-fonts (whole TTFs, OFL): read only when a text needs one.
const ARABIC: ChainFont = { name: "Noto Sans Arabic", files: expo("noto-sans-arabic", "NotoSansArabic"), shapes: true };
const HEBREW: ChainFont = { name: "Noto Sans Hebrew", files: expo("noto-sans-hebrew", "NotoSansHebrew"), shapes: true };
const DEVANAGARI: ChainFont = {
  name: "Noto Sans Devanagari",
  files: expo("noto-sans-devanagari", "NotoSansDevanagari"),
  shapes: true,
};
const THAI: ChainFont = { name: "Noto Sans Thai", files: expo("noto-sans-thai", "NotoSansThai"), shapes: true };
const SC: ChainFont = { name: "Noto Sans SC", files: expo("noto-sans-sc", "NotoSansSC"), shapes: false };
const TC: ChainFont = { name: "Noto Sans TC", files: expo("noto-sans-tc", "NotoSansTC"), shapes: false };
const JP: ChainFont = { name: "Noto Sans JP", files: expo("noto-sans-jp", "NotoSansJP"), shapes: false };
const KR: ChainFont = { name: "Noto Sans KR", files: expo("noto-sans-kr", "NotoSansKR"), shapes: false };
const EMOJI: ChainFont = { name: "Noto Emoji", files: expo("noto-emoji", "NotoEmoji"), shapes: true };

const SCRIPTS: ReadonlyArray<{ ranges: Ranges; fonts: readonly ChainFont[] | "han" }> = [
  {
    ranges: [
      [0x0600, 0x06ff],
      [0x0750, 0x077f],
      [0x0870, 0x08ff],
      [0xfb50, 0xfdff],
      [0xfe70, 0xfeff],
    ],
    fonts: [ARABIC],
  },
  {
    ranges: [
      [0x0590, 0x05ff],
      [0xfb1d, 0xfb4f],
    ],
    fonts: [HEBREW],
  },
  {
    ranges: [
      [0x0900, 0x097f],
      [0xa8e0, 0xa8ff],
      [0x1cd0, 0x1cff],
    ],
    fonts: [DEVANAGARI],
  },
  { ranges: [[0x0e00, 0x0e7f]], fonts: [THAI] },
  {
    ranges: [
      [0x1100, 0x11ff],
      [0x3130, 0x318f],
      [0xa960, 0xa97f],
      [0xac00, 0xd7ff],
    ],
    fonts: [KR],
  },
  {
    ranges: [
      [0x3040, 0x30ff],
      [0x31f0, 0x31ff],
      [0xff65, 0xff9f],
    ],
    fonts: [JP],
  },
  {
    ranges: [
      [0x2e80, 0x2fdf],
      [0x3000, 0x303f],
      [0x3190, 0x31ef],
      [0x3200, 0x33ff],
      [0x3400, 0x4dbf],
      [0x4e00, 0x9fff],
      [0xf900, 0xfaff],
      [0xfe30, 0xfe4f],
      [0xff00, 0xffef],
      [0x20000, 0x3ffff],
    ],
    fonts: "han",
  },
];

/** Han characters differ between Chinese, Japanese and Korean: the spec's locale picks which font comes first. */
export function hanFonts(locale: string | undefined): readonly ChainFont[] {
  const tag = (locale ?? "").toLowerCase();
  const first = tag.startsWith("ja") ? JP : tag.startsWith("ko") ? KR : /^zh-(tw|hk|mo|hant)/.test(tag) ? TC : SC;
  return [first, ...[SC, TC, JP, KR].filter((f) => f !== first)];
}

/** Fonts the pool was given (`fallbackFonts`): tried before the bundled ones, as the operator asked. */
function userFonts(): ChainFont[] {
  return fallbackFontFiles().map((file, i) => ({
    name: `Fallback ${i + 1}`,
    files: { 400: file, 700: file },
    shapes: true,
  }));
}

/**
 * The fonts to try for a character, in order: for a script with fonts of its own (Arabic, Hebrew, Devanagari,
 * Thai, Hangul, Kana, Han) the configured fallbacks, then that script's fonts, then DejaVu Sans; for anything
 * else DejaVu Sans, the configured fallbacks, then the monochrome emoji font.
 */
export function candidates(codePoint: number, han: readonly ChainFont[]): readonly ChainFont[] {
  for (const script of SCRIPTS) {
    if (script.ranges.some(([first, last]) => codePoint >= first && codePoint <= last)) {
      return [...userFonts(), ...(script.fonts === "han" ? han : script.fonts), BASE_FONT];
    }
  }
  return [BASE_FONT, ...userFonts(), EMOJI];
}

const loaded = new Map<string, Font>();

/** A font of the chain at a weight, read (synchronously, once per thread) the first time a text needs it. */
export function loadFont(font: ChainFont, weight: Weight): Font {
  const file = font.files[weight];
  let found = loaded.get(file);
  if (found === undefined) {
    found = create(readFileSync(file));
    loaded.set(file, found);
  }
  return found;
}
