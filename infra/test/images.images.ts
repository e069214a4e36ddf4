import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { sampleSpec } from "@reports/contracts/testing";
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from "@reports/queue/testing";
import { createS3Storage } from "@reports/storage";
import { createTestBucket, type TestBucket } from "@reports/storage/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { download, pdfText, xlsxRows } from "../../test/support/files";
import { freePort } from "../../test/support/processes";
import { buildImage, composeCommand, docker, envArgs, imageBytes, RUN_AS_KUBERNETES } from "./support/docker";

const BASE_IMAGE = "node:22-bookworm-slim";
const APP_LAYER_MAX_BYTES = 60 * 1024 * 1024;
const run = randomBytes(4).toString("hex");
const images = { bff: `reports-bff:test-${run}`, worker: `reports-worker:test-${run}` };

describe("the images, built from infra/docker and run as Kubernetes runs them", () => {
  const database = `reports_images_${run}`;
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/${database}`;
  const prefix = uniquePrefix("images");
  const containers: string[] = [];
  let bucket: TestBucket;
  let env: Record<string, string>;

  /** A one-shot command in an image, read-only and non-root; returns its standard output. */
  const once = (image: string, command: string[], extraEnv: Record<string, string> = {}) =>
    docker(["run", "--rm", ...RUN_AS_KUBERNETES, ...envArgs({ ...env, ...extraEnv }), image, ...command]);

  const start = (name: string, image: string, extraEnv: Record<string, string>) => {
    const container = `${name}-${run}`;
    // the image's own HEALTHCHECK command, probed every second instead of every 15 s
    docker([
      "run",
      "-d",
      "--name",
      container,
      "--health-interval",
      "1s",
      ...RUN_AS_KUBERNETES,
      ...envArgs({ ...env, ...extraEnv }),
      image,
    ]);
    containers.push(container);
    return container;
  };

  /** A GET that tries again once on a socket the server closed meanwhile (keep-alive race), never on a status. */
  const get = (url: string, init?: RequestInit) => fetch(url, init).catch(() => fetch(url, init));

  const healthOf = (container: string) => docker(["inspect", "-f", "{{.State.Health.Status}}", container]).trim();
  const logsOf = (container: string) =>
    execFileSync("/usr/bin/docker", ["logs", container], { encoding: "utf8", stdio: "pipe" });

  beforeAll(async () => {
    buildImage("bff", images.bff);
    buildImage("worker", images.worker);
    execFileSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-c", `CREATE DATABASE ${database}`]);
    bucket = await createTestBucket(inject("s3"));
    const s3 = inject("s3");
    env = {
      DATABASE_URL: databaseUrl,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
      QUEUE_PREFIX: prefix,
      REDIS_URL: "redis://127.0.0.1:6379",
      S3_BUCKET: bucket.bucket,
      S3_ENDPOINT: s3.endpoint,
      AWS_REGION: s3.region,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      AUTH_MODE: "apikey",
      RENDER_THREADS: "1",
    };
  }, 1_200_000);

  afterAll(async () => {
    for (const container of containers) docker(["rm", "-f", container]);
    for (const image of Object.values(images)) docker(["image", "rm", image]);
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
  });

  it.each(["bff", "worker"] as const)("keeps the %s image's app layer to the built output (≤ 60 MB)", (app) => {
    const appBytes = imageBytes(images[app]) - imageBytes(BASE_IMAGE);
    console.log(`${app}: ${(appBytes / 1024 / 1024).toFixed(1)} MB over ${BASE_IMAGE}`);
    expect(appBytes).toBeLessThanOrEqual(APP_LAYER_MAX_BYTES);
    const files = once(images[app], ["ls", "-A", "/app", "/app/node_modules"]);
    expect(files).toContain("main.mjs");
    for (const absent of ["tsx", "esbuild", "typescript", "@esbuild"]) expect(files.split(/\s+/)).not.toContain(absent);
  });

  it("migrates a new database and creates a bucket with compose's one-shot commands, from the BFF image", async () => {
    const migrated = once(images.bff, composeCommand("migrate"));
    expect(JSON.parse(migrated.trim().split("\n").at(-1) ?? "")).toMatchObject({
      msg: "migrations applied",
      driver: "postgres",
    });
    const name = `images-init-${run}`;
    const created = once(images.bff, composeCommand("storage-init"), { S3_BUCKET: name });
    expect(JSON.parse(created.trim())).toEqual({ msg: "bucket ready", bucket: name });
    const storage = createS3Storage({ bucket: name, ...inject("s3") });
    await storage.put("probe.txt", Buffer.from("ok"), { contentType: "text/plain" });
    await storage.delete("probe.txt");
  });

  it("serves an XLSX and a PDF end to end from a BFF and a worker container, both healthy", async () => {
    const { key } = JSON.parse(once(images.bff, ["node", "keys-cli.mjs", "create", "--owner", "images-test"]));
    const auth = { authorization: `Bearer ${key}` };
    const [port, healthPort] = [await freePort(), await freePort()];
    const bff = start("reports-bff", images.bff, { PORT: String(port), HOST: "127.0.0.1" });
    const worker = start("reports-worker", images.worker, {
      WORKER_HEALTH_PORT: String(healthPort),
      WORKER_HEALTH_HOST: "127.0.0.1",
    });
    for (const container of [bff, worker]) {
      for (let i = 0; i < 120 && healthOf(container) !== "healthy"; i++) await sleep(500);
      expect(healthOf(container), logsOf(container)).toBe("healthy");
    }

    const generate = async (format: "xlsx" | "pdf", title: string) => {
      const response = await fetch(`http://127.0.0.1:${port}/generate`, {
        method: "POST",
        headers: { "content-type": "application/json", ...auth },
        body: JSON.stringify(sampleSpec({ format, rows: 500, title })),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { requestId: string }).requestId;
    };
    const finished = async (requestId: string) => {
      let status: { status: string; url?: string } = { status: "queued" };
      for (let i = 0; i < 240 && (status.status === "queued" || status.status === "processing"); i++) {
        await sleep(250);
        status = await (await get(`http://127.0.0.1:${port}/status/${requestId}`, { headers: auth })).json();
      }
      expect(status.status, logsOf(worker)).toBe("done");
      return (await download(status.url ?? "")).bytes;
    };
    const [xlsx, pdf] = await Promise.all([
      generate("xlsx", "Образ XLSX").then(finished),
      generate("pdf", "Отчёт из образа").then(finished),
    ]);
    expect(xlsxRows(xlsx, "Orders")).toHaveLength(500);
    const { text, pages } = await pdfText(pdf);
    expect(text).toContain("Отчёт из образа");
    expect(pages).toBeGreaterThan(5);

    // files the built output reads at run time: the dashboard and the API docs' assets
    for (const path of ["/admin/", "/docs/swagger-ui-bundle.js"]) {
      expect((await get(`http://127.0.0.1:${port}${path}`)).status, path).toBe(200);
    }
    expect(await (await get(`http://127.0.0.1:${healthPort}/metrics`)).text()).toContain("reports_jobs_total");
  });
});
