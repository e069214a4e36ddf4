import { readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { gzipSync } from "node:zlib";
import { sampleSpec } from "@reports/contracts/testing";
import { createApiKeyRepository } from "@reports/db";
import { reportRequests } from "@reports/db/schema";
import { createTestDatabase, TEST_SERVER_URL, type TestDatabase } from "@reports/db/testing";
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from "@reports/queue/testing";
import { createTestBucket, s3Env, type TestBucket } from "@reports/storage/testing";
import { count } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { deleteKeys } from "../../packages/cache/src/fixtures";
import { freePort, type RunningProcess, startProcess } from "../support/processes";

/**
 * The probe of issue 16 at the BFF's edges, each against a BFF process of its own on loopback (its CPU time and file
 * descriptors read from /proc): one 500-call tRPC batch, a gzip blank-line bomb, 1,000 status-stream attempts, a
 * bogus-key flood. Each prints its figure beside the probe's (the "before").
 */

interface Bff {
  url: string;
  process: RunningProcess;
  database: TestDatabase;
  key: string;
  /** CPU seconds the process has used (user + system). */
  cpuSeconds(): number;
  /** Its open file descriptors. */
  fds(): number;
  /** A sample of its Prometheus metrics (METRICS_PORT). */
  metric(name: string): Promise<number>;
  stop(): Promise<void>;
}

const started: Bff[] = [];
afterAll(async () => {
  await Promise.all(started.map((b) => b.stop()));
});

const TICKS_PER_SECOND = 100;

async function startBff(env: Record<string, string> = {}): Promise<Bff> {
  const [database, bucket]: [TestDatabase, TestBucket] = await Promise.all([
    createTestDatabase(),
    createTestBucket(inject("s3")),
  ]);
  const { key } = await createApiKeyRepository(database.db).create({ owner: "attacker" });
  const [port, metricsPort] = [await freePort(), await freePort()];
  const prefix = uniquePrefix("abuse");
  const child = startProcess("apps/bff/src/main.ts", {
    DATABASE_URL: database.url,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    QUEUE_PREFIX: prefix,
    REDIS_URL: "redis://127.0.0.1:6379",
    ...s3Env(inject("s3"), bucket.bucket),
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    AUTH_MODE: "apikey",
    LOG_REQUESTS: "false",
    ...env,
  });
  await child.waitForLog("bff listening", 120_000);
  const pid = child.child.pid as number;
  let stopped = false;
  const bff: Bff = {
    url: `http://127.0.0.1:${port}`,
    process: child,
    database,
    key,
    cpuSeconds() {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    },
    fds: () => readdirSync(`/proc/${pid}/fd`).length,
    async metric(name) {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return text
        .split("\n")
        .filter((line) => line.startsWith(name))
        .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await child.stop();
      await deleteTopology(prefix, TEST_RABBITMQ_URL).catch(() => {});
      await Promise.all([bucket.drop(), database.drop()]);
    },
  };
  started.push(bff);
  return bff;
}

const auth = (bff: Bff) => ({ authorization: `Bearer ${bff.key}` });

describe("the BFF's edges under abuse", () => {
  // one process for the batch, the bomb and the streams (the rate limit off: each defence is measured alone)
  let shared: Promise<Bff> | undefined;
  const attacked = () => {
    shared ??= startBff({ RATE_LIMIT_PER_MINUTE: "0" });
    return shared;
  };

  it("one 500-call tRPC batch of reports.generate creates no report", async () => {
    const bff = await attacked();
    const spec = sampleSpec({ rows: 1 });
    const calls = Array.from({ length: 500 }, () => "reports.generate").join(",");
    const body = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [String(i), spec]));
    const res = await fetch(`${bff.url}/trpc/${calls}?batch=1`, {
      method: "POST",
      headers: { ...auth(bff), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const [row] = await bff.database.db.select({ n: count() }).from(reportRequests);
    console.log(`batch bypass: reports created by one 500-call batch: ${row?.n} (HTTP ${res.status}; before: 500)`);
    expect(res.status).toBe(400);
    expect(row?.n).toBe(0);

    // the gzip blank-line bomb on the same process: ten gzip members of 100 MiB of "\n" each
    const member = gzipSync(Buffer.alloc(100 * 1024 * 1024, 0x0a), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 10 }, () => member));
    const cpuBefore = bff.cpuSeconds();
    const sent = performance.now();
    // node:http, not fetch: the BFF answers and closes while the rest of the body is still on its way
    const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${bff.url}/generate`, {
        method: "POST",
        headers: { ...auth(bff), "content-type": "application/x-ndjson", "content-encoding": "gzip" },
      });
      req.on("response", (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", (error) => setTimeout(() => reject(error), 1_000));
      req.end(bomb);
    });
    const answeredMs = performance.now() - sent;
    await sleep(1_000);
    const cpu = bff.cpuSeconds() - cpuBefore;
    const problem = JSON.parse(refused.body) as { code: string };
    console.log(
      `gzip blank-line bomb (${bomb.length} bytes, 1000 MiB inflated): ${cpu.toFixed(2)} CPU-s until a second ` +
        `after the answer, HTTP ${refused.status} ${problem.code} after ${Math.round(answeredMs)} ms (loaded ` +
        "machine) (before: 337 CPU-s, 408 after 306 s)",
    );
    expect(refused.status).toBe(413);
    expect(cpu).toBeLessThan(5);
  });

  it("1,000 status-stream attempts from one owner hold at most MAX_STREAMS_PER_OWNER streams", async () => {
    const bff = await attacked();
    const created = await fetch(`${bff.url}/generate`, {
      method: "POST",
      headers: { ...auth(bff), "content-type": "application/json" },
      body: JSON.stringify(sampleSpec({ rows: 1 })),
    });
    const { requestId } = (await created.json()) as { requestId: string };
    const fdsBefore = bff.fds();
    const readsBefore = await bff.metric("reports_status_reads_total");
    const gone = new AbortController();
    // held, not dropped: an unread answer that is garbage-collected closes its connection, and so its stream
    const held: Response[] = [];
    const answers = await Promise.all(
      Array.from({ length: 1_000 }, () =>
        fetch(`${bff.url}/status/${requestId}/events`, { headers: auth(bff), signal: gone.signal }).then(
          async (res) => {
            if (res.status === 200) held.push(res);
            else await res.arrayBuffer();
            return res.status;
          },
          () => 0,
        ),
      ),
    );
    const fdsPeak = bff.fds();
    const readsOpen = await bff.metric("reports_status_reads_total");
    const reads = readsOpen - readsBefore;
    // the refused exchanges' connections are idle keep-alive ones: closed within the keep-alive timeout (5 s)
    await sleep(6_000);
    const fdsOpen = bff.fds();
    // past one re-read interval (RECHECK_MS, 15 s, from the first stream's opening): the 20 streams re-read once
    await sleep(10_000);
    const rereads = (await bff.metric("reports_status_reads_total")) - readsOpen;
    const ok = answers.filter((s) => s === 200).length;
    const limited = answers.filter((s) => s === 429).length;
    console.log(
      `1,000 stream attempts: ${ok} × 200, ${limited} × 429; BFF fds ${fdsBefore} → ${fdsPeak} at the burst ` +
        `(idle keep-alive connections) → ${fdsOpen} with the streams open; ${reads} status reads to open them, ` +
        `${rereads} re-read(s) in the next 16 s (before: 550 × 200, fds 45 → 595 held, a read per stream every 15 s)`,
    );
    expect(held).toHaveLength(ok);
    gone.abort();
    expect(ok).toBe(20);
    expect(limited).toBe(980);
    expect(fdsOpen - fdsBefore).toBeLessThan(60);
    expect(rereads).toBeGreaterThanOrEqual(1);
    expect(rereads).toBeLessThanOrEqual(2);
  });

  it("2,000 requests with bogus keys cost the database a bounded number of transactions", async () => {
    const bff = await startBff();
    const name = new URL(bff.database.url).pathname.slice(1);
    const admin = postgres(TEST_SERVER_URL, { max: 1, onnotice: () => {} });
    const commits = async () => {
      await admin`SELECT pg_stat_clear_snapshot()`;
      const [row] = await admin<{ n: string }[]>`SELECT xact_commit AS n FROM pg_stat_database WHERE datname = ${name}`;
      return Number(row?.n ?? 0);
    };
    try {
      const before = await commits();
      const statuses: number[] = [];
      for (let batch = 0; batch < 40; batch++) {
        statuses.push(
          ...(await Promise.all(
            Array.from({ length: 50 }, (_, i) =>
              fetch(`${bff.url}/status/00000000-0000-4000-8000-000000000000`, {
                headers: { authorization: `Bearer rpt_bogus_${batch}_${i}` },
              }).then(async (res) => {
                await res.arrayBuffer();
                return res.status;
              }),
            ),
          )),
        );
      }
      // a backend's statistics reach pg_stat_database when it exits: stop the BFF, then read
      await bff.process.stop();
      await sleep(500);
      const transactions = (await commits()) - before;
      const unauthorized = statuses.filter((s) => s === 401).length;
      const limited = statuses.filter((s) => s === 429).length;
      console.log(
        `bogus-key flood: ${unauthorized} × 401, ${limited} × 429; ${transactions} PostgreSQL transactions in the ` +
          "BFF's database, start-up included (before: 2,000 × 401, 0 × 429, ~1,934 transactions)",
      );
      expect(limited).toBeGreaterThan(1_800);
      expect(transactions).toBeLessThan(200);
    } finally {
      await admin.end();
      // the flood leaves 127.0.0.1 over its failed-authentication limit for a minute, in the machine's Redis: a
      // run started within that minute would be refused from its first request
      await deleteKeys("reports:authfail");
    }
  });
});
