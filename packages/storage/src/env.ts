import { resolve } from "node:path";

/** The development S3 server's settings (`pnpm dev:s3`); exits with one line when one is wrong. */
export function readS3rverEnv(env: NodeJS.ProcessEnv = process.env) {
  const port = Number(env.S3_PORT ?? 4569);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    console.error(`s3rver: S3_PORT must be a port number, got ${JSON.stringify(env.S3_PORT)}`);
    process.exit(1);
  }
  return {
    port,
    bucket: env.S3_BUCKET ?? "reports",
    // pnpm runs package scripts in the package folder; INIT_CWD is where the user typed the command.
    directory: resolve(env.INIT_CWD ?? process.cwd(), env.S3_DATA_DIR ?? ".data/s3"),
  };
}
