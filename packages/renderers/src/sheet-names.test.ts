import { describe, expect, it } from "vitest";
import { sheetNames } from "./sheet-names";

describe("sheetNames", () => {
  it("replaces the characters Excel forbids", () => {
    expect(sheetNames(["Q1/Q2: [draft] *?\\"])).toEqual(["Q1_Q2_ _draft_ ___"]);
  });

  it("cuts names to 31 characters without splitting a surrogate pair", () => {
    const [long] = sheetNames(["x".repeat(40)]);
    expect(long).toBe("x".repeat(31));
    const [emoji] = sheetNames([`${"a".repeat(30)}😀`]);
    expect(emoji).toBe("a".repeat(30));
  });

  it("makes names unique ignoring case, within 31 characters", () => {
    expect(sheetNames(["Sales", "SALES", "sales"])).toEqual(["Sales", "SALES (2)", "sales (3)"]);
    const names = sheetNames(["y".repeat(35), "y".repeat(33)]);
    expect(names).toEqual(["y".repeat(31), `${"y".repeat(27)} (2)`]);
    expect(names.every((n) => n.length <= 31)).toBe(true);
  });

  it("drops leading and trailing apostrophes, names blank sheets and avoids the reserved History", () => {
    expect(sheetNames(["'quoted'", "  ", "History"])).toEqual(["quoted", "Sheet2", "History_"]);
  });
});
