/**
 * `pnpm bench:startup [--runs N]`: how the apps start, from their TypeScript sources under tsx (as `pnpm dev`
 * runs them) and from the built output with plain node (as the images and the Lambda run them).
 * For each: time from spawn to the first 200 from /healthz, RSS after 3 s idle, then RSS later (the worker's after
 * 10 s, once its render threads have exited; the BFF's after a /readyz, which loads the S3 client); the Lambda
 * handler's import time in a fresh process. Medians of N runs (default 5) on the machine's PostgreSQL, RabbitMQ,
 * Redis and an s3rver.
 * The built output must exist (`pnpm build`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { delayLevels, retryPolicy } from "@reports/contracts";
import { createTestDatabase } from "@reports/db/testing";
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from "@reports/queue/testing";
import { createTestBucket, s3Env, startS3Server } from "@reports/storage/testing";
import { freePort, ROOT } from "../test/support/processes";
import { memoryOf, REDIS_URL } from "./lib/system";

const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const IDLE_MS = 3_000;
/** The worker's render threads (warmed at start) exit after RENDER_IDLE_SECONDS; its RSS is read again past that. */
const RENDER_IDLE_SECONDS = 5;
const RELEASED_MS = 10_000;

type Mode = "tsx" | "built";
const entry = (app: "bff" | "worker", mode: Mode) =>
  mode === "tsx"
    ? ["--import", "tsx", `apps/${app}/src/main.ts`]
    : ["--enable-source-maps", `apps/${app}/dist/main.mjs`];
// under tsx, what the Lambda's tsx entry did: register tsx, then import the handler's source
const lambdaImport = (mode: Mode) =>
  mode === "tsx"
    ? `(await import("tsx/esm/api")).register({ tsconfig: "apps/bff/tsconfig.json" }); await import("./apps/bff/src/lambda.ts");`
    : `await import("./apps/bff/dist/lambda.mjs");`;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function untilHealthy(url: string, child: ChildProcess, started: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return performance.now() - started;
    await sleep(5);
  }
}

/**
 * Starts an app; its time to a healthy answer, its RSS after IDLE_MS, then its RSS later: the worker's once its
 * render threads have exited, the BFF's after one `/readyz` (whose storage probe loads the S3 client, as a
 * Kubernetes readiness probe does within seconds of start).
 */
async function startOnce(app: "bff" | "worker", args: string[], env: Record<string, string>, healthUrl: string) {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: "ignore" });
  try {
    const healthyMs = await untilHealthy(healthUrl, child, started);
    await sleep(IDLE_MS);
    const { rssMb } = await memoryOf(child.pid);
    if (app === "worker") await sleep(RELEASED_MS - IDLE_MS);
    else {
      await fetch(healthUrl.replace("/healthz", "/readyz"));
      await sleep(IDLE_MS);
    }
    return { healthyMs, rssMb, laterMb: (await memoryOf(child.pid)).rssMb };
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(null)));
  }
}

async function lambdaImportMs(mode: Mode, env: Record<string, string>): Promise<number> {
  const script = `const t = performance.now(); ${lambdaImport(mode)} console.log(performance.now() - t); process.exit(0);`;
  const args = [...(mode === "built" ? ["--enable-source-maps"] : []), "--input-type=module", "-e", script];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => {
      out += c;
    });
    child.stderr.on("data", (c) => {
      err += c;
    });
    child.once("exit", (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(err))));
  });
}

const database = await createTestDatabase();
const s3 = await startS3Server();
const bucket = await createTestBucket(s3);
const prefix = uniquePrefix("startup");
try {
  const env: Record<string, string> = {
    NODE_ENV: "production",
    AUTH_MODE: "apikey",
    LOG_LEVEL: "warn",
    DATABASE_URL: database.url,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    QUEUE_PREFIX: prefix,
    REDIS_URL,
    ...s3Env(s3, bucket.bucket),
    RENDER_THREADS: "1",
    RENDER_IDLE_SECONDS: String(RENDER_IDLE_SECONDS),
  };
  const rows: string[] = [];
  const print = () => {
    console.log(
      `median of ${RUNS} runs\n\n| process | run as | spawn → /healthz 200 | RSS after ${IDLE_MS / 1000} s idle | RSS later: the worker at ${RELEASED_MS / 1000} s (its render threads exited, RENDER_IDLE_SECONDS=${RENDER_IDLE_SECONDS}); the BFF ${IDLE_MS / 1000} s after a /readyz (the S3 client loaded) |`,
    );
    console.log("|---|---|---:|---:|---:|");
    console.log(rows.join("\n"));
  };
  const modes: Mode[] = existsSync(`${ROOT}apps/bff/dist/main.mjs`) ? ["tsx", "built"] : ["tsx"];
  for (const mode of modes) {
    for (const app of ["bff", "worker"] as const) {
      const samples = [];
      for (let i = 0; i < RUNS; i++) {
        const port = await freePort();
        const portEnv: Record<string, string> = { [app === "bff" ? "PORT" : "WORKER_HEALTH_PORT"]: String(port) };
        const url = `http://127.0.0.1:${port}/healthz`;
        samples.push(await startOnce(app, entry(app, mode), { ...env, ...portEnv }, url));
      }
      const healthy = median(samples.map((s) => s.healthyMs));
      const rss = median(samples.map((s) => s.rssMb));
      const later = median(samples.map((s) => s.laterMb));
      rows.push(`| ${app} | ${mode} | ${Math.round(healthy)} ms | ${rss} MB | ${later} MB |`);
    }
    const imports = [];
    for (let i = 0; i < RUNS; i++) imports.push(await lambdaImportMs(mode, env));
    rows.push(`| lambda handler import | ${mode} | ${Math.round(median(imports))} ms | | |`);
  }
  print();
} finally {
  await deleteTopology(prefix, TEST_RABBITMQ_URL, delayLevels(retryPolicy.parse({}))).catch(() => {});
  await bucket.drop().catch(() => {});
  await s3.close();
  await database.drop();
}
