import type { Storage } from "@reports/storage";
import { LRUCache } from "lru-cache";

/** Signed download links by file, each handed out again while at least half of its validity is left. */
export interface DownloadLinks {
  /** A link to `fileKey` that downloads as `fileName`, valid for at least half of the TTL from now. */
  url(fileKey: string, fileName: string): Promise<string>;
}

/**
 * Signing a link costs more than the rest of a status read served from memory; a client polling a `done` status
 * every second would have the same link signed again each time. Links are kept by file and download name (at most
 * `entries`) and reused until half their validity has passed, so every link handed out is valid for at least
 * `ttlSeconds / 2` more seconds.
 *
 * @example
 * const links = createDownloadLinks(storage, { ttlSeconds: 900 });
 * const url = await links.url(status.fileKey, status.report.fileName);
 */
export function createDownloadLinks(
  storage: Pick<Storage, "downloadUrl">,
  options: { ttlSeconds: number; entries?: number; now?: () => number },
): DownloadLinks {
  const now = options.now ?? Date.now;
  const reuseMs = (options.ttlSeconds * 1000) / 2;
  const links = new LRUCache<string, { url: string; signedAt: number }>({ max: options.entries ?? 10_000 });
  return {
    async url(fileKey, fileName) {
      const key = `${fileKey}\u0000${fileName}`;
      const held = links.get(key);
      if (held && now() - held.signedAt < reuseMs) return held.url;
      const signedAt = now();
      const url = await storage.downloadUrl(fileKey, { expiresInSeconds: options.ttlSeconds, fileName });
      links.set(key, { url, signedAt });
      return url;
    },
  };
}
