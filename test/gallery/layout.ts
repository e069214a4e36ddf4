import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

/**
 * Whether a PDF's text stays readable: no two strings drawn over each other, none leaving its column, none off
 * the page. It reads the PDF as a viewer does (pdf.js: every string the PDF draws, where, in which font), and
 * knows nothing of how the renderer laid the table out, so it holds whatever the layout code becomes.
 */

/** One string the PDF draws, in PDF points (origin bottom left). */
export interface TextBox {
  text: string;
  x0: number;
  x1: number;
  /** Below the baseline by the font's usual descent, above it by its ascent. */
  y0: number;
  y1: number;
  baseline: number;
  size: number;
  bold: boolean;
}

export interface PdfPage {
  number: number;
  width: number;
  height: number;
  boxes: TextBox[];
}

export interface LayoutProblem {
  page: number;
  kind: "overlap" | "column" | "off-page" | "broken-number";
  detail: string;
}

/** Every page's drawn strings (whitespace-only strings left out: they draw nothing). */
export async function readPdfText(pdf: Uint8Array): Promise<PdfPage[]> {
  const document = await getDocument({ data: new Uint8Array(pdf), verbosity: 0, isEvalSupported: false }).promise;
  try {
    const pages: PdfPage[] = [];
    for (let number = 1; number <= document.numPages; number++) {
      const page = await document.getPage(number);
      const [width = 0, height = 0] = [page.view[2], page.view[3]];
      const content = await page.getTextContent();
      // the fonts' names tell bold from regular; a font is loaded when a page using it is drawn
      if (content.items.some((i) => "fontName" in i && !page.commonObjs.has(i.fontName))) await page.getOperatorList();
      const boxes: TextBox[] = [];
      for (const item of content.items) {
        if (!("str" in item) || item.str.trim() === "") continue;
        const [, , , scale = 0, x = 0, y = 0] = item.transform as number[];
        const size = Math.abs(scale);
        const font = page.commonObjs.has(item.fontName)
          ? ((page.commonObjs.get(item.fontName) as { name?: string }).name ?? "")
          : "";
        boxes.push({
          text: item.str,
          x0: x,
          x1: x + item.width,
          y0: y - 0.2 * size,
          y1: y + 0.75 * size,
          baseline: y,
          size,
          bold: /bold|black|heavy/i.test(font),
        });
      }
      pages.push({ number, width, height, boxes });
      page.cleanup();
    }
    return pages;
  } finally {
    await document.destroy();
  }
}

/** Less than this (points) is rounding, not a collision. */
const TOLERANCE = 0.5;

const xOverlap = (a: { x0: number; x1: number }, b: { x0: number; x1: number }) =>
  Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);

/**
 * Every problem of one page: overlapping strings, strings off the page, strings outside their column, numbers
 * broken over two lines with a hyphen (`$1,000,0-` / `00.00` reads like a minus sign).
 */
export function layoutProblems(page: PdfPage): LayoutProblem[] {
  return [...overlaps(page), ...offPage(page), ...columnProblems(page), ...brokenNumbers(page)];
}

function brokenNumbers(page: PdfPage): LayoutProblem[] {
  return page.boxes
    .filter((b) => /\d[-\u2010]$/.test(b.text))
    .map((b) => ({ page: page.number, kind: "broken-number", detail: `"${b.text}" is a number broken over lines` }));
}

/** Two strings whose boxes intersect: one is drawn over the other. */
function overlaps(page: PdfPage): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const boxes = [...page.boxes].sort((a, b) => a.y0 - b.y0);
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i] as TextBox;
    for (let j = i + 1; j < boxes.length; j++) {
      const b = boxes[j] as TextBox;
      if (b.y0 >= a.y1) break;
      const vertical = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
      if (vertical > 0.3 * Math.min(a.size, b.size) && xOverlap(a, b) > TOLERANCE) {
        problems.push({ page: page.number, kind: "overlap", detail: `"${a.text}" and "${b.text}" overlap` });
      }
    }
  }
  return problems;
}

function offPage(page: PdfPage): LayoutProblem[] {
  return page.boxes
    .filter((b) => b.x0 < -TOLERANCE || b.x1 > page.width + TOLERANCE || b.y0 < 0 || b.y1 > page.height)
    .map((b) => ({ page: page.number, kind: "off-page", detail: `"${b.text}" is outside the page` }));
}

interface Line {
  baseline: number;
  size: number;
  boxes: TextBox[];
}

interface Span {
  x0: number;
  x1: number;
  texts: string[];
}

/**
 * Columns without knowing the layout: a table on a page is its header lines (bold, at the cell size) and the lines
 * under them. The header's strings, merged where they touch, are the header cells; the body's strings, merged where
 * they touch over all rows, are the columns' bands (cells are padded, so neighbouring columns never touch). A band
 * that reaches under two header cells holds text that crossed a column edge (or two columns drawn as one); a header
 * cell over two bands crossed it itself.
 */
function columnProblems(page: PdfPage): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  for (const table of tables(page)) {
    const headerCells = spans(table.header.flatMap((l) => l.boxes));
    // a subtotal's label ("Total Berlin") runs on over the empty cells beside it; \`overlaps\` still catches a collision
    const bands = spans(table.body.flatMap((l) => l.boxes).filter((b) => !(b.bold && /^Total\b/.test(b.text))));
    for (const band of bands) {
      const under = headerCells.filter((h) => xOverlap(h, band) > TOLERANCE);
      if (under.length > 1) {
        problems.push({
          page: page.number,
          kind: "column",
          detail: `text reaches under ${under.map((h) => `"${h.texts.join(" ")}"`).join(" and ")}: ${examples(band)}`,
        });
      }
    }
    for (const header of headerCells) {
      const over = bands.filter((b) => xOverlap(header, b) > TOLERANCE);
      if (over.length > 1) {
        problems.push({
          page: page.number,
          kind: "column",
          detail: `header "${header.texts.join(" ")}" spans ${over.length} columns`,
        });
      }
    }
  }
  return problems;
}

const examples = (span: Span) =>
  span.texts
    .slice(0, 3)
    .map((t) => `"${t}"`)
    .join(", ");

/** Boxes merged into horizontal spans wherever they overlap or touch. */
function spans(boxes: readonly TextBox[]): Span[] {
  const sorted = [...boxes].sort((a, b) => a.x0 - b.x0);
  const out: Span[] = [];
  for (const box of sorted) {
    const last = out.at(-1);
    if (last && box.x0 <= last.x1 + 1) {
      last.x1 = Math.max(last.x1, box.x1);
      last.texts.push(box.text);
    } else out.push({ x0: box.x0, x1: box.x1, texts: [box.text] });
  }
  return out;
}

/** The page's tables: each a run of header lines and the cell lines below it, down to the next header or heading. */
function tables(page: PdfPage): Array<{ header: Line[]; body: Line[] }> {
  const lines = textLines(page);
  const cellSize = mostCommon(page.boxes.map((b) => Math.round(b.size * 10) / 10));
  const isCell = (l: Line) => Math.abs(l.size - cellSize) < 0.25;
  // the page number, alone or at the end of a footer line of the report's layout
  const isFooter = (l: Line) => /(^|\s)Page \d+ of \d+$/.test(l.boxes.map((b) => b.text).join(" "));
  // a grouped table's group heading ("Region: North"): one bold string across the table, in no column
  const isGroupHeading = (l: Line) =>
    l.boxes.length === 1 && l.boxes[0]?.bold === true && /^[^:]+: /.test(l.boxes[0].text);
  const found: Array<{ header: Line[]; body: Line[] }> = [];
  let current: { header: Line[]; body: Line[] } | null = null;
  for (const line of lines) {
    if (!isCell(line) || isFooter(line)) {
      current = null;
      continue;
    }
    if (isGroupHeading(line)) continue;
    // every string bold: a data row with one bold cell (a conditional style) is no header
    const bold = line.boxes.every((b) => b.bold);
    // a bold line under body lines is a totals row, not a new header
    if (bold && (!current || current.body.length === 0)) {
      if (!current) {
        current = { header: [], body: [] };
        found.push(current);
      }
      current.header.push(line);
    } else if (current) current.body.push(line);
  }
  return found;
}

/** Strings grouped by baseline, top of the page first. */
function textLines(page: PdfPage): Line[] {
  const lines: Line[] = [];
  for (const box of [...page.boxes].sort((a, b) => b.baseline - a.baseline)) {
    const line = lines.find((l) => Math.abs(l.baseline - box.baseline) < 0.25 * box.size);
    if (line) {
      line.boxes.push(box);
      line.size = Math.max(line.size, box.size);
    } else lines.push({ baseline: box.baseline, size: box.size, boxes: [box] });
  }
  return lines;
}

function mostCommon(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
}

/** Every layout problem of a PDF, all pages. */
export async function pdfLayoutProblems(pdf: Uint8Array): Promise<LayoutProblem[]> {
  return (await readPdfText(pdf)).flatMap(layoutProblems);
}
