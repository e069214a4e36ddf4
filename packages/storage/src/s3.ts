import type { S3Client } from "@aws-sdk/client-s3";
import type { S3Driver, S3StorageConfig } from "./s3-driver";
import type { ListedObject, Storage } from "./storage";

export type { S3StorageConfig } from "./s3-driver";

export type S3Storage = Storage & {
  /** Creates the bucket unless it exists (development and tests; production buckets come from infra). */
  ensureBucket(): Promise<void>;
  /** The SDK's client (loading the SDK if nothing has yet). */
  client(): Promise<S3Client>;
};

/**
 * The S3 driver: streaming multipart uploads, presigned download links. The AWS SDK is loaded on the first call,
 * not when the storage is made: a BFF that has served no download link yet, or a Lambda's cold start, does not
 * pay for it (`pnpm bench:startup`).
 *
 * @example
 * const storage = createS3Storage({ bucket: "reports", endpoint: "http://127.0.0.1:4569", accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });
 * await storage.put("reports/42.pdf", pdfStream, { contentType: "application/pdf" });
 * const url = await storage.downloadUrl("reports/42.pdf", { expiresInSeconds: 900, fileName: "Sales.pdf" });
 */
export function createS3Storage(config: S3StorageConfig): S3Storage {
  let loading: Promise<S3Driver> | undefined;
  const driver = () => {
    if (!loading) {
      loading = import("./s3-driver").then((m) => m.createS3Driver(config));
      // a failed load (a broken install) is tried again by the next call, not remembered
      loading.catch(() => {
        loading = undefined;
      });
    }
    return loading;
  };
  return {
    put: async (key, body, options) => (await driver()).put(key, body, options),
    get: async (key) => (await driver()).get(key),
    head: async (key) => (await driver()).head(key),
    delete: async (key) => (await driver()).delete(key),
    async *list(prefix, options): AsyncIterable<ListedObject> {
      yield* (await driver()).list(prefix, options);
    },
    removeUnfinished: async (before) => (await driver()).removeUnfinished(before),
    downloadUrl: async (key, options) => (await driver()).downloadUrl(key, options),
    ensureBucket: async () => (await driver()).ensureBucket(),
    client: async () => (await driver()).client,
  };
}
