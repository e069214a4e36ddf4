import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sampleSpec } from "@reports/contracts/testing";
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from "@reports/queue/testing";
import { createS3Storage } from "@reports/storage";
import { createTestBucket, type TestBucket } from "@reports/storage/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { download, pdfText } from "../../test/support/files";
import { freePort } from "../../test/support/processes";
import { buildImageTree } from "../lib/production-tree";
import { runComposeCommand, runHealthcheck } from "./support/tree-commands";
import { startInTree, type TreeProcess, waitForOk } from "./support/tree-process";

const apps = ["bff", "worker"] as const;

describe("the Dockerfiles' build steps, run on a turbo prune output in a temp directory", () => {
  const dir = mkdtempSync(join(tmpdir(), "reports-image-"));
  const trees = {} as Record<(typeof apps)[number], string>;
  const database = `reports_image_${randomBytes(6).toString("hex")}`;
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/${database}`;
  const prefix = uniquePrefix("image");
  const running: TreeProcess[] = [];
  let bucket: TestBucket;

  beforeAll(async () => {
    for (const app of apps) trees[app] = buildImageTree(app, join(dir, app));
    execFileSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-c", `CREATE DATABASE ${database}`]);
    bucket = await createTestBucket(inject("s3"));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await deleteTopology(prefix).catch(() => {});
    await bucket?.drop();
    execFileSync("psql", [
      "-h",
      "127.0.0.1",
      "-U",
      "postgres",
      "-c",
      `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`,
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(apps)("leaves %s only production dependencies, with tsx", (app) => {
    const store = readdirSync(join(trees[app], "node_modules/.pnpm"));
    for (const dev of ["vitest@", "@biomejs+biome@", "turbo@", "aws-cdk-lib@", "drizzle-kit@", "s3rver@"]) {
      expect(store.filter((p) => p.startsWith(dev))).toEqual([]);
    }
    expect(existsSync(join(trees[app], `apps/${app}/node_modules/tsx/package.json`))).toBe(true);
  });

  it("puts the PDF fonts into the worker's tree", () => {
    const fonts = join(trees.worker, "packages/renderers/node_modules/dejavu-fonts-ttf/ttf");
    expect(readdirSync(fonts)).toEqual(expect.arrayContaining(["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"]));
  });

  it("migrates a new database with compose's migrate command, in the BFF tree", () => {
    const applied = runComposeCommand("migrate", trees.bff, { DATABASE_URL: databaseUrl });
    expect(JSON.parse(applied)).toMatchObject({ msg: "migrations applied", driver: "postgres" });
  });

  it("creates the bucket with compose's storage-init command, in the BFF tree", async () => {
    const s3 = inject("s3");
    const name = `image-init-${randomBytes(4).toString("hex")}`;
    const env = {
      S3_BUCKET: name,
      S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    };
    expect(JSON.parse(runComposeCommand("storage-init", trees.bff, env))).toEqual({
      msg: "bucket ready",
      bucket: name,
    });
    const storage = createS3Storage({ bucket: name, ...s3 });
    await storage.put("probe.txt", Buffer.from("ok"), { contentType: "text/plain" });
    await storage.delete("probe.txt");
  });

  it("serves a PDF with Cyrillic text end to end from the BFF and worker trees", async () => {
    const created = execFileSync(
      process.execPath,
      ["--import", "tsx", "src/keys-cli.ts", "create", "--owner", "image-test"],
      {
        cwd: join(trees.bff, "apps/bff"),
        encoding: "utf8",
        env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl },
      },
    );
    const auth = { authorization: `Bearer ${JSON.parse(created).key}` };
    const s3 = inject("s3");
    const [port, healthPort] = [await freePort(), await freePort()];
    const env = {
      DATABASE_URL: databaseUrl,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
      QUEUE_PREFIX: prefix,
      // Without Redis each process caches statuses on its own, and the BFF never sees the worker's.
      REDIS_URL: "redis://127.0.0.1:6379",
      S3_BUCKET: bucket.bucket,
      S3_ENDPOINT: s3.endpoint,
      AWS_REGION: s3.region,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      HOST: "127.0.0.1",
      PORT: String(port),
      WORKER_HEALTH_HOST: "127.0.0.1",
      WORKER_HEALTH_PORT: String(healthPort),
      RENDER_THREADS: "1",
      AUTH_MODE: "apikey",
    };
    const bff = startInTree(join(trees.bff, "apps/bff"), "src/main.ts", env);
    const worker = startInTree(join(trees.worker, "apps/worker"), "src/main.ts", env);
    running.push(bff, worker);
    await Promise.all([
      waitForOk(`http://127.0.0.1:${port}/readyz`, bff),
      waitForOk(`http://127.0.0.1:${healthPort}/readyz`, worker),
    ]);
    expect(runHealthcheck("bff", trees.bff, { PORT: String(port) })).toBe(0);
    expect(runHealthcheck("worker", trees.worker, { WORKER_HEALTH_PORT: String(healthPort) })).toBe(0);

    const response = await fetch(`http://127.0.0.1:${port}/generate`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify(sampleSpec({ format: "pdf", rows: 20, title: "Отчёт из образа" })),
    });
    expect(response.status).toBe(201);
    const { requestId } = (await response.json()) as { requestId: string };

    let status: { status: string; url?: string } = { status: "queued" };
    for (let i = 0; i < 240 && (status.status === "queued" || status.status === "processing"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = await (await fetch(`http://127.0.0.1:${port}/status/${requestId}`, { headers: auth })).json();
    }
    expect(status.status, worker.output()).toBe("done");
    const { bytes } = await download(status.url ?? "");
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    expect((await pdfText(bytes)).text).toContain("Отчёт из образа");
    await fetch(`http://127.0.0.1:${healthPort}/metrics`).then(async (r) => {
      expect(await r.text()).toContain("reports_jobs_total");
    });
  }, 120_000);
});
