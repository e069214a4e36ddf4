import type { Column, Comparison, ReportLayout } from "@reports/contracts";
import { compares } from "./conditional";
import { excelSerial, parseInstant } from "./format";
import type { LogoImage } from "./image";
import { logoBox } from "./image";
import { bandParts, fillBand } from "./page-bands";
import type { StyleSheet } from "./xlsx-styles";
import { escapeText } from "./xml";

/** Excel refuses a header or footer longer than this. */
const HEADER_FOOTER_LENGTH = 255;
/** The logo's height on a sheet, at most, in points; the row above the header is this tall. */
export const XLSX_LOGO_HEIGHT = 40;
const EMU_PER_POINT = 12_700;

/**
 * The sheet's `<headerFooter>`: the layout's header and footer as Excel's page codes (`&L`, `&C`, `&R`, `&P` for
 * the page, `&N` for the pages; `{{generatedAt}}` as the render's time), shown in print and page layout view.
 */
export function headerFooterXml(layout: ReportLayout | undefined, generatedAt: string): string {
  if (!layout?.header && !layout?.footer) return "";
  const values = { page: "&P", pages: "&N", generatedAt: generatedAt.replace(/&/g, "&&") };
  const line = (band: ReportLayout["header"]) => {
    const [left, center, right] = bandParts(band).map((part) => fillBand(part, values, (t) => t.replace(/&/g, "&&")));
    let text = `${left ? `&L${left}` : ""}${center ? `&C${center}` : ""}${right ? `&R${right}` : ""}`;
    // Cut to Excel's limit without leaving half of an `&` code at the end.
    if (text.length > HEADER_FOOTER_LENGTH)
      text = text.slice(0, HEADER_FOOTER_LENGTH).replace(/(^|[^&])(&&)*&$/, "$1$2");
    return escapeText(text);
  };
  const header = layout.header ? `<oddHeader>${line(layout.header)}</oddHeader>` : "";
  const footer = layout.footer ? `<oddFooter>${line(layout.footer)}</oddFooter>` : "";
  return `<headerFooter>${header}${footer}</headerFooter>`;
}

const OPERATORS: Record<Comparison, string> = {
  "<": "lessThan",
  "<=": "lessThanOrEqual",
  ">": "greaterThan",
  ">=": "greaterThanOrEqual",
  "=": "equal",
  "!=": "notEqual",
};

/** A rule's operand as an Excel formula: a number, a date's serial, or quoted text. */
function operand(column: Column, value: number | string): string {
  if (typeof value === "number") return String(value);
  if (column.type === "date") return String(excelSerial(parseInstant("date", value) ?? 0));
  return `"${value.replace(/"/g, '""')}"`;
}

/**
 * The column's conditional styles as Excel's conditional formatting over `range` (its cells below the header):
 * `cellIs` rules in the spec's order, each stopping the rest (the first match wins, as in the PDF). Excel takes an
 * empty cell for 0 or "": when a rule would match that, a first rule for blanks with no format stops it.
 */
export function conditionalFormattingXml(
  column: Column,
  range: string,
  topLeft: string,
  styles: StyleSheet,
  priority: { next: number },
): string {
  if (!column.styles) return "";
  const blank = column.type === "string" ? "" : 0;
  const rules: string[] = [];
  if (column.styles.some((s) => typeof s.when.value === typeof blank && compares(s.when.op, blank, s.when.value))) {
    rules.push(
      `<cfRule type="containsBlanks" dxfId="${styles.differential({})}" priority="${priority.next++}" stopIfTrue="1"><formula>LEN(TRIM(${topLeft}))=0</formula></cfRule>`,
    );
  }
  for (const style of column.styles) {
    const dxf = styles.differential(style);
    const formula = escapeText(operand(column, style.when.value));
    rules.push(
      `<cfRule type="cellIs" dxfId="${dxf}" priority="${priority.next++}" stopIfTrue="1" operator="${OPERATORS[style.when.op]}"><formula>${formula}</formula></cfRule>`,
    );
  }
  return `<conditionalFormatting sqref="${range}">${rules.join("")}</conditionalFormatting>`;
}

/** A sheet's drawing with the logo at the top left, in the row above the header, at most `XLSX_LOGO_HEIGHT` tall. */
export function logoDrawingXml(image: LogoImage): string {
  const box = logoBox(image, XLSX_LOGO_HEIGHT - 4, 400);
  const cx = Math.round(box.width * EMU_PER_POINT);
  const cy = Math.round(box.height * EMU_PER_POINT);
  return [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
    '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" ',
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ',
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">',
    "<xdr:oneCellAnchor><xdr:from><xdr:col>0</xdr:col><xdr:colOff>25400</xdr:colOff><xdr:row>0</xdr:row><xdr:rowOff>25400</xdr:rowOff></xdr:from>",
    `<xdr:ext cx="${cx}" cy="${cy}"/>`,
    '<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="2" name="Logo"/><xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr>',
    '<xdr:blipFill><a:blip r:embed="rId1"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>',
    `<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="${cx}" cy="${cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr>`,
    "</xdr:pic><xdr:clientData/></xdr:oneCellAnchor></xdr:wsDr>",
  ].join("");
}

const RELS_HEAD =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">';
const REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/** The parts that put the logo on sheets 1…`sheets`: the image once, a drawing per sheet, their relationships. */
export function logoParts(image: LogoImage, sheets: number): Array<{ path: string; data: Buffer }> {
  const media = `xl/media/logo.${image.format === "png" ? "png" : "jpeg"}`;
  const parts = [{ path: media, data: Buffer.from(image.data) }];
  const drawing = Buffer.from(logoDrawingXml(image));
  for (let n = 1; n <= sheets; n++) {
    parts.push({ path: `xl/drawings/drawing${n}.xml`, data: drawing });
    parts.push({
      path: `xl/drawings/_rels/drawing${n}.xml.rels`,
      data: Buffer.from(
        `${RELS_HEAD}<Relationship Id="rId1" Type="${REL}/image" Target="../${media.slice(3)}"/></Relationships>`,
      ),
    });
    parts.push({
      path: `xl/worksheets/_rels/sheet${n}.xml.rels`,
      data: Buffer.from(
        `${RELS_HEAD}<Relationship Id="rId1" Type="${REL}/drawing" Target="../drawings/drawing${n}.xml"/></Relationships>`,
      ),
    });
  }
  return parts;
}

/** `[Content_Types].xml` with the logo's image type and each sheet's drawing added. */
export function withLogoTypes(contentTypes: Buffer, image: LogoImage, sheets: number): Buffer {
  const extension = image.format === "png" ? "png" : "jpeg";
  const drawings = Array.from(
    { length: sheets },
    (_, i) =>
      `<Override PartName="/xl/drawings/drawing${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"/>`,
  );
  const added = `<Default Extension="${extension}" ContentType="image/${image.format}"/>${drawings.join("")}`;
  return Buffer.from(contentTypes.toString("utf8").replace("</Types>", `${added}</Types>`));
}

/** The sheet's reference to its drawing (relationship rId1), when the report has a logo. */
export const DRAWING_XML = '<drawing r:id="rId1"/>';
