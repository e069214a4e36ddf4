import { randomUUID } from "node:crypto";
import { createMemoryCache } from "@reports/cache";
import { sampleSpec } from "@reports/contracts/testing";
import type { ApiKeyRepository } from "@reports/db";
import { createTestDatabase, type TestDatabase } from "@reports/db/testing";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createTestBucket, type TestBucket } from "@reports/storage/testing";
import { SignJWT } from "jose";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createApp } from "../app";
import { createApiDeps } from "../deps";
import { bffSettings } from "../env";
import { createAuthenticator } from "./auth";

const [database, bucket]: [TestDatabase, TestBucket] = await Promise.all([
  createTestDatabase(),
  createTestBucket(inject("s3")),
]);
afterAll(async () => {
  await Promise.all([bucket.drop(), database.drop()]);
});

function system(settings: Record<string, string>) {
  const deps = createApiDeps(
    {
      db: database.db,
      queue: createMemoryQueue(),
      storage: bucket.storage,
      cache: createMemoryCache(),
      logger: silentLogger(),
    },
    bffSettings.parse({ LOG_REQUESTS: "false", AUTH_MODE: "apikey", ...settings }),
  );
  return { deps, app: createApp(deps) };
}

/** A request as `@hono/node-server` hands it over, from the peer `address`. */
const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });
const generate = (app: ReturnType<typeof createApp>, key: string, address: string) =>
  app.request(
    "/generate",
    {
      method: "POST",
      body: JSON.stringify(sampleSpec()),
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    },
    from(address),
  );

describe("cheap refusals of failed authentication", () => {
  it("remembers an unknown key for a while: a flood of one bogus key asks the database once", async () => {
    const { deps } = system({});
    let lookups = 0;
    const counted: ApiKeyRepository = {
      ...deps.keys,
      callerOf: (key) => {
        lookups++;
        return deps.keys.callerOf(key);
      },
    };
    const authenticate = createAuthenticator(bffSettings.parse({ AUTH_MODE: "apikey" }), counted);
    const bogus = `rpt_${randomUUID()}`;
    for (let i = 0; i < 200; i++) {
      await expect(authenticate(`Bearer ${bogus}`)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    expect(lookups).toBe(1);
  });

  it("answers 429 with Retry-After to an address past AUTH_FAILURES_PER_MINUTE, and only to that address", async () => {
    const { app, deps } = system({ AUTH_FAILURES_PER_MINUTE: "5" });
    const { key } = await deps.keys.create({ owner: `owner-${randomUUID()}` });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await generate(app, `rpt_bogus-${i}`, "203.0.113.7")).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const refused = await generate(app, key, "203.0.113.7");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await generate(app, key, "198.51.100.4")).status).toBe(201);
    expect((await generate(app, "rpt_bogus", "198.51.100.4")).status).toBe(401);
  });

  it("lets a key it authenticated moments ago in without asking the failure limit: no round trip per request", async () => {
    const { app, deps } = system({ AUTH_FAILURES_PER_MINUTE: "5" });
    const { key } = await deps.keys.create({ owner: `owner-${randomUUID()}` });
    expect((await generate(app, key, "198.51.100.9")).status).toBe(201);
    let asked = 0;
    const { blockedFor } = deps.authFailures;
    deps.authFailures.blockedFor = (address) => {
      asked++;
      return blockedFor(address);
    };
    for (let i = 0; i < 5; i++) expect((await generate(app, key, "198.51.100.9")).status).toBe(201);
    expect(asked).toBe(0);
    // a key it does not know is still checked against the limit first, and counted when it fails
    expect((await generate(app, "rpt_bogus-known-test", "198.51.100.9")).status).toBe(401);
    expect(asked).toBe(1);
  });
});

describe("JWTs must expire", () => {
  const secret = "a-test-secret-that-is-long-enough-for-hs256";
  const authenticate = (maxAge?: string) =>
    createAuthenticator(
      bffSettings.parse({ AUTH_MODE: "jwt", JWT_SECRET: secret, ...(maxAge ? { JWT_MAX_AGE_SECONDS: maxAge } : {}) }),
      system({}).deps.keys,
    );
  const sign = (build: (jwt: SignJWT) => SignJWT) =>
    build(new SignJWT({ sub: "acme" }).setProtectedHeader({ alg: "HS256" })).sign(new TextEncoder().encode(secret));
  const now = () => Math.floor(Date.now() / 1000);

  it("refuses a token without exp, one that lives past JWT_MAX_AGE_SECONDS, and one issued too long ago", async () => {
    const auth = authenticate("3600");
    await expect(auth(`Bearer ${await sign((t) => t.setExpirationTime("5m"))}`)).resolves.toEqual({
      owner: "acme",
      admin: false,
    });
    for (const token of [
      await sign((t) => t.setIssuedAt()),
      await sign((t) => t.setExpirationTime(now() + 7_200)),
      await sign((t) => t.setIssuedAt(now() - 7_200).setExpirationTime("5m")),
    ]) {
      await expect(auth(`Bearer ${token}`)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
  });

  it("accepts a day-long token by default, not a year-long one", async () => {
    const auth = authenticate();
    await expect(auth(`Bearer ${await sign((t) => t.setExpirationTime("23h"))}`)).resolves.toMatchObject({
      owner: "acme",
    });
    await expect(auth(`Bearer ${await sign((t) => t.setExpirationTime("365d"))}`)).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });
});
