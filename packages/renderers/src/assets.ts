import type { ReportSpec } from "@reports/contracts";
import { RenderError } from "./errors";
import { MAX_LOGO_BYTES, type RenderAssets } from "./render";

/** Where assets are read from: the report's object storage (`@reports/storage` fits). */
export interface AssetSource {
  get(key: string): Promise<(AsyncIterable<unknown> & { destroy(): void }) | null>;
}

/**
 * Reads the files a spec refers to by key (its `layout.logo`) from storage, for the render thread (the worker's
 * and the BFF's synchronous renders). A missing or
 * oversized logo fails the report for good (INVALID_SPEC: another attempt finds the same); a storage failure is
 * the storage's, retried like any other. The renderer checks the image's magic bytes.
 *
 * @example
 * const assets = await loadAssets(deps.storage, spec); // { logo: Uint8Array } or {}
 */
export async function loadAssets(storage: AssetSource, spec: ReportSpec): Promise<RenderAssets> {
  const logo = spec.layout?.logo;
  if (!logo) return {};
  const body = await storage.get(logo.key);
  if (!body) throw new RenderError("INVALID_SPEC", `layout.logo: no image is stored under "${logo.key}"`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_LOGO_BYTES) {
      body.destroy();
      throw new RenderError("INVALID_SPEC", `layout.logo: the image is larger than ${MAX_LOGO_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return { logo: Buffer.concat(chunks) };
}
