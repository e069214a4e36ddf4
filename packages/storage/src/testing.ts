/// <reference path="./s3rver.d.ts" />
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import type { ProvidedContext } from "vitest";
import { createS3Storage, type S3Storage } from "./s3";

/** How to reach an S3 server: what the root vitest globalSetup provides as `inject("s3")`. */
export type S3Connection = ProvidedContext["s3"];

export interface TestS3Server extends S3Connection {
  close(): Promise<void>;
}

/** s3rver's built-in credentials: it checks signatures, so clients must sign with these. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

/** The environment a process needs to use `bucket` on this S3 server (`s3ConfigFromEnv` reads it). */
export function s3Env(s3: S3Connection, bucket: string): Record<string, string> {
  return {
    S3_BUCKET: bucket,
    S3_ENDPOINT: s3.endpoint,
    AWS_REGION: s3.region,
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  };
}

/**
 * Starts s3rver in-process on 127.0.0.1, silent, on a free port unless `port` is given,
 * storing into a temp directory (removed on close) unless `directory` is given.
 *
 * @example
 * const s3 = await startS3Server();
 * const { storage } = await createTestBucket(s3);
 * await s3.close();
 */
export async function startS3Server(options: { port?: number; directory?: string } = {}): Promise<TestS3Server> {
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), "reports-s3rver-")));
  const server = new S3rver({ address: "127.0.0.1", port: options.port ?? 0, silent: true, directory });
  try {
    const { port } = await server.run();
    return {
      endpoint: `http://127.0.0.1:${port}`,
      region: "us-east-1",
      ...S3RVER_CREDENTIALS,
      async close() {
        await server.close();
        if (options.directory === undefined) await rm(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (options.directory === undefined) await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

export interface TestBucket {
  bucket: string;
  storage: S3Storage;
  /** The keys under `prefix` (the first thousand). */
  keys(prefix?: string): Promise<string[]>;
  /** Deletes every object and the bucket. */
  drop(): Promise<void>;
}

/**
 * A fresh, uniquely named bucket for one test file.
 *
 * @example
 * const { storage, drop } = await createTestBucket(inject("s3"));
 */
export async function createTestBucket(s3: S3Connection): Promise<TestBucket> {
  const bucket = `test-${randomBytes(6).toString("hex")}`;
  const storage = createS3Storage({ bucket, ...s3, forcePathStyle: true });
  await storage.ensureBucket();
  return {
    bucket,
    storage,
    async keys(prefix = "") {
      const page = await (await storage.client()).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
    },
    async drop() {
      for (;;) {
        const page = await (await storage.client()).send(new ListObjectsV2Command({ Bucket: bucket }));
        const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
        if (keys.length === 0) break;
        await (await storage.client()).send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
      }
      await (await storage.client()).send(new DeleteBucketCommand({ Bucket: bucket }));
    },
  };
}

// The root vitest globalSetup starts one s3rver and provides it as `inject("s3")`; the same
// declaration lives there, this copy types it for the packages whose tests import this module.
declare module "vitest" {
  export interface ProvidedContext {
    s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  }
}
