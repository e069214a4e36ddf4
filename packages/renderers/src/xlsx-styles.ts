// The CommonJS build: Node exposes its exports only as a default import.
import XLSX from "xlsx";
import { escapeAttribute } from "./xml";

/** Excel's first free id for custom number formats; lower ids are its built-in ones. */
const FIRST_CUSTOM_FORMAT = 164;
/** General, what a cell without a format shows. */
const GENERAL = 0;

export interface CellStyle {
  /** Number format code, e.g. `#,##0.00`. */
  format?: string | undefined;
  bold?: boolean;
  /** Excel keeps the text as text when a user edits the cell (it shows no apostrophe, but adds none either). */
  quotePrefix?: boolean;
  /** Horizontal alignment; left out, Excel's own (numbers right, text left). */
  align?: "left" | "center" | "right" | undefined;
  /** Solid fill, as #RRGGBB. */
  fill?: string | undefined;
  /** Text colour, as #RRGGBB. */
  color?: string | undefined;
}

/** A differential format: what a conditional format changes in a cell. */
export interface DifferentialStyle {
  color?: string | undefined;
  background?: string | undefined;
  bold?: boolean | undefined;
}

/** `#C00000` as Excel's ARGB `FFC00000`. */
const argb = (hex: string) => `FF${hex.slice(1).toUpperCase()}`;

/**
 * The workbook's styles part, built up as cells ask for styles: SheetJS community cannot write bold fonts,
 * so this part is ours. Built-in number formats keep their ids (SheetJS's table of them), others get 164 and up.
 */
export class StyleSheet {
  private readonly formats = new Map<string, number>();
  private readonly xfs: string[] = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'];
  private readonly ids = new Map<string, number>([["0|false|false", 0]]);
  private readonly builtins: Map<string, number>;
  /** Fonts past the two built in (regular, bold), by `bold|color`. */
  private readonly fonts = new Map<string, number>();
  /** Fills past the two Excel requires (none, gray125), by colour. */
  private readonly fills = new Map<string, number>();
  private readonly dxfs: string[] = [];

  constructor() {
    const table: Record<number, string | undefined> = XLSX.SSF.get_table();
    this.builtins = new Map();
    for (const [id, code] of Object.entries(table)) {
      if (code !== undefined && Number(id) < FIRST_CUSTOM_FORMAT && !this.builtins.has(code)) {
        this.builtins.set(code, Number(id));
      }
    }
  }

  /** The index of a cell style (the cell's `s` attribute), adding it on first use. */
  style({ format, bold = false, quotePrefix = false, align, fill, color }: CellStyle): number {
    const formatId = format === undefined ? GENERAL : this.formatId(format);
    const extra = align === undefined && fill === undefined && color === undefined ? "" : `|${align}|${fill}|${color}`;
    const key = `${formatId}|${bold}|${quotePrefix}${extra}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.xfs.length;
      const fontId = color === undefined ? (bold ? 1 : 0) : this.fontId(bold, color);
      const fillId = fill === undefined ? 0 : this.fillId(fill);
      const applied = [
        formatId === GENERAL ? "" : ' applyNumberFormat="1"',
        fontId === 0 ? "" : ' applyFont="1"',
        fillId === 0 ? "" : ' applyFill="1"',
        align === undefined ? "" : ' applyAlignment="1"',
        quotePrefix ? ' quotePrefix="1"' : "",
      ].join("");
      const open = `<xf numFmtId="${formatId}" fontId="${fontId}" fillId="${fillId}" borderId="0" xfId="0"${applied}`;
      this.xfs.push(align === undefined ? `${open}/>` : `${open}><alignment horizontal="${align}"/></xf>`);
      this.ids.set(key, id);
    }
    return id;
  }

  /** The index of a differential format (a conditional format's `dxfId`), adding it on first use. */
  differential({ color, background, bold }: DifferentialStyle): number {
    const font =
      bold || color ? `<font>${bold ? "<b/>" : ""}${color ? `<color rgb="${argb(color)}"/>` : ""}</font>` : "";
    const fill = background
      ? `<fill><patternFill patternType="solid"><fgColor rgb="${argb(background)}"/><bgColor rgb="${argb(background)}"/></patternFill></fill>`
      : "";
    const xml = `<dxf>${font}${fill}</dxf>`;
    const known = this.dxfs.indexOf(xml);
    if (known !== -1) return known;
    this.dxfs.push(xml);
    return this.dxfs.length - 1;
  }

  private fontId(bold: boolean, color: string): number {
    const key = `${bold}|${color}`;
    let id = this.fonts.get(key);
    if (id === undefined) {
      id = 2 + this.fonts.size;
      this.fonts.set(key, id);
    }
    return id;
  }

  private fillId(color: string): number {
    let id = this.fills.get(color);
    if (id === undefined) {
      id = 2 + this.fills.size;
      this.fills.set(color, id);
    }
    return id;
  }

  private formatId(code: string): number {
    const builtin = this.builtins.get(code);
    if (builtin !== undefined) return builtin;
    let id = this.formats.get(code);
    if (id === undefined) {
      id = FIRST_CUSTOM_FORMAT + this.formats.size;
      this.formats.set(code, id);
    }
    return id;
  }

  /** `xl/styles.xml`. */
  toXml(): string {
    const formats = [...this.formats].map(
      ([code, id]) => `<numFmt numFmtId="${id}" formatCode="${escapeAttribute(code)}"/>`,
    );
    return [
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
      '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
      formats.length > 0 ? `<numFmts count="${formats.length}">${formats.join("")}</numFmts>` : "",
      `<fonts count="${2 + this.fonts.size}">`,
      '<font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>',
      '<font><b/><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>',
      ...[...this.fonts.keys()].map((key) => {
        const [bold, color] = key.split("|") as [string, string];
        return `<font>${bold === "true" ? "<b/>" : ""}<sz val="11"/><color rgb="${argb(color)}"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>`;
      }),
      "</fonts>",
      `<fills count="${2 + this.fills.size}"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>`,
      ...[...this.fills.keys()].map(
        (color) =>
          `<fill><patternFill patternType="solid"><fgColor rgb="${argb(color)}"/><bgColor indexed="64"/></patternFill></fill>`,
      ),
      "</fills>",
      '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>',
      '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>',
      `<cellXfs count="${this.xfs.length}">${this.xfs.join("")}</cellXfs>`,
      '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>',
      this.dxfs.length === 0 ? '<dxfs count="0"/>' : `<dxfs count="${this.dxfs.length}">${this.dxfs.join("")}</dxfs>`,
      '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>',
      "</styleSheet>",
    ].join("");
  }
}
