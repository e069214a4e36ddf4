/**
 * A local S3 server for development: `pnpm dev:s3` at the repo root.
 *
 *   S3_PORT      port to listen on (default 4569)
 *   S3_BUCKET    bucket to create (default reports)
 *   S3_DATA_DIR  where objects are kept (default ./.data/s3 of the directory pnpm was started in)
 *
 * It prints the environment for the BFF and the worker, and runs until Ctrl-C (SIGINT) or SIGTERM.
 */
import S3rver from "s3rver";
import { readS3rverEnv } from "./env";
import { createS3Storage } from "./s3";
import { S3RVER_CREDENTIALS } from "./testing";

const { port, bucket, directory } = readS3rverEnv();

const server = new S3rver({ address: "127.0.0.1", port, silent: true, directory });
await server.run();
const endpoint = `http://127.0.0.1:${port}`;
await createS3Storage({ bucket, endpoint, ...S3RVER_CREDENTIALS }).ensureBucket();

console.log(`s3rver listening on ${endpoint}, bucket "${bucket}", data in ${directory}

Use these settings for the BFF and the worker:
  S3_ENDPOINT=${endpoint}
  S3_BUCKET=${bucket}
  S3_FORCE_PATH_STYLE=true
  AWS_REGION=us-east-1
  AWS_ACCESS_KEY_ID=${S3RVER_CREDENTIALS.accessKeyId}
  AWS_SECRET_ACCESS_KEY=${S3RVER_CREDENTIALS.secretAccessKey}
`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.log(`s3rver: ${signal}, stopping`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("s3rver: close failed", error);
        process.exit(1);
      },
    );
  });
}
