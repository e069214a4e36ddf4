// compose's one-shot `storage-init` (dist/storage-init.mjs in the image): creates the bucket with the app's own
// storage code, so no MinIO client image is needed.
import { s3ConfigFromEnv } from "@reports/contracts";
import { createS3Storage } from "@reports/storage";
import { readStorageInitEnv } from "../src/env";

const env = readStorageInitEnv();
await createS3Storage(s3ConfigFromEnv(env as Parameters<typeof s3ConfigFromEnv>[0])).ensureBucket();
console.log(JSON.stringify({ msg: "bucket ready", bucket: env.S3_BUCKET }));
