import { Readable } from "node:stream";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { attachmentDisposition } from "./content-disposition";
import { fromS3Error, StorageError } from "./errors";
import type { ListedObject, PutOptions, Storage } from "./storage";

export interface S3StorageConfig {
  bucket: string;
  /** Any S3-compatible endpoint (MinIO, R2, s3rver); leave unset for AWS. */
  endpoint?: string;
  region?: string;
  /** Defaults to true when `endpoint` is set: S3-compatible servers rarely do virtual-host buckets. */
  forcePathStyle?: boolean;
  /** Without both, the SDK's default chain (env, profile, instance role) applies. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /**
   * `when_supported` adds CRC checksums to every request; a stream body then goes `aws-chunked`,
   * which some S3-compatible servers (s3rver) store verbatim. Defaults to `when_required` with an `endpoint`.
   */
  checksums?: "when_required" | "when_supported";
}

export type S3Driver = Storage & { ensureBucket(): Promise<void>; client: S3Client };

/**
 * The S3 driver itself, loaded on first use by `createS3Storage` (./s3.ts): the AWS SDK is ~1.5 MB of code that
 * takes ~130 ms and ~40 MB to load, which a process that has not touched storage yet need not pay.
 */
export function createS3Driver(config: S3StorageConfig): S3Driver {
  const { bucket } = config;
  const checksums = config.checksums ?? (config.endpoint ? "when_required" : "when_supported");
  const mode = checksums === "when_required" ? "WHEN_REQUIRED" : "WHEN_SUPPORTED";
  const clientConfig: S3ClientConfig = {
    requestChecksumCalculation: mode,
    responseChecksumValidation: mode,
    forcePathStyle: config.forcePathStyle ?? config.endpoint !== undefined,
  };
  if (config.endpoint) clientConfig.endpoint = config.endpoint;
  // An S3-compatible server ignores the region, but the SDK refuses to sign without one.
  const region = config.region ?? (config.endpoint ? "us-east-1" : undefined);
  if (region) clientConfig.region = region;
  if (config.accessKeyId && config.secretAccessKey) {
    clientConfig.credentials = { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey };
  }
  const client = new S3Client(clientConfig);

  async function put(key: string, body: Buffer | Uint8Array | NodeJS.ReadableStream, options: PutOptions) {
    const { signal } = options;
    signal?.throwIfAborted();
    const source = body instanceof Uint8Array || body instanceof Readable ? body : Readable.from(body);
    // A failing body (the renderer) is not a storage failure: rethrow its own error, unclassified.
    let bodyError: unknown;
    if (source instanceof Readable) source.on("error", (e) => (bodyError ??= e));
    const abortController = new AbortController();
    const onAbort = () => abortController.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const upload = new Upload({
        client,
        abortController,
        params: {
          Bucket: bucket,
          Key: key,
          Body: source,
          ContentType: options.contentType,
          ...(options.contentDisposition ? { ContentDisposition: options.contentDisposition } : {}),
        },
      });
      await upload.done();
    } catch (error) {
      if (bodyError !== undefined) throw bodyError;
      if (signal?.aborted) throw signal.reason;
      throw fromS3Error(error, "put", key);
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  async function get(key: string): Promise<Readable | null> {
    try {
      const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!(result.Body instanceof Readable)) {
        throw new StorageError(`S3 get for ${key} returned no Node.js stream`, {
          retryable: false,
          operation: "get",
          key,
        });
      }
      return result.Body;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw fromS3Error(error, "get", key);
    }
  }

  async function head(key: string) {
    try {
      const result = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { size: result.ContentLength ?? 0, contentType: result.ContentType ?? "application/octet-stream" };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw fromS3Error(error, "head", key);
    }
  }

  async function remove(key: string) {
    try {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (isNotFound(error)) return;
      throw fromS3Error(error, "delete", key);
    }
  }

  async function* list(prefix: string, options: { startAfter?: string } = {}): AsyncIterable<ListedObject> {
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ...(token ? { ContinuationToken: token } : options.startAfter ? { StartAfter: options.startAfter } : {}),
          }),
        );
      } catch (error) {
        throw fromS3Error(error, "list", prefix);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key && object.LastModified) yield { key: object.Key, lastModified: object.LastModified };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  // the bucket's AbortIncompleteMultipartUpload lifecycle rule removes what a killed multipart upload left
  const removeUnfinished = async () => 0;

  async function downloadUrl(key: string, options: { expiresInSeconds: number; fileName: string }) {
    try {
      const command = new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ResponseContentDisposition: attachmentDisposition(options.fileName),
      });
      return await getSignedUrl(client, command, { expiresIn: options.expiresInSeconds });
    } catch (error) {
      throw fromS3Error(error, "downloadUrl", key);
    }
  }

  async function ensureBucket() {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
      return;
    } catch (error) {
      if (!isNotFound(error)) throw fromS3Error(error, "ensureBucket");
    }
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
      const name = (error as { name?: string } | null)?.name;
      // Another process created it between our HEAD and CREATE.
      if (name === "BucketAlreadyOwnedByYou" || name === "BucketAlreadyExists") return;
      throw fromS3Error(error, "ensureBucket");
    }
  }

  return { put, get, head, delete: remove, list, removeUnfinished, downloadUrl, ensureBucket, client };
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  // A missing bucket is a configuration error, not a missing object.
  if (e?.name === "NoSuchBucket") return false;
  return e?.name === "NoSuchKey" || e?.name === "NotFound" || e?.$metadata?.httpStatusCode === 404;
}
