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
}

/**
 * The workbook's styles part, built up as cells ask for styles: SheetJS community cannot write bold fonts,
 * so this part is ours. Built-in number formats keep their ids (SheetJS's table of them), others get 164 and up.
 */
export class StyleSheet {
  private readonly formats = new Map<string, number>();
  private readonly xfs: string[] = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'];
  private readonly ids = new Map<string, number>([["0|false|false", 0]]);
  private readonly builtins: Map<string, number>;

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
  style({ format, bold = false, quotePrefix = false }: CellStyle): number {
    const formatId = format === undefined ? GENERAL : this.formatId(format);
    const key = `${formatId}|${bold}|${quotePrefix}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.xfs.length;
      const applied = `${formatId === GENERAL ? "" : ' applyNumberFormat="1"'}${bold ? ' applyFont="1"' : ""}`;
      this.xfs.push(
        `<xf numFmtId="${formatId}" fontId="${bold ? 1 : 0}" fillId="0" borderId="0" xfId="0"${applied}${quotePrefix ? ' quotePrefix="1"' : ""}/>`,
      );
      this.ids.set(key, id);
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
      '<fonts count="2">',
      '<font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>',
      '<font><b/><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>',
      "</fonts>",
      '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>',
      '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>',
      '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>',
      `<cellXfs count="${this.xfs.length}">${this.xfs.join("")}</cellXfs>`,
      '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>',
      '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>',
      "</styleSheet>",
    ].join("");
  }
}
