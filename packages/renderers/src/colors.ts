/** White text on a dark fill, black on a light one (by the fill's relative luminance, as WCAG computes it). */
export function readableOn(fill: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(fill.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.4 ? "#000000" : "#FFFFFF";
}
