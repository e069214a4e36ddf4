/**
 * The API's hot paths beside bare baselines on the same machine, with autocannon at the same connections:
 * GET /status from Redis (vs the same JSON from memory in a bare Hono route), the same with the rate limit on,
 * GET /status from PostgreSQL (a BFF without Redis, vs a bare `SELECT` by primary key through postgres.js), the same
 * read in the embedded mode, and
 * POST /generate (vs a bare loop inserting the same row and publishing a confirmed message with our clients), without
 * and with an `Idempotency-Key` (a fresh one per request, as the SDK sends: the keyed path claims the key too).
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { delayLevels, retryPolicy } from "@reports/contracts";
import { sampleSpec } from "@reports/contracts/testing";
import { createApiKeyRepository, createDb, createReportRepository } from "@reports/db";
import { createRabbitQueue } from "@reports/queue";
import { TEST_RABBITMQ_URL } from "@reports/queue/testing";
import autocannon from "autocannon";
import { freePort, startProcess } from "../../test/support/processes";
import { cpuPerRequest } from "../lib/cpu";
import { type Comparison, compare, type Measure, round } from "../lib/report";
import { appEntry, memoryOf, startBenchSystem } from "../lib/system";

export interface ApiOptions {
  smoke: boolean;
  connections?: number;
}

async function load(
  url: string,
  options: {
    seconds: number;
    connections: number;
    headers?: Record<string, string>;
    method?: "GET" | "POST";
    body?: string;
    /** A fresh `Idempotency-Key` on every request. */
    keyed?: boolean;
  },
): Promise<Measure> {
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    method: options.method ?? "GET",
    headers: options.headers ?? {},
    ...(options.body ? { body: options.body } : {}),
    ...(options.keyed
      ? {
          requests: [
            {
              setupRequest: (request) => ({
                ...request,
                headers: { ...request.headers, "idempotency-key": randomUUID() },
              }),
            },
          ],
        }
      : {}),
  });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0)
    throw new Error(`${url}: ${bad} of ${result.requests.total} requests failed (non-2xx, errors or timeouts)`);
  return {
    perSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
  };
}

export async function runApi(parts: ReadonlySet<string>, options: ApiOptions): Promise<Comparison[]> {
  const seconds = options.smoke ? 2 : 10;
  const connections = options.connections ?? 50;
  const results: Comparison[] = [];
  const system = await startBenchSystem({ workers: 0 });
  const bareDb = createDb(system.database.url, { maxConnections: 10 });
  const { key } = await createApiKeyRepository(bareDb.db).create({ owner: "bench" });
  const auth = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const created = await fetch(`${system.baseUrl}/generate`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify(sampleSpec({ rows: 10 })),
    });
    if (created.status !== 201) throw new Error(`POST /generate: ${created.status} ${await created.text()}`);
    const { requestId } = (await created.json()) as { requestId: string };
    const statusUrl = `${system.baseUrl}/status/${requestId}`;
    const statusJson = await (await fetch(statusUrl, { headers: auth })).text();

    const barePort = await freePort();
    const bare = startProcess("bench/api/bare-server.ts", {
      DATABASE_URL: system.database.url,
      PORT: String(barePort),
      STATUS_JSON: statusJson,
    });
    stops.push(() => bare.stop());
    await bare.waitForLog("bare listening");
    const bareUrl = `http://127.0.0.1:${barePort}`;

    if (parts.has("status-hit")) {
      await load(statusUrl, { seconds: 1, connections, headers: auth }); // warm-up
      const ours = await cpuPerRequest(["BFF"], () => load(statusUrl, { seconds, connections, headers: auth }));
      const base = await cpuPerRequest(["bare server"], () =>
        load(`${bareUrl}/memory/${requestId}`, { seconds, connections }),
      );
      const memory = await memoryOf(system.bff.child.pid);
      results.push(
        compare(
          "status-hit",
          "GET /status, Redis warm",
          { ...ours, bffPeakRssMb: memory.peakMb },
          { name: "bare Hono, JSON from memory", ...base },
          0.6,
        ),
      );
    }

    if (parts.has("status-limited")) {
      // the same read with the per-owner rate limit on (the default is 600 a minute), set so high that nothing is
      // refused: what the limiter costs a read
      const port = await freePort();
      const bff = startProcess(appEntry("bff"), {
        ...system.env,
        PORT: String(port),
        RATE_LIMIT_PER_MINUTE: "1000000000",
      });
      stops.push(() => bff.stop());
      await bff.waitForLog("bff listening", 60_000);
      const url = `http://127.0.0.1:${port}/status/${requestId}`;
      await load(url, { seconds: 1, connections, headers: auth });
      const ours = await cpuPerRequest(["BFF"], () => load(url, { seconds, connections, headers: auth }));
      const base = await cpuPerRequest(["bare server"], () =>
        load(`${bareUrl}/memory/${requestId}`, { seconds, connections }),
      );
      results.push(
        compare("status-limited", "GET /status, Redis warm, rate limit on", ours, {
          name: "bare Hono, JSON from memory",
          ...base,
        }),
      );
    }

    if (parts.has("status-miss")) {
      // a BFF without Redis reads every status from PostgreSQL: the miss path, every time
      const port = await freePort();
      const { REDIS_URL: _redis, ...env } = system.env;
      const bff = startProcess(appEntry("bff"), { ...env, PORT: String(port) });
      stops.push(() => bff.stop());
      await bff.waitForLog("bff listening", 60_000);
      const url = `http://127.0.0.1:${port}/status/${requestId}`;
      await load(url, { seconds: 1, connections, headers: auth });
      const ours = await load(url, { seconds, connections, headers: auth });
      const base = await load(`${bareUrl}/select/${requestId}`, { seconds, connections });
      results.push(
        compare("status-miss", "GET /status, from PostgreSQL", ours, { name: "bare Hono + SELECT by key", ...base }),
      );
    }

    if (parts.has("status-embedded")) {
      const dir = await mkdtemp(join(tmpdir(), "reports-bench-embedded-"));
      const port = await freePort();
      const embedded = startProcess(appEntry("standalone"), {
        DATA_DIR: dir,
        PORT: String(port),
        LOG_REQUESTS: "false",
        RATE_LIMIT_PER_MINUTE: "0",
      });
      stops.push(async () => {
        await embedded.stop();
        await rm(dir, { recursive: true, force: true });
      });
      await embedded.waitForLog("listening", 60_000);
      const res = await fetch(`http://127.0.0.1:${port}/generate`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(sampleSpec({ rows: 10 })),
      });
      const { requestId: id } = (await res.json()) as { requestId: string };
      const url = `http://127.0.0.1:${port}/status/${id}`;
      await load(url, { seconds: 1, connections });
      const ours = await load(url, { seconds, connections });
      results.push(
        compare("status-embedded", "GET /status, embedded (PGlite, in-process cache)", ours, {
          name: "bare Hono, JSON from memory",
          ...(await load(`${bareUrl}/memory/${requestId}`, { seconds, connections })),
        }),
      );
    }

    for (const [part, keyed] of [
      ["generate", false],
      ["generate-keyed", true],
    ] as const) {
      if (!parts.has(part)) continue;
      const body = JSON.stringify(sampleSpec({ rows: 10 }));
      const url = `${system.baseUrl}/generate`;
      await load(url, { seconds: 1, connections, headers: auth, method: "POST", body, keyed }); // warm-up
      // the whole system's CPU but the load generator's (autocannon runs in the bench process)
      const ours = await cpuPerRequest(["BFF", "PostgreSQL", "RabbitMQ", "Redis"], () =>
        load(url, { seconds, connections, headers: auth, method: "POST", body, keyed }),
      );
      const base = await bareGenerate(system.database.url, system.env.QUEUE_PREFIX as string, seconds, connections);
      results.push(
        compare(
          part,
          keyed ? "POST /generate (10 rows), Idempotency-Key" : "POST /generate (10 rows)",
          ours,
          { name: "bare loop: insert + confirmed publish", ...base },
          keyed ? undefined : 0.8,
        ),
      );
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await bareDb.close();
    await system.stop();
  }
  return results;
}

/** The same row inserted and a confirmed message published, `connections` at a time, with our clients. */
async function bareGenerate(
  databaseUrl: string,
  prefix: string,
  seconds: number,
  connections: number,
): Promise<Measure> {
  const handle = createDb(databaseUrl, { maxConnections: 10 });
  const repo = createReportRepository(handle.db);
  const queue = await createRabbitQueue({
    url: TEST_RABBITMQ_URL,
    prefix,
    retryDelaysMs: delayLevels(retryPolicy.parse({})),
  });
  const spec = sampleSpec({ rows: 10 });
  const latencies: number[] = [];
  const loop = async () => {
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < until) {
          const started = performance.now();
          const row = await repo.create(spec, { owner: "bench" });
          await queue.publish({ requestId: row.requestId, attempt: 1 });
          latencies.push(performance.now() - started);
        }
      }),
    );
    return { requests: latencies.length };
  };
  try {
    // the pool's connections open before the CPU is counted (a backend that exits is not counted)
    await Promise.all(Array.from({ length: 10 }, () => repo.create(spec, { owner: "bench" })));
    // the loop runs in the bench process: there, the bench's CPU is the baseline's own
    const { cpuUsPerRequest, cpuUsByRole } = await cpuPerRequest(
      ["bench client + s3rver", "PostgreSQL", "RabbitMQ"],
      loop,
    );
    latencies.sort((a, b) => a - b);
    return {
      perSecond: Math.round(latencies.length / seconds),
      p50Ms: round(latencies[Math.floor(latencies.length / 2)]),
      p99Ms: round(latencies[Math.floor(latencies.length * 0.99)]),
      requests: latencies.length,
      ...(cpuUsPerRequest === undefined ? {} : { cpuUsPerRequest }),
      ...(cpuUsByRole === undefined ? {} : { cpuUsByRole }),
    };
  } finally {
    await queue.close();
    await handle.close();
  }
}
