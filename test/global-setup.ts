import { startS3Server } from "@reports/storage/testing";
import type { TestProject } from "vitest/node";

/** One S3 server (s3rver) for the whole run; each test file makes its own bucket. */
export default async function setup(project: TestProject) {
  const s3 = await startS3Server();
  project.provide("s3", {
    endpoint: s3.endpoint,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  });
  return async () => {
    await s3.close();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  }
}
