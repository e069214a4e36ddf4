import { Canvas, Document, Page, renderToBuffer, StyleSheet, Text } from "@react-pdf/renderer";
import type { PdfOptions, ReportSpec } from "@reports/contracts";
import type { ComponentProps } from "react";
import { RenderError } from "./errors";
import { type FontFace, fontFace, fontFamilies } from "./fonts";
import { formatContext } from "./format";
import type { RenderLimits } from "./limits";
import { cellFont } from "./pdf-font";
import { type BlockPlan, LAYOUT, type PagePlan, pageSize, planPages } from "./pdf-layout";
import { type CellFace, type Painter, paintBlock } from "./pdf-paint";
import type { Progress } from "./progress";
import { RowCursor, type RowSource } from "./rows";

export { PDF_CONTENT_TYPE } from "./file-type";

const styles = StyleSheet.create({
  page: {
    fontSize: LAYOUT.fontSize,
    paddingTop: LAYOUT.margin,
    paddingBottom: LAYOUT.footerSpace,
    paddingHorizontal: LAYOUT.margin,
    color: "#111111",
  },
  title: {
    fontSize: LAYOUT.titleSize,
    lineHeight: LAYOUT.lineHeight,
    fontWeight: "bold",
    marginBottom: LAYOUT.titleGap,
  },
  heading: {
    fontSize: LAYOUT.headingSize,
    lineHeight: LAYOUT.lineHeight,
    fontWeight: "bold",
    marginTop: LAYOUT.headingGapAbove,
    marginBottom: LAYOUT.headingGapBelow,
  },
  footer: {
    position: "absolute",
    bottom: LAYOUT.footerSpace / 2 - LAYOUT.fontSize / 2,
    left: LAYOUT.margin,
    right: LAYOUT.margin,
    textAlign: "right",
    color: "#555555",
  },
  // Off the layout: it only introduces the cell fonts to the document before any text is drawn.
  primer: { position: "absolute", top: 0, left: 0, width: 1, height: 1 },
});

/**
 * Renders the title, then each table under its name with its header row repeated on every page, and "Page n of N"
 * in the footer. React-PDF lays out the document; each page's table is painted on a `<Canvas>` from a plan made
 * beforehand (`planPages`), which keeps the time linear in the rows (see FIELD-NOTES: the `<Text>` path is not).
 */
export async function renderPdf(
  spec: ReportSpec,
  sources: readonly RowSource[],
  progress: Progress,
  limits: RenderLimits,
): Promise<Buffer> {
  const total = sources.reduce((n, s) => n + s.count, 0);
  if (total > limits.pdfMaxRows) {
    throw new RenderError(
      "TOO_LARGE",
      `a PDF holds at most ${limits.pdfMaxRows} rows (this report has ${total}); ask for XLSX instead`,
    );
  }
  const rows = [];
  for (const source of sources) rows.push(await new RowCursor(source).all());
  const [regular, bold] = await Promise.all([fontFace(400), fontFace(700)]);
  const pages = planPages(spec, rows, { regular: regular.measure, bold: bold.measure }, formatContext(spec));
  const faces = { regular: cellFace(regular), bold: cellFace(bold) };
  const options: PdfOptions = spec.pdf ?? { pageSize: "A4", orientation: "portrait" };
  // Without page breaking React-PDF sizes a page to its content: hold it at the paper's height.
  const pageStyle = [styles.page, { minHeight: pageSize(options).height, fontFamily: fontFamilies() }];
  const contentWidth = pageSize(options).width - 2 * LAYOUT.margin;
  const paint = (block: BlockPlan) => paintBlock(block, faces, () => progress.add(block.rows.length));
  const document = (
    <Document title={spec.title} creator="Reports" producer="Reports">
      {pages.map((page, p) => (
        <ReportPage
          // biome-ignore lint/suspicious/noArrayIndexKey: pages never reorder
          key={p}
          page={page}
          footer={`Page ${p + 1} of ${pages.length}`}
          options={options}
          style={pageStyle}
          width={contentWidth}
          paint={paint}
          primer={p === 0 ? faces : null}
        />
      ))}
    </Document>
  );
  return renderToBuffer(document);
}

function cellFace(face: FontFace): CellFace {
  const { ascent, descent, unitsPerEm } = face.font;
  const glyphHeight = ((ascent - descent) / unitsPerEm) * LAYOUT.fontSize;
  return {
    fonts: [face.font, ...face.fallbacks].map((font) => cellFont(font)),
    measure: face.measure,
    runs: face.runs,
    baseline: (LAYOUT.fontSize * LAYOUT.lineHeight - glyphHeight) / 2 + (ascent / unitsPerEm) * LAYOUT.fontSize,
  };
}

function ReportPage(props: {
  page: PagePlan;
  footer: string;
  options: PdfOptions;
  style: ComponentProps<typeof Page>["style"];
  width: number;
  paint: (block: BlockPlan) => (painter: Painter, width: number) => null;
  primer: { regular: CellFace; bold: CellFace } | null;
}) {
  const { page, options, primer } = props;
  return (
    <Page
      size={options.pageSize === "Letter" ? "LETTER" : "A4"}
      orientation={options.orientation}
      style={props.style}
      // The plan already fits each page: React-PDF's own page breaking would only lay every page out again.
      wrap={false}
    >
      {primer && (
        <Canvas
          style={styles.primer}
          paint={(painter: Painter) => {
            // pdfkit embeds a font once per name, taking the first object it sees under it: the cell fonts.
            for (const font of [...primer.bold.fonts, ...primer.regular.fonts]) painter.font(font);
            return null;
          }}
        />
      )}
      {page.title !== null && <Text style={styles.title}>{page.title}</Text>}
      {page.blocks.map((block, b) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: blocks never reorder
        <TableBlock key={b} block={block} width={props.width} paint={props.paint} />
      ))}
      <Text style={styles.footer}>{props.footer}</Text>
    </Page>
  );
}

function TableBlock(props: {
  block: BlockPlan;
  width: number;
  paint: (block: BlockPlan) => (painter: Painter, width: number) => null;
}) {
  const { block } = props;
  return (
    <>
      <Text style={styles.heading}>{block.heading}</Text>
      <Canvas style={{ width: props.width, height: block.height }} paint={props.paint(block)} />
    </>
  );
}
