import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fromFsError, StorageError, type StorageOperation } from "./errors";
import type { DownloadUrlOptions, ListedObject, PutOptions, Storage } from "./storage";

export interface LocalStorageConfig {
  /** Root of the files, e.g. `./.data/files`; created on first write. */
  directory: string;
  /** Where the BFF is reachable, e.g. `http://127.0.0.1:3000`; links point at `${publicBaseUrl}/files/…`. */
  publicBaseUrl: string;
  /** HMAC key of the download links. */
  signingSecret: string;
}

export type LocalStorage = Storage & {
  /**
   * Whether a download link's query is ours and unexpired (`expires` in unix seconds, `now` in ms).
   * The BFF's `/files/*` route calls it before `get`.
   */
  verify(key: string, expires: number, signature: string, fileName: string, now?: number): boolean;
};

interface Meta {
  contentType: string;
  contentDisposition?: string;
}

/**
 * The embedded-mode driver: files in a directory, written atomically (temp file + rename),
 * served by the BFF through HMAC-signed, expiring links.
 *
 * @example
 * const storage = createLocalStorage({ directory: "./.data/files", publicBaseUrl: "http://127.0.0.1:3000", signingSecret });
 * await storage.put("reports/42.xlsx", buffer, { contentType: XLSX_TYPE });
 * await storage.downloadUrl("reports/42.xlsx", { expiresInSeconds: 900, fileName: "Sales.xlsx" });
 * // http://127.0.0.1:3000/files/reports/42.xlsx?expires=…&name=Sales.xlsx&signature=…
 */
export function createLocalStorage(config: LocalStorageConfig): LocalStorage {
  const root = resolve(config.directory);
  const objectsDir = join(root, "objects");
  const metaDir = join(root, "meta");
  // Temp files live under the root so the final rename stays on one file system (atomic).
  const tmpDir = join(root, ".tmp");
  const baseUrl = config.publicBaseUrl.replace(/\/+$/, "");

  const pathsOf = (key: string, operation: StorageOperation) => {
    assertSafeKey(key, operation);
    const data = resolve(objectsDir, key);
    if (!data.startsWith(objectsDir + sep)) throw invalidKey(key, operation);
    return { data, meta: `${resolve(metaDir, key)}.json` };
  };

  const sign = (key: string, expires: number, fileName: string) =>
    createHmac("sha256", config.signingSecret).update(`${key}\n${expires}\n${fileName}`).digest("hex");

  async function put(key: string, body: Buffer | Uint8Array | NodeJS.ReadableStream, options: PutOptions) {
    const paths = pathsOf(key, "put");
    options.signal?.throwIfAborted();
    const tmpData = join(tmpDir, randomUUID());
    const tmpMeta = `${tmpData}.json`;
    // A failing body (the renderer) is not a storage failure: rethrow its own error, unclassified.
    let bodyError: unknown;
    // listened to before the first await: a body that fails while the directory is made must not go unhandled
    const source = body instanceof Uint8Array ? null : body instanceof Readable ? body : Readable.from(body);
    source?.on("error", (e) => (bodyError ??= e));
    try {
      await mkdir(tmpDir, { recursive: true });
      if (source === null) {
        await writeFile(tmpData, body as Uint8Array, options.signal ? { signal: options.signal } : {});
      } else {
        await pipeline(source, createWriteStream(tmpData), options.signal ? { signal: options.signal } : {});
      }
      const meta: Meta = {
        contentType: options.contentType,
        ...(options.contentDisposition ? { contentDisposition: options.contentDisposition } : {}),
      };
      await writeFile(tmpMeta, JSON.stringify(meta));
      await mkdir(dirname(paths.data), { recursive: true });
      await mkdir(dirname(paths.meta), { recursive: true });
      await rename(tmpMeta, paths.meta);
      await rename(tmpData, paths.data);
    } catch (error) {
      await Promise.all([rm(tmpData, { force: true }), rm(tmpMeta, { force: true })]);
      if (bodyError !== undefined) throw bodyError;
      if (options.signal?.aborted) throw options.signal.reason;
      throw fromFsError(error, "put", key);
    }
  }

  async function get(key: string): Promise<Readable | null> {
    const { data } = pathsOf(key, "get");
    try {
      // Opened before returning: a later overwrite (rename) leaves this reader on the old, whole file.
      const handle = await open(data, "r");
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        return null;
      }
      return handle.createReadStream();
    } catch (error) {
      if (isMissing(error)) return null;
      throw fromFsError(error, "get", key);
    }
  }

  async function head(key: string) {
    const paths = pathsOf(key, "head");
    try {
      const info = await stat(paths.data);
      if (!info.isFile()) return null;
      const meta = await readMeta(paths.meta);
      return { size: info.size, contentType: meta?.contentType ?? "application/octet-stream" };
    } catch (error) {
      if (isMissing(error)) return null;
      throw fromFsError(error, "head", key);
    }
  }

  async function remove(key: string) {
    const paths = pathsOf(key, "delete");
    try {
      await rm(paths.data, { force: true });
      await rm(paths.meta, { force: true });
    } catch (error) {
      throw fromFsError(error, "delete", key);
    }
  }

  // every key under the prefix's directory, sorted whole: the embedded mode holds thousands, not millions
  async function* list(prefix: string, options: { startAfter?: string } = {}): AsyncIterable<ListedObject> {
    const dir = resolve(objectsDir, prefix.slice(0, prefix.lastIndexOf("/") + 1));
    if (dir !== objectsDir && !dir.startsWith(objectsDir + sep)) throw invalidKey(prefix, "list");
    let files: string[];
    try {
      files = await readdir(dir, { recursive: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw fromFsError(error, "list", prefix);
    }
    const keys = files
      .map((file) => relative(objectsDir, join(dir, file)).split(sep).join("/"))
      .filter((key) => key.startsWith(prefix) && (options.startAfter === undefined || key > options.startAfter))
      .sort();
    for (const key of keys) {
      const info = await stat(join(objectsDir, key)).catch(() => null);
      if (info?.isFile()) yield { key, lastModified: info.mtime };
    }
  }

  async function removeUnfinished(before: Date): Promise<number> {
    let names: string[];
    try {
      names = await readdir(tmpDir);
    } catch (error) {
      if (isMissing(error)) return 0;
      throw fromFsError(error, "delete", ".tmp");
    }
    let removed = 0;
    for (const name of names) {
      const path = join(tmpDir, name);
      const info = await stat(path).catch(() => null);
      if (info && info.mtime < before) {
        await rm(path, { force: true, recursive: true });
        removed++;
      }
    }
    return removed;
  }

  async function downloadUrl(key: string, options: DownloadUrlOptions) {
    assertSafeKey(key, "downloadUrl");
    const expires = Math.floor(Date.now() / 1000) + options.expiresInSeconds;
    const query = new URLSearchParams({
      expires: String(expires),
      name: options.fileName,
      signature: sign(key, expires, options.fileName),
    });
    return `${baseUrl}/files/${key.split("/").map(encodeURIComponent).join("/")}?${query}`;
  }

  function verify(key: string, expires: number, signature: string, fileName: string, now = Date.now()) {
    if (!Number.isSafeInteger(expires) || Math.floor(now / 1000) > expires) return false;
    if (!/^[0-9a-f]{64}$/i.test(signature)) return false;
    return timingSafeEqual(Buffer.from(signature, "hex"), Buffer.from(sign(key, expires, fileName), "hex"));
  }

  return { put, get, head, delete: remove, list, removeUnfinished, downloadUrl, verify };
}

async function readMeta(path: string): Promise<Meta | null> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as Meta;
  } catch {
    return null;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR";
}

function assertSafeKey(key: string, operation: StorageOperation) {
  const unsafe =
    key.length === 0 ||
    isAbsolute(key) ||
    key.includes("\\") ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
    /[\u0000-\u001f\u007f]/.test(key) ||
    key.split("/").some((segment) => segment === "" || segment === "." || segment === "..");
  if (unsafe) throw invalidKey(key, operation);
}

function invalidKey(key: string, operation: StorageOperation) {
  return new StorageError(`invalid storage key ${JSON.stringify(key)}`, { retryable: false, operation, key });
}
