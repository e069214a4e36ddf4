/// <reference path="./fontkit.d.ts" />
import type { Font } from "fontkit";
import type { FontFace } from "./fonts";
import { CELL } from "./pdf-columns";
import { type BlockPlan, type ColumnPlan, type Faces, LAYOUT, type PagePlan } from "./pdf-layout";

/** The whitelist of pdfkit methods React-PDF's `<Canvas paint>` hands over (those used here). */
export interface Painter {
  font(font: unknown, family: string, size: number): Painter;
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

const COLORS = {
  header: "#e8e8e8",
  stripe: "#f6f6f6",
  rule: "#d0d0d0",
  strong: "#888888",
  text: "#111111",
  footer: "#555555",
};
// Never cached by pdfkit, and the cell font lays simple text out without shaping (see pdf-font.ts). Positioned
// at the baseline, so fallback fonts with other ascents sit on the same line.
const TEXT_OPTIONS = { lineBreak: false, features: [], baseline: "alphabetic" };

/** Where a line of text goes: its box's left edge and width, and how to align it. */
interface LineBox {
  x: number;
  width: number;
  align: "left" | "right";
}

/** From the top of a line of `size × lineHeight` to its baseline, in points. */
function baseline(face: FontFace, size: number): number {
  const glyphHeight = (face.ascent - face.descent) * size;
  return (size * LAYOUT.lineHeight - glyphHeight) / 2 + face.ascent * size;
}

/**
 * Draws one line in its fonts: runs in visual order, right-to-left lines aligned right. Every text of the PDF
 * (title, headings, table, footer) goes through here, so all of it is set in the embedded fonts of the chain.
 */
function drawLine(painter: Painter, face: FontFace, size: number, line: string, box: LineBox, baseline: number) {
  if (line === "") return;
  // Nearly every cell: no run to place, nothing allocated.
  const simple = face.simpleWidth(line);
  if (simple !== null) {
    const x = box.align === "right" ? box.x + box.width - simple * size : box.x;
    setFont(painter, face.base, size).text(line, x, baseline, TEXT_OPTIONS);
    return;
  }
  const layout = face.layout(line);
  const right = box.align === "right" || layout.rtl;
  const x = right ? box.x + box.width - layout.width * size : box.x;
  for (const run of layout.runs ?? [{ text: line, font: face.base, x: 0 }]) {
    setFont(painter, run.font, size).text(run.text, x + run.x * size, baseline, TEXT_OPTIONS);
  }
}

/**
 * pdfkit looks a font up by the name it is given; a font object alone makes it build (and compare) a new embedded
 * font on every call. The PostScript name is the key pdfkit files an embedded font under.
 */
function setFont(painter: Painter, font: Font, size: number): Painter {
  return painter.font(font, font.postscriptName, size);
}

function drawLines(painter: Painter, face: FontFace, size: number, text: string, top: number, box: LineBox) {
  const first = top + baseline(face, size);
  if (!text.includes("\n")) {
    drawLine(painter, face, size, text, box, first);
    return;
  }
  text.split("\n").forEach((line, l) => {
    drawLine(painter, face, size, line, box, first + l * size * LAYOUT.lineHeight);
  });
}

/**
 * The `paint` function of one page: title, each block's heading and table (header row, zebra rows, totals,
 * rules, right-aligned numbers), and the footer. Drawing through pdfkit directly, instead of a `<Text>` per
 * cell, is what keeps big PDFs fast.
 */
export function paintPage(page: PagePlan, footer: string, faces: Faces, onPainted: (rows: number) => void) {
  return (painter: Painter, width: number, height: number): null => {
    painter.fillColor(COLORS.text);
    if (page.title !== null) {
      drawLines(painter, faces.bold, LAYOUT.titleSize, page.title, 0, { x: 0, width, align: "left" });
    }
    for (const block of page.blocks) {
      drawLines(painter, faces.bold, LAYOUT.headingSize, block.heading, block.top + LAYOUT.headingGapAbove, {
        x: 0,
        width,
        align: "left",
      });
      paintBlock(painter, block, block.top + block.headingHeight, faces);
      onPainted(block.rows.length);
    }
    painter.fillColor(COLORS.footer);
    const footerTop = height - LAYOUT.footerSpace / 2 - (LAYOUT.footerSize * LAYOUT.lineHeight) / 2;
    drawLines(painter, faces.regular, LAYOUT.footerSize, footer, footerTop, { x: 0, width, align: "right" });
    return null;
  };
}

function paintBlock(painter: Painter, block: BlockPlan, top: number, faces: Faces): void {
  const width = block.columns.reduce((sum, c) => sum + c.width, 0);
  painter.save();
  painter.rect(0, top, width, block.headerHeight - LAYOUT.headerBorder).fill(COLORS.header);
  let y = top + block.headerHeight;
  let stripes = 0;
  for (const [r, height] of block.rowHeights.entries()) {
    if ((block.firstRow + r) % 2 === 1) {
      painter.rect(0, y, width, height - LAYOUT.rowBorder);
      stripes++;
    }
    y += height;
  }
  if (stripes > 0) painter.fill(COLORS.stripe);

  y = top + block.headerHeight;
  for (const height of block.rowHeights) {
    y += height;
    painter.moveTo(0, y - LAYOUT.rowBorder / 2).lineTo(width, y - LAYOUT.rowBorder / 2);
  }
  if (block.rowHeights.length > 0) painter.lineWidth(LAYOUT.rowBorder).stroke(COLORS.rule);
  const rule = (at: number) => painter.moveTo(0, at).lineTo(width, at);
  rule(top + block.headerHeight - LAYOUT.headerBorder / 2);
  if (block.totals) rule(y + LAYOUT.headerBorder / 2);
  painter.lineWidth(LAYOUT.headerBorder).stroke(COLORS.strong);

  painter.fillColor(COLORS.text);
  const boxes = block.columns.map((c: ColumnPlan) => ({
    x: c.x + CELL.padX,
    width: c.width - 2 * CELL.padX,
    align: c.align,
  }));
  drawRow(painter, block, boxes, block.header, top, faces.bold, -1);
  if (block.totals) drawRow(painter, block, boxes, block.totals.cells, y + LAYOUT.headerBorder, faces.bold, -1);
  y = top + block.headerHeight;
  for (const [r, cells] of block.rows.entries()) {
    drawRow(painter, block, boxes, cells, y, faces.regular, r);
    y += block.rowHeights[r] as number;
  }
  painter.restore();
}

function drawRow(
  painter: Painter,
  block: BlockPlan,
  boxes: readonly LineBox[],
  cells: readonly string[],
  top: number,
  face: FontFace,
  row: number,
) {
  const lineTop = top + LAYOUT.cellPadY;
  for (let c = 0; c < cells.length; c++) {
    const text = cells[c] as string;
    if (text === "") continue;
    const size = (row >= 0 && block.shrunk?.get(row * block.columns.length + c)) || block.fontSize;
    drawLines(painter, face, size, text, lineTop, boxes[c] as LineBox);
  }
}
