import { type Column, cellOf, type Row, type Table } from "@reports/contracts";
import type { TextMeasure } from "./fonts";
import type { DisplayFormatter } from "./format";
import { printable } from "./wrap";

/** Horizontal sizes of a cell, in points: padding each side, and slack for rounding. */
export const CELL = { padX: 3, slack: 2 } as const;
/** Width of a character when the spec gives a column's width in characters, in ems. */
const CHAR_EM = 0.55;
/** Every value is measured up to this many rows; a longer table is measured on its first and evenly spread rows. */
export const MEASURED_ROWS = 2_000;
/** A text column asks for at most this width (ems); longer text wraps. */
const TEXT_NATURAL_MAX = 40;
/** A text column may shrink to its longest word, but never below this (ems) unless the word is shorter. */
const TEXT_MIN = 4;
/** A word longer than this (ems) may break: the column does not grow for it. */
const LONG_WORD = 12;
/** A header asks for room for its longest word, up to this (ems); longer headers break inside the word. */
const HEADER_WORD_MAX = 12;

/** What a column needs, in ems of the font size: `min` never wraps a number or a date, `natural` shows it whole. */
export interface ColumnNeed {
  min: number;
  natural: number;
  /** Numbers, dates, date-times, booleans, percents: never wrapped. */
  nowrap: boolean;
}

export interface ColumnPlan {
  /** The table's column index. */
  index: number;
  x: number;
  width: number;
  align: "left" | "center" | "right";
  nowrap: boolean;
}

const RIGHT = new Set<Column["type"]>(["integer", "number", "currency", "percent"]);

/** Row indexes to measure: every row of a small table, else the first half of the budget and an even spread. */
export function measuredRows(count: number): Iterable<number> {
  if (count <= MEASURED_ROWS) return Array.from({ length: count }, (_, i) => i);
  const half = MEASURED_ROWS / 2;
  const step = (count - half) / half;
  const picked = Array.from({ length: half }, (_, i) => i);
  for (let i = 0; i < half; i++) picked.push(half + Math.floor(i * step));
  return picked;
}

/** Each column's needs, from its header (bold) and its measured values, or from the spec's `width` when given. */
export function columnNeeds(
  table: Table,
  rows: readonly Row[],
  formatters: readonly DisplayFormatter[],
  fonts: { regular: TextMeasure; bold: TextMeasure },
  totals: readonly string[] | null,
): ColumnNeed[] {
  const sample = [...measuredRows(rows.length)];
  return table.columns.map((column, c) => {
    const nowrap = column.type !== "string";
    const format = formatters[c] as DisplayFormatter;
    const headerWords = printable(column.header).split(/\s+/);
    const headerWord = Math.min(Math.max(...headerWords.map((w) => fonts.bold.width(w))), HEADER_WORD_MAX);
    let widest = 0;
    let longestWord = 0;
    for (const r of sample) {
      const text = format(cellOf(rows[r] ?? {}, column.key));
      if (!text) continue;
      for (const line of printable(text).split("\n")) {
        widest = Math.max(widest, fonts.regular.width(line));
        if (!nowrap) for (const word of line.split(" ")) longestWord = Math.max(longestWord, fonts.regular.width(word));
      }
    }
    const total = totals?.[c];
    if (total) widest = Math.max(widest, fonts.bold.width(total));
    if (column.width !== undefined) {
      const given = column.width * CHAR_EM;
      const min = nowrap ? Math.max(given, widest) : given;
      return { min, natural: min, nowrap };
    }
    if (nowrap) {
      const min = Math.max(widest, headerWord, 1);
      return { min, natural: Math.max(min, Math.min(fonts.bold.width(column.header), HEADER_WORD_MAX * 2)), nowrap };
    }
    const natural = Math.max(Math.min(widest, TEXT_NATURAL_MAX), headerWord, 1);
    const min = Math.min(natural, Math.max(Math.min(longestWord, LONG_WORD), headerWord, TEXT_MIN));
    return { min, natural, nowrap };
  });
}

/** A column's width in points at a font size. */
const points = (ems: number, fontSize: number) => ems * fontSize + 2 * CELL.padX + CELL.slack;

/** Whether the columns fit `width` at `fontSize`, each at its minimum. */
export function fits(needs: readonly ColumnNeed[], fontSize: number, width: number): boolean {
  return needs.reduce((sum, n) => sum + points(n.min, fontSize), 0) <= width;
}

/**
 * Widths for columns that fit (see `fits`): each gets its minimum, then the room left goes to the columns that
 * want more, in proportion to what they miss; if all are at their natural width, the rest stretches them all.
 * Columns that do not fit even so are scaled down (their cells shrink to fit, see `pdf-layout.ts`).
 */
export function placeColumns(
  table: Table,
  needs: readonly ColumnNeed[],
  indexes: readonly number[],
  fontSize: number,
  width: number,
): ColumnPlan[] {
  const chosen = indexes.map((i) => needs[i] as ColumnNeed);
  const min = chosen.map((n) => points(n.min, fontSize));
  const natural = chosen.map((n) => points(n.natural, fontSize));
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  let widths: number[];
  if (sum(natural) <= width) {
    widths = natural.map((w) => (w * width) / sum(natural));
  } else if (sum(min) <= width) {
    // Numbers and dates first get room for their header on one line, then text columns share what is left.
    widths = [...min];
    for (const nowrap of [true, false]) {
      const grow = chosen.map((n, i) => (n.nowrap === nowrap ? (natural[i] as number) - (widths[i] as number) : 0));
      const room = width - sum(widths);
      const share = Math.min(1, room / Math.max(sum(grow), 1e-9));
      widths = widths.map((w, i) => w + (grow[i] as number) * share);
    }
  } else {
    widths = min.map((w) => (w * width) / sum(min));
  }
  let x = 0;
  return indexes.map((index, i) => {
    const column = table.columns[index] as Column;
    const plan: ColumnPlan = {
      index,
      x,
      width: widths[i] as number,
      align: column.align ?? (RIGHT.has(column.type) ? "right" : "left"),
      nowrap: (chosen[i] as ColumnNeed).nowrap,
    };
    x += plan.width;
    return plan;
  });
}

/**
 * Column groups for a table too wide for the page: each starts with the first (key) column, then as many of
 * the next columns as fit; a column that fits with no other still gets a group of its own.
 */
export function columnGroups(needs: readonly ColumnNeed[], fontSize: number, width: number): number[][] {
  const groups: number[][] = [];
  let group = [0];
  for (let i = 1; i < needs.length; i++) {
    const candidate = [...group, i];
    if (
      group.length > 1 &&
      !fits(
        candidate.map((c) => needs[c] as ColumnNeed),
        fontSize,
        width,
      )
    ) {
      groups.push(group);
      group = [0, i];
    } else group = candidate;
  }
  groups.push(group);
  return groups;
}
