import { createMemoryCache } from "@reports/cache";
import { sampleSpec } from "@reports/contracts/testing";
import { createDb } from "@reports/db";
import { silentLogger } from "@reports/logger";
import { createMemoryQueue } from "@reports/queue";
import { createLocalStorage } from "@reports/storage";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { createApiDeps } from "../src/deps";
import { bffSettings } from "../src/env";

describe("closeStreams, as shutdown calls it", () => {
  // PGlite's migrations take most of this on a loaded machine
  it("ends a tRPC status subscription (its client reconnects to another replica)", { timeout: 120_000 }, async () => {
    const db = createDb("memory://");
    await db.migrate();
    const deps = createApiDeps(
      {
        db: db.db,
        queue: createMemoryQueue(),
        storage: createLocalStorage({
          directory: "/tmp/reports-close-streams",
          publicBaseUrl: "http://x",
          signingSecret: "s".repeat(32),
        }),
        cache: createMemoryCache(),
        logger: silentLogger(),
      },
      bffSettings.parse({ LOG_REQUESTS: "false" }),
    );
    const app = createApp(deps);
    const { requestId } = await deps.repo.create(sampleSpec({ rows: 1 }), { owner: "anonymous" });
    const input = encodeURIComponent(JSON.stringify({ requestId }));
    const res = await app.request(`/trpc/reports.onStatus?input=${input}`, {
      headers: { accept: "text/event-stream" },
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const text = new TextDecoder();
    let seen = "";
    while (!seen.includes('"status":"queued"')) seen += text.decode((await reader.read()).value, { stream: true });
    deps.closeStreams();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += text.decode(chunk.value, { stream: true });
    expect(rest).toContain("event: return");
    await db.close();
  });
});
