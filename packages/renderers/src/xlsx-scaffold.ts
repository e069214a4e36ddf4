import XLSX from "xlsx";

/** What SheetJS needs to know of a sheet to write the workbook parts around it. */
export interface SheetOutline {
  name: string;
  /** The autofilter's range, e.g. `A1:H1001`: SheetJS defines the workbook's filter names from it. */
  filterRef: string;
}

export interface WorkbookParts {
  /** Every part but the worksheets and the styles, `[Content_Types].xml` first. */
  parts: Array<{ path: string; data: Buffer }>;
  /** The path of each sheet's part, in order. */
  sheetPaths: string[];
  stylesPath: string;
}

const SHEET_PATH = /^xl\/worksheets\/sheet(\d+)\.xml$/;
const STYLES_PATH = "xl/styles.xml";

/**
 * The workbook's scaffolding (content types, relationships, workbook with sheet names and filter names,
 * document properties, theme) as SheetJS writes it for empty sheets; the sheets and styles are ours.
 */
export function workbookParts(title: string, sheets: readonly SheetOutline[]): WorkbookParts {
  const workbook = XLSX.utils.book_new();
  workbook.Props = { Title: title };
  for (const sheet of sheets) {
    // A one-cell range: SheetJS writes a row element for every row of `!ref`, cells or not.
    const outline: XLSX.WorkSheet = { "!ref": "A1", "!autofilter": { ref: sheet.filterRef } };
    XLSX.utils.book_append_sheet(workbook, outline, sheet.name);
  }
  const zip = XLSX.CFB.read(XLSX.write(workbook, { type: "buffer", bookType: "xlsx", compression: false }), {
    type: "buffer",
  });
  const parts: WorkbookParts["parts"] = [];
  const sheetPaths: string[] = [];
  zip.FullPaths.forEach((fullPath: string, i: number) => {
    const entry = zip.FileIndex[i];
    const path = fullPath.replace(/^Root Entry\//, "");
    // type 2 is a file; SheetJS's container also holds a marker entry that is no part of the package.
    if (entry?.type !== 2 || !/\.(xml|rels)$/.test(path) || path === STYLES_PATH) return;
    const sheet = SHEET_PATH.exec(path);
    if (sheet) sheetPaths[Number(sheet[1]) - 1] = path;
    else parts.push({ path, data: Buffer.from(entry.content as Uint8Array) });
  });
  if (sheetPaths.length !== sheets.length || sheetPaths.includes(undefined as unknown as string)) {
    throw new Error(`SheetJS wrote ${sheetPaths.length} sheet parts for ${sheets.length} sheets`);
  }
  parts.sort((a, b) => Number(b.path === "[Content_Types].xml") - Number(a.path === "[Content_Types].xml"));
  return { parts, sheetPaths, stylesPath: STYLES_PATH };
}
