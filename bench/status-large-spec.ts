/**
 * What a status read on a cache miss costs when the stored spec is large: the read `GET /status` makes on a miss
 * (`findStatus`, the status columns only) against the whole row (`findById`, what it read before), for a request
 * with a small spec and one with a large spec, on PostgreSQL.
 *
 *   pnpm bench:status-large-spec [rows-of-the-large-spec] [reads]     (defaults: 100000 300)
 *
 * Prints one JSON line per case (mean and p95 in ms). Timings on a shared machine are noisy: compare the cases
 * of one run, not runs.
 */
import { performance } from "node:perf_hooks";
import { sampleSpec } from "@reports/contracts/testing";
import { createReportRepository, toCachedStatus } from "@reports/db";
import { createTestDatabase } from "@reports/db/testing";

const largeRows = Number(process.argv[2] ?? 100_000);
const reads = Number(process.argv[3] ?? 300);

const database = await createTestDatabase();
try {
  const repo = createReportRepository(database.db);
  const small = await repo.create(sampleSpec({ rows: 5 }));
  const largeSpec = sampleSpec({ rows: largeRows });
  const large = await repo.create(largeSpec);
  const specBytes = JSON.stringify(largeSpec).length;

  async function time(name: string, read: () => Promise<unknown>) {
    for (let i = 0; i < 5; i++) await read();
    const ms: number[] = [];
    for (let i = 0; i < reads; i++) {
      const started = performance.now();
      await read();
      ms.push(performance.now() - started);
    }
    ms.sort((a, b) => a - b);
    const mean = ms.reduce((n, m) => n + m, 0) / ms.length;
    const p95 = ms[Math.floor(ms.length * 0.95)] ?? 0;
    console.log(JSON.stringify({ case: name, reads, meanMs: +mean.toFixed(3), p95Ms: +p95.toFixed(3) }));
  }

  console.log(JSON.stringify({ largeSpecRows: largeRows, largeSpecBytes: specBytes }));
  const statusOf = async (id: string) => {
    const row = await repo.findStatus(id);
    return row && toCachedStatus(row);
  };
  const wholeRowOf = async (id: string) => {
    const row = await repo.findById(id);
    return row && toCachedStatus(row);
  };
  await time("status columns, small spec", () => statusOf(small.requestId));
  await time("status columns, large spec", () => statusOf(large.requestId));
  await time("whole row (before), small spec", () => wholeRowOf(small.requestId));
  await time("whole row (before), large spec", () => wholeRowOf(large.requestId));
} finally {
  await database.drop();
}
