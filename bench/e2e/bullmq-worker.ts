/**
 * The baseline of the end-to-end bench: a minimal BullMQ worker doing what ours does for a report (render the
 * spec in a worker thread with @reports/renderers, upload the file to S3), without the database, leases,
 * status cache or retries policy of ours.
 *
 *   QUEUE=… REDIS_URL=… S3_* … node --import tsx bench/e2e/bullmq-worker.ts
 */
import { reportSpec } from "@reports/contracts";
import { createRenderPool } from "@reports/renderers";
import { createS3Storage } from "@reports/storage";
import { Worker } from "bullmq";
import { z } from "zod";

const env = z
  .object({
    QUEUE: z.string(),
    REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
    CONCURRENCY: z.coerce.number().int().default(2),
    S3_BUCKET: z.string(),
    S3_ENDPOINT: z.string(),
    AWS_REGION: z.string().default("us-east-1"),
    AWS_ACCESS_KEY_ID: z.string(),
    AWS_SECRET_ACCESS_KEY: z.string(),
  })
  .parse(process.env);
const pool = createRenderPool({ maxThreads: 1, maxHeapMb: 256 });
const storage = createS3Storage({
  bucket: env.S3_BUCKET,
  endpoint: env.S3_ENDPOINT,
  region: env.AWS_REGION,
  accessKeyId: env.AWS_ACCESS_KEY_ID,
  secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
  forcePathStyle: true,
});
const url = new URL(env.REDIS_URL);
const worker = new Worker(
  env.QUEUE,
  async (job) => {
    const spec = reportSpec.parse(job.data);
    const file = await pool.render(spec);
    await storage.put(`bullmq/${job.id}.${file.extension}`, file.data, { contentType: file.contentType });
  },
  {
    connection: { host: url.hostname, port: Number(url.port || 6379) },
    concurrency: env.CONCURRENCY,
  },
);
worker.on("ready", () => console.log(JSON.stringify({ msg: "bullmq worker ready" })));
process.once("SIGTERM", async () => {
  await worker.close();
  await pool.close();
  process.exit(0);
});
