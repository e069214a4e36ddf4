// compose's one-shot `storage-init` (dist/storage-init.mjs in the image): creates the bucket with the app's own
// storage code, so no MinIO client image is needed.
import { s3ConfigFromEnv, serviceEnv } from "@reports/contracts";
import { createS3Storage } from "@reports/storage";

const s3Settings = serviceEnv.pick({
  S3_BUCKET: true,
  S3_ENDPOINT: true,
  S3_FORCE_PATH_STYLE: true,
  S3_CHECKSUMS: true,
  AWS_REGION: true,
  AWS_ACCESS_KEY_ID: true,
  AWS_SECRET_ACCESS_KEY: true,
});
const env = s3Settings.parse(process.env);
await createS3Storage(s3ConfigFromEnv(env as Parameters<typeof s3ConfigFromEnv>[0])).ensureBucket();
console.log(JSON.stringify({ msg: "bucket ready", bucket: env.S3_BUCKET }));
