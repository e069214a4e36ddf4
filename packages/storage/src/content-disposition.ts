/**
 * `Content-Disposition: attachment` for a download name, per RFC 6266: an ASCII `filename`
 * for old clients and a UTF-8 `filename*` (RFC 5987) that modern ones prefer.
 *
 * @example
 * attachmentDisposition("Łódź report.pdf");
 * // attachment; filename="_od_ report.pdf"; filename*=UTF-8''%C5%81%C3%B3d%C5%BA%20report.pdf
 */
export function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
