import { Document, Page, renderToBuffer, StyleSheet, Text, View } from "@react-pdf/renderer";
import type { PdfOptions, ReportSpec } from "@reports/contracts";
import type { ComponentProps } from "react";
import { FONT_FAMILY, textMeasure } from "./fonts";
import { type BlockPlan, LAYOUT, type PagePlan, pageSize, planPages } from "./pdf-layout";

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
  const options: PdfOptions = spec.pdf ?? { pageSize: "A4", orientation: "portrait" };
  // Without page breaking React-PDF sizes a page to its content: hold it at the paper's height.
  const pageStyle = [styles.page, { minHeight: pageSize(options).height }];
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
        />
      ))}
    </Document>
  );
  return renderToBuffer(document);
}

function ReportPage(props: {
  page: PagePlan;
  footer: string;
  options: PdfOptions;
  style: ComponentProps<typeof Page>["style"];
}) {
  const { page, options } = props;
  return (
    <Page
      size={options.pageSize === "Letter" ? "LETTER" : "A4"}
      orientation={options.orientation}
      style={props.style}
      // The plan already fits each page: React-PDF's own page breaking would only lay every page out again.
      wrap={false}
    >
      {page.title !== null && <Text style={styles.title}>{page.title}</Text>}
      {page.blocks.map((block, b) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: blocks never reorder
        <TableBlock key={b} block={block} />
      ))}
      <Text style={styles.footer}>{props.footer}</Text>
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
        <View key={r} style={r % 2 === 1 ? [styles.row, styles.stripe] : styles.row}>
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
