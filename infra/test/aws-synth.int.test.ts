import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sampleSpec } from "@reports/contracts/testing";
import { createApiKeyRepository } from "@reports/db";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from "@reports/queue/testing";
import { createTestBucket, type TestBucket } from "@reports/storage/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { httpApiGet, httpApiPostJson } from "./support/lambda-event";
import { INFRA } from "./support/paths";

interface Resource {
  Type: string;
  Metadata?: Record<string, string>;
}

describe("cdk synth, and the Lambda package it makes", () => {
  const outdir = mkdtempSync(join(tmpdir(), "reports-cdk-"));
  const prefix = uniquePrefix("lambda");
  let database: TestDatabase;
  let bucket: TestBucket;
  let asset: string;

  beforeAll(async () => {
    // The CDK CLI as a user runs it, offline: no credentials, no lookups, no notices.
    execFileSync("pnpm", ["exec", "cdk", "synth", "--no-notices", "--quiet", "--output", outdir], {
      cwd: join(INFRA, "aws"),
      stdio: "pipe",
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: "true" },
    });
    const template = JSON.parse(readFileSync(join(outdir, "Reports.template.json"), "utf8"));
    const fn = Object.values(template.Resources as Record<string, Resource>).find(
      (r) => r.Type === "AWS::Lambda::Function" && r.Metadata?.["aws:asset:path"],
    );
    asset = join(outdir, fn?.Metadata?.["aws:asset:path"] ?? "missing");
    [database, bucket] = await Promise.all([createTestDatabase(), createTestBucket(inject("s3"))]);
  }, 600_000);

  afterAll(async () => {
    await deleteTopology(prefix).catch(() => {});
    await Promise.all([bucket?.drop(), database?.drop()]);
    rmSync(outdir, { recursive: true, force: true });
  });

  it("writes the cloud assembly", () => {
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.artifacts)).toContain("Reports");
  });

  it("packages the built BFF: small, no links, no native binary (arm64 and x86_64 alike), no tsx", () => {
    const bytes = Number(execFileSync("du", ["-sbL", asset], { encoding: "utf8" }).split("\t")[0]);
    expect(existsSync(join(asset, "lambda.mjs"))).toBe(true);
    const files = readdirSync(asset, { recursive: true, withFileTypes: true });
    // the PDF fonts (CJK above all, ~60 MB) apart, the code and its libraries stay within the images' 60 MB
    const fontBytes = files
      .filter((f) => f.name.endsWith(".ttf"))
      .reduce((sum, f) => sum + statSync(join(f.parentPath, f.name)).size, 0);
    expect(bytes - fontBytes).toBeLessThan(60 * 1024 * 1024);
    expect(bytes).toBeLessThan(250 * 1024 * 1024);
    expect(files.filter((f) => f.isSymbolicLink()).map((f) => f.name)).toEqual([]);
    expect(files.filter((f) => f.name.endsWith(".node")).map((f) => f.name)).toEqual([]);
    expect(existsSync(join(asset, "node_modules/tsx"))).toBe(false);
    expect(existsSync(join(asset, "node_modules/esbuild"))).toBe(false);
  });

  it("answers /healthz, /readyz and POST /render through the packaged handler, as API Gateway invokes it", async () => {
    const { key } = await createApiKeyRepository(database.db).create({ owner: "lambda-test" });
    const render = httpApiPostJson("/render", sampleSpec({ format: "pdf", rows: 5, title: "Лямбда" }), {
      authorization: `Bearer ${key}`,
    });
    const s3 = inject("s3");
    // A process of its own: the handler keeps its connections open, as it does in a Lambda container.
    const script = `
      const { handler } = await import(${JSON.stringify(join(asset, "lambda.mjs"))});
      const context = { awsRequestId: "infra-test", getRemainingTimeInMillis: () => 29000, callbackWaitsForEmptyEventLoop: true };
      const results = [];
      for (const event of ${JSON.stringify([httpApiGet("/healthz"), httpApiGet("/readyz"), render])}) {
        const r = await handler(event, context);
        results.push({ statusCode: r.statusCode, body: r.isBase64Encoded ? Buffer.from(r.body, "base64").subarray(0, 5).toString() : r.body });
      }
      console.log(JSON.stringify(results));
      process.exit(0);`;
    const out = execFileSync(process.execPath, ["--enable-source-maps", "--input-type=module", "--eval", script], {
      encoding: "utf8",
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        AUTH_MODE: "apikey",
        LOG_LEVEL: "error",
        DATABASE_URL: database.url,
        RABBITMQ_URL: TEST_RABBITMQ_URL,
        QUEUE_PREFIX: prefix,
        S3_BUCKET: bucket.bucket,
        S3_ENDPOINT: s3.endpoint,
        AWS_REGION: s3.region,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
      timeout: 60_000,
    });
    const [health, ready, rendered] = JSON.parse(out.trim().split("\n").at(-1) ?? "[]");
    expect(health.statusCode).toBe(200);
    expect(ready.statusCode, ready.body).toBe(200);
    expect(rendered, "POST /render").toEqual({ statusCode: 200, body: "%PDF-" });
  });
});
