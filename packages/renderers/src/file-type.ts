export const XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
export const PDF_CONTENT_TYPE = "application/pdf";

/** The content type and extension of a format's files, known before a render starts (an upload needs them). */
export function fileTypeOf(format: "xlsx" | "pdf"): { contentType: string; extension: "xlsx" | "pdf" } {
  return format === "pdf"
    ? { contentType: PDF_CONTENT_TYPE, extension: "pdf" }
    : { contentType: XLSX_CONTENT_TYPE, extension: "xlsx" };
}
