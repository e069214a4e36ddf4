/**
 * The front door of the BullMQ baseline: the tRPC mutation our SDK calls (`reports.generate`), served by the same
 * stack as the BFF (Hono, @hono/node-server, @hono/trpc-server), with none of the BFF's work behind it: no auth,
 * no validation, no database; the spec goes into the BullMQ queue as it came. The same client submits to both,
 * 50 at a time, so the end-to-end ratio measures our machinery, not HTTP.
 *
 *   QUEUE=… REDIS_URL=… PORT=… node --import tsx bench/e2e/bullmq-front.ts
 */
import { serve } from "@hono/node-server";
import { trpcServer } from "@hono/trpc-server";
import { initTRPC } from "@trpc/server";
import { Queue } from "bullmq";
import { Hono } from "hono";
import { z } from "zod";

const env = z.object({ QUEUE: z.string(), REDIS_URL: z.string(), PORT: z.coerce.number().int() }).parse(process.env);
const url = new URL(env.REDIS_URL);
const queue = new Queue(env.QUEUE, { connection: { host: url.hostname, port: Number(url.port || 6379) } });

const t = initTRPC.create();
const router = t.router({
  reports: t.router({
    generate: t.procedure
      .input((raw) => raw as { idempotencyKey?: string })
      .mutation(async ({ input: { idempotencyKey: _, ...spec } }) => {
        const job = await queue.add("report", spec, { removeOnComplete: false });
        return { requestId: job.id ?? "", status: "queued" as const, createdAt: new Date().toISOString() };
      }),
  }),
});

const app = new Hono();
app.use("/trpc/*", trpcServer({ router }));
serve({ fetch: app.fetch, port: env.PORT, hostname: "127.0.0.1" }, () =>
  console.log(JSON.stringify({ msg: "bullmq front listening" })),
);
process.once("SIGTERM", async () => {
  await queue.close();
  process.exit(0);
});
