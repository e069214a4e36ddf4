import { RenderError } from "./errors";

/** A logo's bytes, checked, with its size in pixels. */
export interface LogoImage {
  data: Uint8Array;
  format: "png" | "jpeg";
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Reads a PNG's or a JPEG's dimensions from its header, after checking its magic bytes against `contentType`:
 * bytes that are not the image they claim to be fail the render with INVALID_SPEC, never a broken file.
 *
 * @example
 * logoImage(await readFile("logo.png"), "image/png"); // { format: "png", width: 320, height: 80, data }
 */
export function logoImage(data: Uint8Array, contentType: "image/png" | "image/jpeg"): LogoImage {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (contentType === "image/png") {
    const signed = data.length >= 24 && PNG_SIGNATURE.every((byte, i) => data[i] === byte);
    if (!signed) throw new RenderError("INVALID_SPEC", "the logo is not a PNG image");
    return { data, format: "png", width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8 || data[2] !== 0xff) {
    throw new RenderError("INVALID_SPEC", "the logo is not a JPEG image");
  }
  // Walk the segments to the first start-of-frame marker, which holds the size.
  for (let at = 2; at + 9 < data.length; ) {
    if (data[at] !== 0xff) break;
    const marker = data[at + 1] as number;
    const length = view.getUint16(at + 2);
    const startOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (startOfFrame) return { data, format: "jpeg", width: view.getUint16(at + 7), height: view.getUint16(at + 5) };
    at += 2 + length;
  }
  throw new RenderError("INVALID_SPEC", "the logo is a JPEG image without a readable size");
}

/** The logo's size in points, scaled to `maxHeight` (and `maxWidth`) with its aspect ratio kept. */
export function logoBox(image: Pick<LogoImage, "width" | "height">, maxHeight: number, maxWidth: number) {
  const scale = Math.min(maxHeight / image.height, maxWidth / image.width, 1);
  return { width: image.width * scale, height: image.height * scale };
}
