import type { FontRun, TextMeasure } from "./fonts";
import { type BlockPlan, type ColumnPlan, LAYOUT } from "./pdf-layout";

/** The whitelist of pdfkit methods React-PDF's `<Canvas paint>` hands over (those used here). */
export interface Painter {
  font(font: unknown, size?: number): Painter;
  text(text: string, x: number, y: number, options?: object): Painter;
  rect(x: number, y: number, width: number, height: number): Painter;
  fill(color?: string): Painter;
  fillColor(color: string): Painter;
  moveTo(x: number, y: number): Painter;
  lineTo(x: number, y: number): Painter;
  lineWidth(width: number): Painter;
  stroke(color?: string): Painter;
  save(): Painter;
  restore(): Painter;
}

/** A weight of the cell fonts: what pdfkit draws with (DejaVu Sans, then fallbacks), and how wide text is. */
export interface CellFace {
  fonts: unknown[];
  measure: TextMeasure;
  runs(text: string): FontRun[] | null;
  /** From the top of a line of `LAYOUT.lineHeight` to its baseline, in points. */
  baseline: number;
}

const COLORS = { header: "#e8e8e8", stripe: "#f6f6f6", rule: "#d0d0d0", strong: "#888888", text: "#111111" };
const LINE = LAYOUT.fontSize * LAYOUT.lineHeight;
// Never cached by pdfkit, and the cell font lays it out without shaping (see pdf-font.ts). Positioned at the
// baseline, so fallback fonts with other ascents sit on the same line.
const TEXT_OPTIONS = { lineBreak: false, features: [], baseline: "alphabetic" };

/**
 * The `paint` function of one block's table: header row, zebra rows, totals, rules, right-aligned numbers.
 * Drawing the table through pdfkit directly, instead of a `<Text>` per cell, is what keeps big PDFs fast.
 */
export function paintBlock(block: BlockPlan, faces: { regular: CellFace; bold: CellFace }, onPainted: () => void) {
  return (painter: Painter, width: number): null => {
    painter.save();
    painter.rect(0, 0, width, block.headerHeight - LAYOUT.headerBorder).fill(COLORS.header);
    let y = block.headerHeight;
    let stripes = 0;
    for (const [r, height] of block.rowHeights.entries()) {
      if ((block.firstRow + r) % 2 === 1) {
        painter.rect(0, y, width, height - LAYOUT.rowBorder);
        stripes++;
      }
      y += height;
    }
    if (stripes > 0) painter.fill(COLORS.stripe);

    y = block.headerHeight;
    for (const height of block.rowHeights) {
      y += height;
      painter.moveTo(0, y - LAYOUT.rowBorder / 2).lineTo(width, y - LAYOUT.rowBorder / 2);
    }
    if (block.rowHeights.length > 0) painter.lineWidth(LAYOUT.rowBorder).stroke(COLORS.rule);
    const rule = (at: number) => painter.moveTo(0, at).lineTo(width, at);
    rule(block.headerHeight - LAYOUT.headerBorder / 2);
    if (block.totals) rule(y + LAYOUT.headerBorder / 2);
    painter.lineWidth(LAYOUT.headerBorder).stroke(COLORS.strong);

    painter.fillColor(COLORS.text).font(faces.bold.fonts[0], LAYOUT.fontSize);
    drawRow(painter, block.header, block.columns, 0, faces.bold, true);
    if (block.totals) drawRow(painter, block.totals.cells, block.columns, y + LAYOUT.headerBorder, faces.bold, true);
    painter.font(faces.regular.fonts[0], LAYOUT.fontSize);
    y = block.headerHeight;
    for (const [r, cells] of block.rows.entries()) {
      drawRow(painter, cells, block.columns, y, faces.regular, true);
      y += block.rowHeights[r] as number;
    }
    painter.restore();
    onPainted();
    return null;
  };
}

function drawRow(
  painter: Painter,
  cells: readonly string[],
  columns: readonly ColumnPlan[],
  top: number,
  face: CellFace,
  aligned: boolean,
): void {
  const y = top + LAYOUT.cellPadY + face.baseline;
  for (let c = 0; c < cells.length; c++) {
    const text = cells[c] as string;
    if (text === "") continue;
    const column = columns[c] as ColumnPlan;
    const right = aligned && column.align === "right";
    const lines = text.includes("\n") ? text.split("\n") : [text];
    for (let l = 0; l < lines.length; l++) {
      const line = lines[l] as string;
      const x = right
        ? column.x + column.width - LAYOUT.cellPadX - face.measure.width(line) * LAYOUT.fontSize
        : column.x + LAYOUT.cellPadX;
      const runs = face.runs(line);
      if (runs === null) painter.text(line, x, y + l * LINE, TEXT_OPTIONS);
      else drawRuns(painter, runs, x, y + l * LINE, face);
    }
  }
}

/** Text that needs a fallback font (CJK, …): each run in its font, one after the other. */
function drawRuns(painter: Painter, runs: readonly FontRun[], x: number, y: number, face: CellFace): void {
  let at = x;
  for (const run of runs) {
    painter.font(face.fonts[run.font], LAYOUT.fontSize).text(run.text, at, y, TEXT_OPTIONS);
    at += face.measure.width(run.text) * LAYOUT.fontSize;
  }
  painter.font(face.fonts[0], LAYOUT.fontSize);
}
