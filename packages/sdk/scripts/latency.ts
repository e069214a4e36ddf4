/**
 * Measures the time from `done` in the database (the row's `updated_at`) to `onUpdate` in the SDK, for
 * pushed (SSE) and polled statuses: `pnpm --filter @reports/sdk exec tsx scripts/latency.ts [reports]`.
 * Runs a BFF, a worker and s3rver in this process on the local PostgreSQL, RabbitMQ and Redis; the SDK
 * talks to a second BFF replica, so every pushed status crosses Redis.
 */
import { sampleSpec } from "@reports/contracts/testing";
import { startS3Server } from "@reports/storage/testing";
import { createReportsClient, type WaitOptions } from "../src/index";
import { startSystem } from "../test/system";

const reports = Number(process.argv[2] ?? 200);
const batch = 10;
const s3 = await startS3Server();
const system = await startSystem(s3, { replicas: 2 });
const [a, b] = system.replicas;
if (!a || !b) throw new Error("two replicas expected");

async function measure(transport: WaitOptions["transport"]): Promise<number[]> {
  const producer = createReportsClient({ baseUrl: a?.url ?? "" });
  const watcher = createReportsClient({ baseUrl: b?.url ?? "" });
  const lags: number[] = [];
  failures.length = 0;
  for (let i = 0; i < reports; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, reports - i) }, async () => {
        const { requestId } = await producer.generate(sampleSpec({ rows: 3 }));
        let seenAt = 0;
        const outcome = await watcher
          .waitForStatus(requestId, {
            transport,
            onUpdate: (s) => {
              if (s.status === "done") seenAt = Date.now();
            },
          })
          .catch((error: unknown) => error);
        if (outcome instanceof Error) {
          failures.push(`${outcome.name}: ${outcome.message}`);
          return;
        }
        const row = await a?.deps.repo.findById(requestId);
        if (!row) throw new Error(`no row ${requestId}`);
        lags.push(seenAt - row.updatedAt.getTime());
      }),
    );
  }
  return lags.sort((x, y) => x - y);
}

const failures: string[] = [];
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
try {
  await measure("sse"); // warm up render threads and connections
  for (const transport of ["sse", "polling"] as const) {
    const lags = await measure(transport);
    console.log(
      `${transport}: ${lags.length} reports, done in db → onUpdate p50 ${pct(lags, 50)} ms, p95 ${pct(lags, 95)} ms, max ${lags.at(-1)} ms; failed: ${failures.length} ${[...new Set(failures)].join(", ")}`,
    );
  }
} finally {
  await system.close();
  await s3.close();
}
