/**
 * End to end: small reports (100 rows, XLSX) submitted through the SDK as fast as the API takes them, rendered by
 * worker processes, beside the same render in a minimal BullMQ pipeline on the same machine; and jobs/s by the
 * number of worker processes. Throughput and server-side latency come from the database's (or BullMQ's)
 * timestamps of every report; the latency the SDK sees is measured on a sample watched by push and by polling.
 */
import { randomUUID } from "node:crypto";
import type { ReportSpec } from "@reports/contracts";
import { sampleSpec } from "@reports/contracts/testing";
import { createApiKeyRepository, createDb } from "@reports/db";
import { reportRequests } from "@reports/db/schema";
import { createReportsClient } from "@reports/sdk";
import { s3Env } from "@reports/storage/testing";
import { Queue } from "bullmq";
import { ne, sql } from "drizzle-orm";
import { freePort, type RunningProcess, startProcess } from "../../test/support/processes";
import { cpuSecondsByRole, cpuSpent } from "../lib/cpu";
import { memoryVerdict } from "../lib/memory";
import { type Comparison, compare, jobsMeasure, type Measure, percentile, round } from "../lib/report";
import { memoryOf, REDIS_URL, startBenchSystem } from "../lib/system";

const ROWS = 100;

/** Runs `work` over `items`, `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index] as T, index);
      }
    }),
  );
}

interface OursRun {
  measure: Measure;
  sdk: { push: number[]; polling: number[] };
  workerRss: Array<{ startMb: number; endMb: number; peakMb: number }>;
  /** Each worker's RSS when a quarter, half, three quarters and all of the reports were done: a leak keeps growing. */
  rssByJobsDone: Array<{ done: number; rssMb: number[] }>;
  serverLatencies: number[];
  /** CPU seconds per role (BFF, workers, PostgreSQL, RabbitMQ, Redis…) over the run. */
  cpu: Record<string, number>;
}

/**
 * Samples each worker's RSS every second with the number of reports done, and keeps the first sample at or past
 * each quarter of `count`.
 */
function sampleRssByJobsDone(
  db: ReturnType<typeof createDb>,
  workers: ReadonlyArray<{ child: { pid?: number | undefined } }>,
  count: number,
) {
  const samples: Array<{ done: number; rssMb: number[] }> = [];
  let sampling: Promise<void> | undefined;
  const take = async () => {
    const [row] = await db.db
      .select({ done: sql<number>`count(*) filter (where ${reportRequests.status} = 'done')::int` })
      .from(reportRequests);
    const memory = await Promise.all(workers.map((w) => memoryOf(w.child.pid)));
    samples.push({ done: row?.done ?? 0, rssMb: memory.map((m) => m.rssMb) });
  };
  const timer = setInterval(() => {
    sampling ??= take().finally(() => {
      sampling = undefined;
    });
  }, 1_000);
  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      await take();
      return [0.25, 0.5, 0.75, 1].flatMap((quarter) => samples.find((s) => s.done >= quarter * count) ?? []);
    },
  };
}

/** Our system with `workers` worker processes: `count` reports submitted, all waited for. */
async function runOurs(count: number, workers: number, sample: number): Promise<OursRun> {
  const system = await startBenchSystem({ workers, env: { WORKER_CONCURRENCY: "2" } });
  const db = createDb(system.database.url, { maxConnections: 4 });
  try {
    const { key } = await createApiKeyRepository(db.db).create({ owner: "bench" });
    const reports = createReportsClient({ baseUrl: system.baseUrl, apiKey: key });
    const startRss = await Promise.all(system.workers.map((w) => memoryOf(w.child.pid)));
    const spec = sampleSpec({ rows: ROWS });
    const cpuBefore = cpuSecondsByRole();
    const watched: Array<Promise<void>> = [];
    const sdk = { push: [] as number[], polling: [] as number[] };
    const rss = sampleRssByJobsDone(db, system.workers, count);
    const started = performance.now();
    await pool(
      Array.from({ length: count }, (_, i) => i),
      50,
      async (i) => {
        const submitted = performance.now();
        const { requestId } = await reports.generate(spec);
        if (sample === 0 || i % Math.max(1, Math.floor(count / sample)) !== 0) return;
        const transport = watched.length % 2 === 0 ? "sse" : "polling";
        watched.push(
          reports
            .waitForStatus(requestId, { transport, timeoutMs: 600_000, intervalMs: 100, maxIntervalMs: 500 })
            .then(() => {
              (transport === "sse" ? sdk.push : sdk.polling).push(performance.now() - submitted);
            }),
        );
      },
    );
    // every report done: the database says so
    for (;;) {
      const [row] = await db.db
        .select({ open: sql<number>`count(*)::int` })
        .from(reportRequests)
        .where(ne(reportRequests.status, "done"));
      if (row?.open === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const rssByJobsDone = await rss.stop();
    await Promise.all(watched);
    const cpu = cpuSpent(cpuBefore, cpuSecondsByRole());
    const elapsedMs = performance.now() - started;
    const r = reportRequests;
    const rows = await db.db
      .select({ ms: sql<number>`extract(epoch from (${r.updatedAt} - ${r.createdAt})) * 1000` })
      .from(r);
    const [span] = await db.db
      .select({ ms: sql<number>`extract(epoch from (max(${r.updatedAt}) - min(${r.createdAt}))) * 1000` })
      .from(r);
    const serverLatencies = rows.map((r) => Number(r.ms));
    const endRss = await Promise.all(system.workers.map((w) => memoryOf(w.child.pid)));
    return {
      measure: jobsMeasure(count, Number(span?.ms ?? elapsedMs), serverLatencies),
      sdk,
      cpu,
      serverLatencies,
      rssByJobsDone,
      workerRss: startRss.map((s, i) => ({
        startMb: s.rssMb,
        endMb: endRss[i]?.rssMb ?? 0,
        peakMb: endRss[i]?.peakMb ?? 0,
      })),
    };
  } finally {
    await db.close();
    await system.stop();
  }
}

/**
 * The same reports through a minimal BullMQ pipeline with `workers` worker processes. `front`: `http`, submitted
 * by the same SDK client as ours through a bare HTTP front door (bullmq-front.ts); `direct`, added to the queue
 * in Redis by the bench itself (the figure published before the front door existed).
 */
async function runBullMq(
  count: number,
  workers: number,
  front: "http" | "direct",
): Promise<{ measure: Measure; latencies: number[]; cpu: Record<string, number> }> {
  // the same S3 server setup as ours: an s3rver and a bucket of its own
  const system = await startBenchSystem({ workers: 0 });
  await system.bff.stop();
  const name = `bench-${randomUUID()}`;
  const url = new URL(REDIS_URL);
  const queue = new Queue(name, { connection: { host: url.hostname, port: Number(url.port || 6379) } });
  const processes: RunningProcess[] = [];
  try {
    for (let i = 0; i < workers; i++) {
      const worker = startProcess("bench/e2e/bullmq-worker.ts", {
        QUEUE: name,
        REDIS_URL,
        CONCURRENCY: "2",
        ...s3Env(system.s3, system.bucket),
        NODE_ENV: "production",
      });
      processes.push(worker);
      await worker.waitForLog("bullmq worker ready", 60_000);
    }
    let submit = async (spec: ReportSpec) => {
      await queue.add("report", spec, { removeOnComplete: false });
    };
    if (front === "http") {
      const port = await freePort();
      const door = startProcess("bench/e2e/bullmq-front.ts", { QUEUE: name, REDIS_URL, PORT: String(port) });
      processes.push(door);
      await door.waitForLog("bullmq front listening", 60_000);
      const client = createReportsClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: "unused" });
      submit = async (spec) => {
        await client.generate(spec);
      };
    }
    const spec = sampleSpec({ rows: ROWS });
    const cpuBefore = cpuSecondsByRole();
    await pool(
      Array.from({ length: count }, (_, i) => i),
      50,
      () => submit(spec),
    );
    for (;;) {
      const counts = await queue.getJobCounts("completed", "failed");
      if ((counts.failed ?? 0) > 0) throw new Error(`${counts.failed} BullMQ jobs failed`);
      if ((counts.completed ?? 0) >= count) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const cpu = cpuSpent(cpuBefore, cpuSecondsByRole());
    const jobs = await queue.getCompleted(0, count);
    const latencies = jobs.map((j) => (j.finishedOn ?? 0) - j.timestamp);
    const first = Math.min(...jobs.map((j) => j.timestamp));
    const last = Math.max(...jobs.map((j) => j.finishedOn ?? 0));
    return {
      measure: jobsMeasure(count, last - first, latencies),
      latencies,
      cpu,
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await system.stop();
  }
}

export async function runEndToEnd(parts: ReadonlySet<string>, options: { smoke: boolean }) {
  const comparisons: Comparison[] = [];
  const details: Record<string, unknown> = {};
  if (parts.has("e2e")) {
    // E2E_REPORTS: a longer run, to see whether the workers' memory levels off
    const count = options.smoke ? 20 : Number(process.env.E2E_REPORTS ?? 2_000);
    // no status watchers, as the baseline has none (200 of them cost the BFF and the client ~3 CPU-s of 45)
    const ours = await runOurs(count, 2, 0);
    const bull = await runBullMq(count, 2, "http");
    const bullDirect = await runBullMq(count, 2, "direct");
    // the latency the SDK sees, under the same load: a second run, 200 of its reports watched
    const watchedRun = await runOurs(count, 2, options.smoke ? 10 : 200);
    const what = `${count} reports × ${ROWS} rows XLSX, 2 workers (latency: submit → done, server side)`;
    comparisons.push(
      compare(
        "e2e",
        what,
        ours.measure,
        { name: "minimal BullMQ pipeline, jobs through a bare HTTP front door by the same client", ...bull.measure },
        1.0,
      ),
      compare("e2e", `${what}; earlier baseline`, ours.measure, {
        name: "minimal BullMQ pipeline, jobs added straight to Redis",
        ...bullDirect.measure,
      }),
    );
    const sdkLatency = (values: number[]) => ({
      perSecond: 0,
      p50Ms: round(percentile(values, 50)),
      p95Ms: round(percentile(values, 95)),
      p99Ms: round(percentile(values, 99)),
      watched: values.length,
    });
    details.e2e = {
      sdkPush: sdkLatency(watchedRun.sdk.push),
      sdkPolling: sdkLatency(watchedRun.sdk.polling),
      watchedRun: {
        watched: watchedRun.sdk.push.length + watchedRun.sdk.polling.length,
        jobsPerSecond: watchedRun.measure.perSecond,
        cpuSeconds: watchedRun.cpu,
      },
      workerRss: ours.workerRss,
      rssByJobsDone: ours.rssByJobsDone,
      memoryVerdict: memoryVerdict(ours.rssByJobsDone),
      cpuSeconds: { reports: ours.cpu, bullmq: bull.cpu, bullmqDirect: bullDirect.cpu },
      latencyHistogram: { ours: ours.serverLatencies, bullmq: bull.latencies },
    };
  }
  if (parts.has("scaling")) {
    const count = options.smoke ? 10 : 600;
    const curve: Array<{ workers: number; jobsPerSecond: number }> = [];
    for (const workers of options.smoke ? [1, 2] : [1, 2, 4]) {
      const run = await runOurs(count, workers, 0);
      curve.push({ workers, jobsPerSecond: run.measure.perSecond });
      comparisons.push(compare("scaling", `${count} reports, ${workers} worker process(es)`, run.measure));
    }
    details.scaling = curve;
  }
  return { comparisons, details };
}
