import type { Column } from "@reports/contracts";
import { describe, expect, it } from "vitest";
import { sheetColumnWidths } from "./widths";

const context = { locale: "en-US", timeZone: "UTC" };
const text = (key: string): Column => ({ key, header: "H", type: "string" });

describe("sheetColumnWidths", () => {
  it("counts CJK, Hangul, full-width forms and emoji twice, and every other script once", () => {
    const values = {
      latin: "abcdefghij", // 10
      cyrillic: "Приветствую", // 11
      arabic: "مرحبا بالعالم", // 13
      hebrew: "שלום עולם", // 9
      cjk: "販売報告書です", // 7 × 2
      hangul: "매출 보고서", // 5 × 2 + 1
      fullwidth: "ＡＢＣ", // 3 × 2
      emoji: "😀😀😀 ok", // 3 × 2 + 3
      mixed: "Q3 売上 😀", // 3 + 2 × 2 + 1 + 2
      symbols: "€ 1,234 – ok → …", // 16
    };
    const columns = Object.keys(values).map(text);
    const widths = sheetColumnWidths(columns, [values], context);
    // the widest text + 2, at least 8
    expect(Object.fromEntries(columns.map((c, i) => [c.key, widths[i]]))).toEqual({
      latin: 12,
      cyrillic: 13,
      arabic: 15,
      hebrew: 11,
      cjk: 16,
      hangul: 13,
      fullwidth: 8,
      emoji: 11,
      mixed: 12,
      symbols: 18,
    });
  });
});
