import { sampleSpec } from "@reports/contracts/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ApiError, createReportsClient, type ReportStatus } from "../src/index";
import { startSystem, type TestSystem } from "./system";

let system: TestSystem;
let open: string;
let keyed: string;
let key: string;

beforeAll(async () => {
  // one system without auth, one with API keys: the two replicas share database, queue and Redis
  system = await startSystem(inject("s3"), { replicas: 1 });
  const withKeys = await startSystem(inject("s3"), { replicas: 1, settings: { AUTH_MODE: "apikey" } });
  systems.push(withKeys);
  open = system.replicas[0]?.url ?? "";
  keyed = withKeys.replicas[0]?.url ?? "";
  key = (await withKeys.replicas[0]?.deps.keys.create({ owner: "acme", name: "sdk tests" }))?.key ?? "";
});
const systems: TestSystem[] = [];

afterAll(async () => {
  await Promise.all([system?.close(), ...systems.map((s) => s.close())]);
});

/** Reads a whole `text/event-stream` answer into its events. */
async function readEvents(res: Response): Promise<Array<{ event: string; id: string; data: ReportStatus }>> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((block) => block.includes("data:"))
    .map((block) => {
      const field = (name: string) =>
        block
          .split("\n")
          .find((l) => l.startsWith(`${name}:`))
          ?.slice(name.length + 1)
          .trim() ?? "";
      return { event: field("event"), id: field("id"), data: JSON.parse(field("data")) as ReportStatus };
    });
}

describe("GET /status/:requestId/events", () => {
  it("streams the current status, every change, and ends after the final one", async () => {
    const { requestId } = await createReportsClient({ baseUrl: open }).generate(sampleSpec({ rows: 10 }));
    const res = await fetch(`${open}/status/${requestId}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await readEvents(res);
    expect(events.every((e) => e.event === "status" && e.id.length > 0)).toBe(true);
    expect(events.at(-1)?.data).toMatchObject({ requestId, status: "done", url: expect.stringMatching(/^http/) });
    const updates = events.map((e) => e.data.updatedAt);
    expect(updates).toEqual([...updates].sort());
  });

  it("answers problem+json, not a stream, for an unknown or malformed id", async () => {
    const unknown = await fetch(`${open}/status/2f1a5c3e-8d4b-4c6a-9e7f-0a1b2c3d4e5f/events`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await unknown.json()).toMatchObject({ code: "NOT_FOUND" });
    const malformed = await fetch(`${open}/status/not-an-id/events`);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: "MALFORMED_ID" });
  });
});

describe("the API key", () => {
  it("goes with every call, the status stream included", async () => {
    const reports = createReportsClient({ baseUrl: keyed, apiKey: key });
    const { requestId } = await reports.generate(sampleSpec({ rows: 5 }));
    const done = await reports.waitForStatus(requestId, { transport: "sse" });
    expect(done.status).toBe("done");
    expect((await reports.download(requestId)).ok).toBe(true);
    const res = await fetch(`${keyed}/status/${requestId}/events`, { headers: { authorization: `Bearer ${key}` } });
    expect((await readEvents(res)).at(-1)?.data.status).toBe("done");
  });

  it("is refused with UNAUTHORIZED when missing or wrong, on every path", async () => {
    const { requestId } = await createReportsClient({ baseUrl: keyed, apiKey: key }).generate(sampleSpec({ rows: 1 }));
    for (const apiKey of [undefined, "rpt_wrong"]) {
      const reports = createReportsClient({ baseUrl: keyed, ...(apiKey ? { apiKey } : {}) });
      for (const call of [
        () => reports.generate(sampleSpec({ rows: 1 })),
        () => reports.getStatus(requestId),
        () => reports.waitForStatus(requestId, { sseStartTimeoutMs: 500 }),
      ]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ApiError);
        expect(error).toMatchObject({ code: "UNAUTHORIZED", status: 401 });
      }
    }
  });

  it("hides another owner's report as not found, over SSE too", async () => {
    const { requestId } = await createReportsClient({ baseUrl: keyed, apiKey: key }).generate(sampleSpec({ rows: 1 }));
    const other = await systems[0]?.replicas[0]?.deps.keys.create({ owner: "globex" });
    const reports = createReportsClient({ baseUrl: keyed, apiKey: other?.key ?? "" });
    const error = await reports.waitForStatus(requestId, { transport: "sse" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ApiError", code: "NOT_FOUND", status: 404 });
  });
});
