import { Readable } from "node:stream";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { StorageError } from "./errors";
import { createS3Storage, type S3Storage } from "./s3";
import { createTestBucket, type TestBucket } from "./testing";

describe("S3 storage", () => {
  let bucket: TestBucket;
  let storage: S3Storage;

  beforeAll(async () => {
    bucket = await createTestBucket(inject("s3"));
    storage = bucket.storage;
  });
  afterAll(async () => {
    await bucket.drop();
  });

  it("signs a download link that serves the file under its UTF-8 name", async () => {
    const key = "reports/signed.pdf";
    await storage.put(key, Buffer.from("%PDF-1.7 fake"), { contentType: "application/pdf" });

    const url = await storage.downloadUrl(key, { expiresInSeconds: 60, fileName: "Sales — Łódź.pdf" });
    const response = await fetch(url);

    expect(response.status).toBe(200);
    expect(await response.text()).toBe("%PDF-1.7 fake");
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(response.headers.get("content-disposition")).toBe(
      "attachment; filename=\"Sales _ __d_.pdf\"; filename*=UTF-8''Sales%20%E2%80%94%20%C5%81%C3%B3d%C5%BA.pdf",
    );
  });

  it("refuses a download link once it has expired", async () => {
    const key = "reports/short-lived.xlsx";
    await storage.put(key, Buffer.from("xlsx"), { contentType: "application/octet-stream" });
    const url = await storage.downloadUrl(key, { expiresInSeconds: 1, fileName: "a.xlsx" });

    await new Promise((resolve) => setTimeout(resolve, 2_100));

    expect((await fetch(url)).status).toBe(403);
  });

  it("keeps a raw streaming PutObject on its client free of aws-chunked framing (checksums default to when_required with an endpoint)", async () => {
    const s3 = inject("s3");
    const defaults = createS3Storage({ bucket: bucket.bucket, ...s3 });
    const body = Buffer.alloc(256 * 1024, 9);

    await (await defaults.client()).send(
      new PutObjectCommand({
        Bucket: bucket.bucket,
        Key: "raw/stream.bin",
        Body: Readable.from([body]),
        ContentLength: body.length,
      }),
    );

    expect(await defaults.head("raw/stream.bin")).toMatchObject({ size: body.length });
  });

  it("creates its bucket once and accepts ensureBucket again", async () => {
    await expect(storage.ensureBucket()).resolves.toBeUndefined();
  });

  it("fails with a retryable StorageError when the endpoint is unreachable", async () => {
    const unreachable = createS3Storage({ ...inject("s3"), bucket: "any", endpoint: "http://127.0.0.1:1" });

    const error = await unreachable.put("k", Buffer.from("x"), { contentType: "text/plain" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ retryable: true, operation: "put", key: "k", statusCode: undefined });
    await expect(unreachable.get("k")).rejects.toMatchObject({ name: "StorageError", retryable: true });
  });

  it("fails with a non-retryable StorageError on a 4xx (a bucket that does not exist, an unknown access key)", async () => {
    const s3 = inject("s3");
    const noBucket = createS3Storage({ ...s3, bucket: "no-such-bucket-here" });
    // s3rver checks the access key id and expiry of SigV4 requests, not the signature itself.
    const wrongKey = createS3Storage({ ...s3, bucket: bucket.bucket, accessKeyId: "NOT-S3RVER" });

    await expect(noBucket.put("k", Buffer.from("x"), { contentType: "text/plain" })).rejects.toMatchObject({
      name: "StorageError",
      retryable: false,
      statusCode: 404,
    });
    await expect(noBucket.get("k")).rejects.toMatchObject({ retryable: false, statusCode: 404 });
    await expect(wrongKey.get("reports/signed.pdf")).rejects.toMatchObject({ retryable: false, statusCode: 403 });
  });
});
