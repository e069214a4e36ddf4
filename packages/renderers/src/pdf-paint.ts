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
  align: "left" | "center" | "right";
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
    const x = lineStart(box, simple * size, false);
    setFont(painter, face.base, size).text(line, x, baseline, TEXT_OPTIONS);
    return;
  }
  const layout = face.layout(line);
  const x = lineStart(box, layout.width * size, layout.rtl);
  for (const run of layout.runs ?? [{ text: line, font: face.base, x: 0 }]) {
    setFont(painter, run.font, size).text(run.text, x + run.x * size, baseline, TEXT_OPTIONS);
  }
}

/** Where a line of `width` starts in its box: right-to-left lines that would start left go right. */
function lineStart(box: LineBox, width: number, rtl: boolean): number {
  if (box.align === "center") return box.x + (box.width - width) / 2;
  return box.align === "right" || rtl ? box.x + box.width - width : box.x;
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

/** A page's colours: the header row's fill and text, the title's and headings' text. */
export interface PageLook {
  headerFill: string;
  headerText: string;
  headingText: string;
  groupFill: string;
}

export const PLAIN_LOOK: PageLook = {
  headerFill: COLORS.header,
  headerText: COLORS.text,
  headingText: COLORS.text,
  groupFill: "#eeeeee",
};

/** A header or footer line: its left, center and right parts, placeholders filled. */
export type BandLine = readonly [string, string, string];

/**
 * The `paint` function of one page: header line, title, each block's heading and table (header row, zebra rows,
 * group headings and subtotals, totals, rules, aligned cells, conditional styles), and the footer. Drawing through
 * pdfkit directly, instead of a `<Text>` per cell, is what keeps big PDFs fast.
 */
export function paintPage(
  page: PagePlan,
  bands: { header: BandLine | null; footer: BandLine },
  faces: Faces,
  onPainted: (rows: number) => void,
  look: PageLook = PLAIN_LOOK,
) {
  return (painter: Painter, width: number, height: number): null => {
    if (bands.header) {
      painter.fillColor(COLORS.footer);
      drawBand(painter, faces.regular, bands.header, 0, width);
    }
    painter.fillColor(look.headingText);
    if (page.title !== null) {
      const top = page.logo ? page.logo.top + page.logo.height + LAYOUT.logoGap : bands.header ? LAYOUT.headerSpace : 0;
      drawLines(painter, faces.bold, LAYOUT.titleSize, page.title, top, { x: 0, width, align: "left" });
    }
    for (const block of page.blocks) {
      // the table leaves the text colour set: only a heading of another colour sets it again
      if (look.headingText !== COLORS.text) painter.fillColor(look.headingText);
      drawLines(painter, faces.bold, LAYOUT.headingSize, block.heading, block.top + LAYOUT.headingGapAbove, {
        x: 0,
        width,
        align: "left",
      });
      paintBlock(painter, block, block.top + block.headingHeight, faces, look);
      onPainted(block.rows.length);
    }
    painter.fillColor(COLORS.footer);
    const footerTop = height - LAYOUT.footerSpace / 2 - (LAYOUT.footerSize * LAYOUT.lineHeight) / 2;
    drawBand(painter, faces.regular, bands.footer, footerTop, width);
    return null;
  };
}

/** A header or footer line: left, center and right parts in their boxes. */
function drawBand(painter: Painter, face: FontFace, parts: BandLine, top: number, width: number) {
  const aligns = ["left", "center", "right"] as const;
  parts.forEach((text, i) => {
    drawLines(painter, face, LAYOUT.footerSize, text, top, { x: 0, width, align: aligns[i] as LineBox["align"] });
  });
}

function paintBlock(painter: Painter, block: BlockPlan, top: number, faces: Faces, look: PageLook): void {
  const width = block.columns.reduce((sum, c) => sum + c.width, 0);
  const columns = block.columns.length;
  painter.save();
  painter.rect(0, top, width, block.headerHeight - LAYOUT.headerBorder).fill(look.headerFill);
  let y = top + block.headerHeight;
  let stripes = 0;
  for (const [r, height] of block.rowHeights.entries()) {
    if (block.stripes ? block.stripes[r] : (block.firstRow + r) % 2 === 1) {
      painter.rect(0, y, width, height - LAYOUT.rowBorder);
      stripes++;
    }
    y += height;
  }
  if (stripes > 0) painter.fill(COLORS.stripe);
  // Group headings' fill, then conditional backgrounds over the stripes.
  y = top + block.headerHeight;
  for (const [r, height] of block.rowHeights.entries()) {
    const kind = block.kinds?.[r];
    if (kind !== undefined && typeof kind === "object")
      painter.rect(0, y, width, height - LAYOUT.rowBorder).fill(look.groupFill);
    if (block.styles) {
      for (let c = 0; c < columns; c++) {
        const background = block.styles.get(r * columns + c)?.background;
        const plan = block.columns[c] as ColumnPlan;
        if (background) painter.rect(plan.x, y, plan.width, height - LAYOUT.rowBorder).fill(background);
      }
    }
    y += height;
  }
  if (block.totals && block.totalsStyles) {
    block.totalsStyles.forEach((style, c) => {
      const plan = block.columns[c] as ColumnPlan;
      if (style?.background)
        painter
          .rect(plan.x, y + LAYOUT.headerBorder, plan.width, (block.totals?.height ?? 0) - LAYOUT.headerBorder)
          .fill(style.background);
    });
  }

  y = top + block.headerHeight;
  for (const height of block.rowHeights) {
    y += height;
    painter.moveTo(0, y - LAYOUT.rowBorder / 2).lineTo(width, y - LAYOUT.rowBorder / 2);
  }
  if (block.rowHeights.length > 0) painter.lineWidth(LAYOUT.rowBorder).stroke(COLORS.rule);
  const rule = (at: number) => painter.moveTo(0, at).lineTo(width, at);
  rule(top + block.headerHeight - LAYOUT.headerBorder / 2);
  if (block.totals) rule(y + LAYOUT.headerBorder / 2);
  // A subtotal sits under a rule, like the totals row.
  let at = top + block.headerHeight;
  for (const [r, height] of block.rowHeights.entries()) {
    if (block.kinds?.[r] === "subtotal") rule(at + LAYOUT.rowBorder / 2);
    at += height;
  }
  painter.lineWidth(LAYOUT.headerBorder).stroke(COLORS.strong);

  const boxes = block.columns.map((c: ColumnPlan) => ({
    x: c.x + CELL.padX,
    width: c.width - 2 * CELL.padX,
    align: c.align,
  }));
  painter.fillColor(look.headerText);
  drawRow(painter, block, boxes, block.header, top, faces, -1, "header");
  if (look.headerText !== COLORS.text) painter.fillColor(COLORS.text);
  if (block.totals) drawRow(painter, block, boxes, block.totals.cells, y + LAYOUT.headerBorder, faces, -1, "totals");
  y = top + block.headerHeight;
  for (const [r, cells] of block.rows.entries()) {
    const kind = block.kinds?.[r] ?? "row";
    if (typeof kind === "object") {
      const indent = kind.heading * LAYOUT.groupIndent;
      const box = { x: CELL.padX + indent, width: width - 2 * CELL.padX - indent, align: "left" as const };
      drawLines(painter, faces.bold, block.fontSize, cells[0] ?? "", y + LAYOUT.cellPadY, box);
    } else drawRow(painter, block, boxes, cells, y, faces, r, kind);
    y += block.rowHeights[r] as number;
  }
  painter.restore();
}

/**
 * One row's cells: the header and totals bold, a subtotal bold, data regular; a cell's conditional style sets its
 * colour and weight (`row` is the block's row index, -1 for the header and totals).
 */
function drawRow(
  painter: Painter,
  block: BlockPlan,
  boxes: readonly LineBox[],
  cells: readonly string[],
  top: number,
  faces: Faces,
  row: number,
  kind: "header" | "totals" | "row" | "subtotal",
) {
  const lineTop = top + LAYOUT.cellPadY;
  const columns = block.columns.length;
  for (let c = 0; c < cells.length; c++) {
    const text = cells[c] as string;
    if (text === "") continue;
    const style =
      kind === "totals" ? block.totalsStyles?.[c] : row >= 0 ? block.styles?.get(row * columns + c) : undefined;
    const face = kind === "row" && !style?.bold ? faces.regular : faces.bold;
    const size = (row >= 0 && block.shrunk?.get(row * columns + c)) || block.fontSize;
    if (style?.color) painter.fillColor(style.color);
    drawLines(painter, face, size, text, lineTop, boxes[c] as LineBox);
    if (style?.color) painter.fillColor(COLORS.text);
  }
}
