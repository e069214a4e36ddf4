import { Canvas, Document, Page, renderToBuffer, StyleSheet } from "@react-pdf/renderer";
import type { ReportSpec, ReportWarning } from "@reports/contracts";
import { RenderError } from "./errors";
import { fontFace } from "./fonts";
import { formatContext } from "./format";
import type { RenderLimits } from "./limits";
import { LAYOUT, type PagePlan, pageSize, planPages } from "./pdf-layout";
import { type Painter, paintPage } from "./pdf-paint";
import type { Progress } from "./progress";
import { RowCursor, type RowSource } from "./rows";

export { PDF_CONTENT_TYPE } from "./file-type";

const styles = StyleSheet.create({
  page: { paddingTop: LAYOUT.margin, paddingHorizontal: LAYOUT.margin },
});

/**
 * Renders the title, then each table under its name with its header row repeated on every page, and "Page n of N"
 * in the footer. React-PDF makes the document and its pages; everything on a page is painted on one `<Canvas>`
 * from a plan made beforehand (`planPages`), in the fonts of the chain (`fonts.ts`), which keeps the time
 * linear in the rows (see FIELD-NOTES: the `<Text>` path is not) and every text in an embedded font.
 */
export async function renderPdf(
  spec: ReportSpec,
  sources: readonly RowSource[],
  progress: Progress,
  limits: RenderLimits,
): Promise<{ pdf: Buffer; warnings: ReportWarning[] }> {
  const total = sources.reduce((n, s) => n + s.count, 0);
  if (total > limits.pdfMaxRows) {
    throw new RenderError(
      "TOO_LARGE",
      `a PDF holds at most ${limits.pdfMaxRows} rows (this report has ${total}); ask for XLSX instead`,
    );
  }
  const rows = [];
  for (const source of sources) rows.push(await new RowCursor(source).all());
  const faces = { regular: fontFace(400, spec.locale), bold: fontFace(700, spec.locale) };
  const plan = planPages(spec, rows, faces, formatContext(spec));
  const pageSizeName = spec.pdf?.pageSize ?? "A4";
  const size = pageSize({ pageSize: pageSizeName, orientation: plan.orientation });
  const canvas = { width: size.width - 2 * LAYOUT.margin, height: size.height - LAYOUT.margin };
  const onPainted = (rows: number) => progress.add(rows);
  const document = (
    <Document title={spec.title} creator="Reports" producer="Reports">
      {plan.pages.map((page, p) => (
        <ReportPage
          // biome-ignore lint/suspicious/noArrayIndexKey: pages never reorder
          key={p}
          page={page}
          size={pageSizeName === "Letter" ? "LETTER" : "A4"}
          orientation={plan.orientation}
          canvas={canvas}
          paint={paintPage(page, `Page ${p + 1} of ${plan.pages.length}`, faces, onPainted)}
        />
      ))}
    </Document>
  );
  return { pdf: await renderToBuffer(document), warnings: plan.warnings };
}

function ReportPage(props: {
  page: PagePlan;
  size: "A4" | "LETTER";
  orientation: "portrait" | "landscape";
  canvas: { width: number; height: number };
  paint: (painter: Painter, width: number, height: number) => null;
}) {
  return (
    // The plan already fits each page: React-PDF's own page breaking would only lay every page out again.
    <Page size={props.size} orientation={props.orientation} style={styles.page} wrap={false}>
      <Canvas style={props.canvas} paint={props.paint} />
    </Page>
  );
}
