import { createMemoryCache } from "@reports/cache";
import { sampleSpec } from "@reports/contracts/testing";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createTestBucket, type TestBucket } from "@reports/storage/testing";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createApp } from "../app";
import { createApiDeps } from "../deps";
import { bffSettings } from "../env";
import { webhookUrlProblem } from "./webhook-url";

const [database, bucket]: [TestDatabase, TestBucket] = await Promise.all([
  createTestDatabase(),
  createTestBucket(inject("s3")),
]);
afterAll(async () => {
  await Promise.all([bucket.drop(), database.drop()]);
});

function appWith(settings: Record<string, string> = {}) {
  const deps = createApiDeps(
    {
      db: database.db,
      queue: createMemoryQueue(),
      storage: bucket.storage,
      cache: createMemoryCache(),
      logger: silentLogger(),
    },
    bffSettings.parse({ LOG_REQUESTS: "false", ...settings }),
  );
  return createApp(deps);
}

const withWebhook = (url: string) => ({ ...sampleSpec(), webhook: { url } });
const generate = (app: ReturnType<typeof createApp>, body: unknown) =>
  app.request("/generate", {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });

describe("webhook URLs checked at submission", () => {
  const none = new Set<string>();

  it("refuses literal addresses that are not public, in every spelling the URL parser accepts", () => {
    for (const url of [
      "http://127.0.0.1/hook",
      "http://2130706433/hook", // 127.0.0.1 as one number
      "http://0x7f.1/hook",
      "https://10.1.2.3/hook",
      "http://169.254.169.254/latest/meta-data",
      "http://192.168.0.10:8080/hook",
      "http://100.64.0.1/hook",
      "http://0.0.0.0/hook",
      "http://[::1]/hook",
      "http://[fe80::1]/hook",
      "http://[fd00::1]/hook",
      "http://[::ffff:127.0.0.1]/hook",
      "ftp://hooks.example.com/hook",
    ]) {
      expect(webhookUrlProblem(url, none), url).toMatchObject({ path: "webhook.url" });
    }
    for (const url of ["https://hooks.example.com/r", "http://203.0.113.10/r", "https://[2001:db8::1]/r"]) {
      expect(webhookUrlProblem(url, none), url).toBeNull();
    }
    expect(webhookUrlProblem("http://127.0.0.1:9000/hook", new Set(["127.0.0.1"]))).toBeNull();
  });

  it("answers 400 naming webhook.url on POST /generate and tRPC, and 201 for an allowed host", async () => {
    const app = appWith();
    const refused = await generate(app, withWebhook("http://169.254.169.254/latest"));
    expect(refused.status).toBe(400);
    const problem = (await refused.json()) as { code: string; errors: Array<{ path: string }> };
    expect(problem.code).toBe("VALIDATION_FAILED");
    expect(problem.errors.map((e) => e.path)).toEqual(["webhook.url"]);

    const trpc = await app.request("/trpc/reports.generate", {
      method: "POST",
      body: JSON.stringify(withWebhook("http://[::1]:8080/hook")),
      headers: { "content-type": "application/json" },
    });
    expect(trpc.status).toBe(400);

    expect(
      (await generate(appWith({ WEBHOOK_ALLOWED_HOSTS: "127.0.0.1" }), withWebhook("http://127.0.0.1:9/h"))).status,
    ).toBe(201);
    expect((await generate(app, withWebhook("https://hooks.example.com/r"))).status).toBe(201);
  });
});
