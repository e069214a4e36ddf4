import { Document, Page, renderToBuffer, StyleSheet, Text, View } from "@react-pdf/renderer";
import type { ReportSpec } from "@reports/contracts";
import { FONT_FAMILY, textMeasure } from "./fonts";
import { type BlockPlan, LAYOUT, type PagePlan, planPages } from "./pdf-layout";

export const PDF_CONTENT_TYPE = "application/pdf";

const styles = StyleSheet.create({
  page: {
    fontFamily: FONT_FAMILY,
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
  header: {
    flexDirection: "row",
    backgroundColor: "#e8e8e8",
    borderBottomWidth: LAYOUT.headerBorder,
    borderBottomColor: "#888888",
    fontWeight: "bold",
  },
  row: {
    flexDirection: "row",
    borderBottomWidth: LAYOUT.rowBorder,
    borderBottomColor: "#d0d0d0",
  },
  stripe: { backgroundColor: "#f6f6f6" },
  // A unitless lineHeight multiplies the style's own fontSize (React-PDF's default 18 if not set there).
  cell: {
    fontSize: LAYOUT.fontSize,
    lineHeight: LAYOUT.lineHeight,
    paddingHorizontal: LAYOUT.cellPadX,
    paddingVertical: LAYOUT.cellPadY,
  },
  footer: {
    position: "absolute",
    bottom: LAYOUT.footerSpace / 2 - LAYOUT.fontSize / 2,
    left: LAYOUT.margin,
    right: LAYOUT.margin,
    textAlign: "right",
    color: "#555555",
  },
});

/**
 * Renders the title, then each table under its name, its header row repeated on every page,
 * and "Page n of N" in the footer. Rows are paginated by `planPages`, one `<Page>` per planned page.
 */
export async function renderPdf(spec: ReportSpec): Promise<Buffer> {
  const [regular, bold] = await Promise.all([textMeasure(400), textMeasure(700)]);
  const pages = planPages(spec, { regular, bold });
  const options = spec.pdf ?? { pageSize: "A4", orientation: "portrait" };
  const document = (
    <Document title={spec.title} creator="Reports" producer="Reports">
      {pages.map((page, p) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: pages never reorder
        <ReportPage key={p} page={page} size={options.pageSize} orientation={options.orientation} />
      ))}
    </Document>
  );
  return renderToBuffer(document);
}

function ReportPage(props: { page: PagePlan; size: "A4" | "Letter"; orientation: "portrait" | "landscape" }) {
  const { page } = props;
  return (
    <Page size={props.size === "Letter" ? "LETTER" : "A4"} orientation={props.orientation} style={styles.page}>
      {page.title !== null && <Text style={styles.title}>{page.title}</Text>}
      {page.blocks.map((block, b) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: blocks never reorder
        <TableBlock key={b} block={block} />
      ))}
      <Text
        fixed
        style={styles.footer}
        render={({ pageNumber, totalPages }) => `Page ${pageNumber} of ${totalPages}`}
      />
    </Page>
  );
}

function TableBlock({ block }: { block: BlockPlan }) {
  const cellStyles = block.columns.map((c) => ({ ...styles.cell, width: c.width, textAlign: c.align }));
  return (
    <View>
      <Text style={styles.heading}>{block.heading}</Text>
      <View style={styles.header}>
        {block.header.map((text, c) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: columns never reorder
          <Text key={c} style={cellStyles[c]}>
            {text}
          </Text>
        ))}
      </View>
      {block.rows.map((cells, r) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows never reorder
        <View key={r} style={r % 2 === 1 ? [styles.row, styles.stripe] : styles.row} wrap={false}>
          {cells.map((text, c) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: columns never reorder
            <Text key={c} style={cellStyles[c]}>
              {text}
            </Text>
          ))}
        </View>
      ))}
    </View>
  );
}
