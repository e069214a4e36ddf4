import type { Readable } from "node:stream";

export interface PutOptions {
  contentType: string;
  contentDisposition?: string;
  /** Stops a long upload; the partial object is discarded. */
  signal?: AbortSignal;
}

export interface DownloadUrlOptions {
  expiresInSeconds: number;
  /** The name the browser saves the file as (sent as `Content-Disposition: attachment`). */
  fileName: string;
}

/** An object as a listing shows it. */
export interface ListedObject {
  key: string;
  /** When it was written (S3: when its upload began). */
  lastModified: Date;
}

/** Where report files (and large report inputs) live: S3 in production, a directory in the embedded mode. */
export interface Storage {
  /** Streams `body` to `key`, replacing what was there: keys are deterministic, so a retry overwrites. */
  put(key: string, body: Buffer | Uint8Array | NodeJS.ReadableStream, options: PutOptions): Promise<void>;
  /** The object's bytes, or `null` when there is no such key. */
  get(key: string): Promise<Readable | null>;
  head(key: string): Promise<{ size: number; contentType: string } | null>;
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * The objects whose key starts with `prefix`, in key order, after `startAfter` when given. Only whole objects:
   * an upload still in progress is not listed.
   */
  list(prefix: string, options?: { startAfter?: string }): AsyncIterable<ListedObject>;
  /**
   * Removes what uploads begun before `before` and never finished left behind (a process killed mid-upload);
   * how many. The local driver's temporary files; on S3 none (the bucket's lifecycle rule aborts incomplete
   * multipart uploads).
   */
  removeUnfinished(before: Date): Promise<number>;
  /** A link that expires; `fileName` sets the download name (Content-Disposition attachment, RFC 6266 with filename* UTF-8). */
  downloadUrl(key: string, options: DownloadUrlOptions): Promise<string>;
}
