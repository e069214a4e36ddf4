import { resolve } from "node:path";
import { z } from "zod";

/** The development S3 server's settings (`pnpm dev:s3`). */
export const s3rverEnv = z.object({
  /** Port the development S3 server (s3rver) listens on, on 127.0.0.1. */
  S3_PORT: z.coerce
    .number({ error: "S3_PORT must be a port number" })
    .int({ error: "S3_PORT must be a port number" })
    .min(1, { error: "S3_PORT must be a port number" })
    .max(65_535, { error: "S3_PORT must be a port number" })
    .default(4569),
  /** The bucket it creates at start. */
  S3_BUCKET: z.string().min(1).default("reports"),
  /** Where it keeps the objects, relative to the directory the command was typed in. */
  S3_DATA_DIR: z.string().min(1).default(".data/s3"),
});

/** The development S3 server's settings; exits with one line when one is wrong. */
export function readS3rverEnv(env: NodeJS.ProcessEnv = process.env) {
  const parsed = s3rverEnv.safeParse(env);
  if (!parsed.success) {
    console.error(`s3rver: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    process.exit(1);
  }
  return {
    port: parsed.data.S3_PORT,
    bucket: parsed.data.S3_BUCKET,
    // pnpm runs package scripts in the package folder; INIT_CWD is where the user typed the command.
    directory: resolve(env.INIT_CWD ?? process.cwd(), parsed.data.S3_DATA_DIR),
  };
}
