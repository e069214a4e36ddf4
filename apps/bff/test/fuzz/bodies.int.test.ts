import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { downloadPath, encodeNdjson, jsonBody, ndjsonBody } from "./bodies";
import { type Answer, send } from "./http";
import { type FuzzTarget, orphanInputs, startDistributedTarget, startEmbeddedTarget } from "./targets";

/** Generated bodies per endpoint and driver, printed at the end for the closing note. */
const counts = new Map<string, Map<string, number>>();
function tally(endpoint: string, driver: string, answer: Answer) {
  const key = `${endpoint} · ${driver}`;
  const outcomes = counts.get(key) ?? new Map<string, number>();
  const outcome = answer.kind === "answered" ? String(answer.status) : `reset`;
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  outcomes.set("total", (outcomes.get("total") ?? 0) + 1);
  counts.set(key, outcomes);
}
afterAll(() => {
  const table = [...counts].map(([key, outcomes]) => `${key}: ${JSON.stringify(Object.fromEntries(outcomes))}`);
  console.log(`generated bodies per endpoint and driver:\n${table.join("\n")}`);
});

type Kind = "problem" | "trpc";

/** A 2xx (or 3xx) result, or a 4xx problem (REST) or tRPC error naming our code; never a 5xx. */
function expectClientOutcome(answer: Answer, label: string, kind: Kind = "problem") {
  if (answer.kind === "reset") return;
  expect(answer.status, `${label}: ${answer.body.slice(0, 300)}`).toBeLessThan(500);
  if (answer.status < 400) return;
  // the body limit answers before tRPC sees the call: a problem there too
  if (kind === "problem" || answer.contentType.startsWith("application/problem+json")) {
    expect(answer.contentType, label).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body).code, label).toEqual(expect.any(String));
  } else {
    // tRPC answers its own early refusals (an unsupported content type) as text/plain, with a JSON error body
    const body = JSON.parse(answer.body) as { error?: { data?: { code?: string } } } | Array<unknown>;
    const errors = Array.isArray(body) ? body : [body];
    expect(
      errors.some((e) => typeof (e as { error?: { data?: { code?: unknown } } }).error?.data?.code === "string"),
      label,
    ).toBe(true);
  }
}

async function expectAlive(target: FuzzTarget) {
  const res = await fetch(`${target.baseUrl}/healthz`);
  expect(res.status).toBe(200);
}

/** Waits for the work a departed client left behind to be undone, then lists what is still orphaned. */
async function settledOrphans(target: FuzzTarget): Promise<string[]> {
  let orphans: string[] = [];
  for (let i = 0; i < 50; i++) {
    orphans = await orphanInputs(target);
    if (orphans.length === 0) return orphans;
    await sleep(100);
  }
  return orphans;
}

const drivers = [
  ["embedded", (logs: Array<Record<string, unknown>>) => startEmbeddedTarget(logs)],
  ["distributed", (logs: Array<Record<string, unknown>>) => startDistributedTarget(inject("s3"), logs)],
] as const;

describe.each(drivers)("generated bodies against the %s BFF", (driver, start) => {
  let target: FuzzTarget;
  const logs: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    target = await start(logs);
  });
  afterAll(async () => {
    await target?.close();
  });

  it("answers every JSON Lines upload with a 2xx or a 4xx problem, survives, and keeps no refused rows", async () => {
    await fc.assert(
      fc.asyncProperty(ndjsonBody, async (generated) => {
        const { bytes, headers } = encodeNdjson(generated);
        const answer = await send(target.baseUrl, {
          method: "POST",
          path: "/generate",
          headers,
          body: bytes,
          cuts: generated.cuts,
          ending: generated.ending,
          sentFraction: generated.sentFraction,
        });
        tally("POST /generate (JSON Lines)", driver, answer);
        expectClientOutcome(answer, `${generated.wire}/${generated.ending}`);
        if (generated.ending === "stall" && answer.kind === "answered")
          expect(answer.status).toBeGreaterThanOrEqual(400);
        await expectAlive(target);
      }),
      { numRuns: 150 },
    );
    expect(await settledOrphans(target)).toEqual([]);
  }, 180_000);

  it("answers every JSON body and tRPC call with a result or a client error", async () => {
    const endpoints = [
      { name: "POST /generate (JSON)", path: "/generate", kind: "problem" as const },
      { name: "tRPC reports.generate", path: "/trpc/reports.generate", kind: "trpc" as const },
      { name: "tRPC batch", path: "/trpc/reports.generate,reports.generate?batch=1", kind: "trpc" as const },
    ];
    for (const endpoint of endpoints) {
      await fc.assert(
        fc.asyncProperty(
          jsonBody,
          fc.constantFrom("application/json", "text/plain", "application/json; charset=latin1"),
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
          fc.constantFrom("complete", "complete", "complete", "disconnect" as const),
          async (text, type, cuts, ending) => {
            const body = endpoint.name === "tRPC batch" ? `{"0":${text},"1":${text}}` : text;
            const answer = await send(target.baseUrl, {
              method: "POST",
              path: endpoint.path,
              headers: { "content-type": type },
              body: Buffer.from(body),
              cuts,
              ending,
              sentFraction: 0.5,
            });
            tally(endpoint.name, driver, answer);
            expectClientOutcome(answer, `${endpoint.name}: ${body.slice(0, 120)}`, endpoint.kind);
          },
        ),
        { numRuns: 60 },
      );
      await expectAlive(target);
    }
    const statuses = fc
      .string({ unit: "binary", maxLength: 60 })
      .map((s) => `/trpc/reports.status?input=${encodeURIComponent(s.replace(/[\ud800-\udfff]/g, "?"))}`);
    await fc.assert(
      fc.asyncProperty(statuses, async (path) => {
        const answer = await send(target.baseUrl, {
          method: "GET",
          path,
          headers: {},
          body: Buffer.alloc(0),
          cuts: [],
          ending: "complete",
          sentFraction: 1,
        });
        tally("tRPC reports.status", driver, answer);
        expectClientOutcome(answer, path, "trpc");
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it("answers every download and file link with a result or a 4xx problem", async () => {
    await fc.assert(
      fc.asyncProperty(downloadPath, async (path) => {
        const answer = await send(target.baseUrl, {
          method: "GET",
          path,
          headers: {},
          body: Buffer.alloc(0),
          cuts: [],
          ending: "complete",
          sentFraction: 1,
        });
        tally("GET download routes", driver, answer);
        expectClientOutcome(answer, path);
      }),
      { numRuns: 100 },
    );
    await expectAlive(target);
  });

  it("logged no error and no outage for any of it: every fault was the client's", () => {
    const alarms = logs.filter(
      (line) => (line.level as number) >= 50 || line.msg === "a backing service is unavailable",
    );
    expect(alarms.map((line) => `${line.msg}: ${JSON.stringify(line.err).slice(0, 300)}`)).toEqual([]);
  });
});
