import { Canvas, Document, Image, Page, renderToBuffer, StyleSheet } from "@react-pdf/renderer";
import type { PageBand, ReportSpec, ReportWarning } from "@reports/contracts";
import { readableOn } from "./colors";
import { RenderError } from "./errors";
import { fontFace } from "./fonts";
import { formatContext } from "./format";
import { orderedRows } from "./groups";
import type { LogoImage } from "./image";
import type { RenderLimits } from "./limits";
import { type BandValues, bandParts, fillBand } from "./page-bands";
import { type Faces, LAYOUT, type PagePlan, pageSize, planPages } from "./pdf-layout";
import { type BandLine, type PageLook, type Painter, PLAIN_LOOK, paintPage } from "./pdf-paint";
import type { Progress } from "./progress";
import { RowCursor, type RowSource } from "./rows";
import { printable, withEllipsis } from "./wrap";

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
  look: { logo: LogoImage | null; generatedAt: string },
): Promise<{ pdf: Buffer; warnings: ReportWarning[] }> {
  const total = sources.reduce((n, s) => n + s.count, 0);
  if (total > limits.pdfMaxRows) {
    throw new RenderError(
      "TOO_LARGE",
      `a PDF holds at most ${limits.pdfMaxRows} rows (this report has ${total}); ask for XLSX instead`,
    );
  }
  const rows = [];
  for (const [t, source] of sources.entries()) {
    const table = spec.tables[t];
    rows.push(await new RowCursor(table ? await orderedRows(table, source, spec.locale) : source).all());
  }
  const faces = { regular: fontFace(400, spec.locale), bold: fontFace(700, spec.locale) };
  const plan = planPages(spec, rows, faces, formatContext(spec), look.logo);
  const pageSizeName = spec.pdf?.pageSize ?? "A4";
  const size = pageSize({ pageSize: pageSizeName, orientation: plan.orientation });
  const canvas = { width: size.width - 2 * LAYOUT.margin, height: size.height - LAYOUT.margin };
  const onPainted = (rows: number) => progress.add(rows);
  const pageLook = pageLookOf(spec.layout?.accentColor);
  const pages = plan.pages.length;
  const band = (which: "header" | "footer", p: number) =>
    bandLine(
      spec.layout?.[which],
      { page: String(p + 1), pages: String(pages), generatedAt: look.generatedAt },
      faces,
      canvas.width,
    );
  const logo =
    look.logo && ({ data: Buffer.from(look.logo.data), format: look.logo.format === "png" ? "png" : "jpg" } as const);
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
          paint={paintPage(
            page,
            {
              header: spec.layout?.header ? band("header", p) : null,
              footer: spec.layout?.footer ? band("footer", p) : ["", "", `Page ${p + 1} of ${pages}`],
            },
            faces,
            onPainted,
            pageLook,
          )}
          logo={page.logo && logo ? { ...page.logo, src: logo } : null}
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
  logo: { top: number; width: number; height: number; src: { data: Buffer; format: "png" | "jpg" } } | null;
}) {
  const { logo } = props;
  return (
    // The plan already fits each page: React-PDF's own page breaking would only lay every page out again.
    <Page size={props.size} orientation={props.orientation} style={styles.page} wrap={false}>
      <Canvas style={props.canvas} paint={props.paint} />
      {logo && (
        <Image
          src={logo.src}
          style={{
            position: "absolute",
            top: LAYOUT.margin + logo.top,
            left: LAYOUT.margin,
            width: logo.width,
            height: logo.height,
          }}
        />
      )}
    </Page>
  );
}

/** The accent colour as the page's look: the header row filled with it, headings in it when it reads on white. */
function pageLookOf(accent: string | undefined): PageLook {
  if (!accent) return PLAIN_LOOK;
  const dark = readableOn(accent) === "#FFFFFF";
  return {
    headerFill: accent,
    headerText: readableOn(accent),
    headingText: dark ? accent : PLAIN_LOOK.headingText,
    groupFill: PLAIN_LOOK.groupFill,
  };
}

/** A header or footer line with its placeholders filled, each part cut with "…" to its third when others share the line. */
function bandLine(band: PageBand | undefined, values: BandValues, faces: Faces, width: number): BandLine {
  const parts = bandParts(band).map((part) => printable(fillBand(part, values)));
  const shared = parts.filter((part) => part !== "").length > 1;
  const room = (shared ? width / 3 - 6 : width) / LAYOUT.footerSize;
  return parts.map((part) =>
    faces.regular.measure.width(part) > room ? withEllipsis(part, room, faces.regular.measure) : part,
  ) as unknown as BandLine;
}
