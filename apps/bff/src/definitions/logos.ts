import { createHash } from "node:crypto";
import type { FieldError } from "@reports/contracts";
import type { AppDeps } from "../deps";
import { ApiError } from "../http/errors";

/** The largest logo `POST /logos` takes, in bytes. */
export const LOGO_MAX_BYTES = 512 * 1024;

/** The image types a logo may be, told by the file's first bytes (never by its name or declared type alone). */
const LOGO_TYPES = [
  { contentType: "image/png", extension: "png", magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { contentType: "image/jpeg", extension: "jpg", magic: [0xff, 0xd8, 0xff] },
] as const;
export type LogoContentType = (typeof LOGO_TYPES)[number]["contentType"];

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

/** Where an owner's logos are stored: under a hash of the owner, so a key names its owner without showing it. */
const ownerPrefix = (owner: string) => `logos/${sha256(owner).slice(0, 32)}/`;
const LOGO_KEY = /^logos\/[0-9a-f]{32}\/[0-9a-f]{64}\.(png|jpg)$/;

/** A stored logo, as `layout.logo` references it. */
export interface StoredLogo {
  key: string;
  contentType: LogoContentType;
  bytes: number;
}

/**
 * Stores a PNG or JPEG logo under a content-addressed key of its owner (`logos/<owner hash>/<sha-256>.png`): the
 * same image uploaded twice is one object, and a stored logo never changes, so a definition version that names
 * it always renders the same.
 *
 * @example
 * const { key, contentType } = await uploadLogo(deps, owner, bytes, "image/png");
 * // then "layout": { "logo": { "key": key, "contentType": contentType } } in a definition
 */
export async function uploadLogo(
  deps: AppDeps,
  owner: string,
  bytes: Uint8Array,
  declaredType: string | undefined,
): Promise<StoredLogo> {
  if (bytes.byteLength > LOGO_MAX_BYTES) {
    throw new ApiError(
      "PAYLOAD_TOO_LARGE",
      `A logo is at most ${LOGO_MAX_BYTES} bytes (this one: ${bytes.byteLength}).`,
    );
  }
  const type = LOGO_TYPES.find((t) => t.magic.every((byte, i) => bytes[i] === byte));
  if (!type) {
    throw new ApiError("VALIDATION_FAILED", "A logo is a PNG or JPEG image; these bytes are neither.", [
      { path: "body", message: "not a PNG or JPEG file (by its first bytes)" },
    ]);
  }
  const declared = declaredType?.split(";")[0]?.trim().toLowerCase();
  if (declared !== type.contentType) {
    throw new ApiError(
      "VALIDATION_FAILED",
      `The body is a ${type.contentType} image, sent as ${declared ?? "nothing"}.`,
      [{ path: "content-type", message: `must be ${type.contentType} for these bytes` }],
    );
  }
  const key = `${ownerPrefix(owner)}${sha256(bytes)}.${type.extension}`;
  if (!(await deps.storage.head(key))) await deps.storage.put(key, bytes, { contentType: type.contentType });
  deps.logger.info({ owner, key, bytes: bytes.byteLength }, "logo stored");
  return { key, contentType: type.contentType, bytes: bytes.byteLength };
}

/**
 * Why the logo a spec or definition names (`layout.logo`) cannot be used by `owner`, or null when it can (or it
 * names none): it must be one of the owner's uploaded logos, of the type it says. Without this a spec could make
 * the worker read any object of the bucket (another owner's logo, a report file) into a PDF.
 */
export async function logoProblem(deps: AppDeps, owner: string, report: object): Promise<FieldError | null> {
  const logo = (report as { layout?: { logo?: { key?: unknown; contentType?: unknown } } }).layout?.logo;
  if (!logo) return null;
  const key = typeof logo.key === "string" ? logo.key : "";
  if (!LOGO_KEY.test(key) || !key.startsWith(ownerPrefix(owner))) {
    return { path: "layout.logo.key", message: "not a key of one of your logos: upload the image with POST /logos" };
  }
  const type = LOGO_TYPES.find((t) => key.endsWith(`.${t.extension}`));
  if (logo.contentType !== undefined && logo.contentType !== type?.contentType) {
    return { path: "layout.logo.contentType", message: `this logo is ${type?.contentType}` };
  }
  if (!(await deps.storage.head(key))) {
    return { path: "layout.logo.key", message: "no such logo: upload the image with POST /logos" };
  }
  return null;
}
