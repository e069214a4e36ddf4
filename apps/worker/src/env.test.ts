import { describe, expect, it } from "vitest";
import { renderPoolOptions, workerSettings } from "./env";

describe("renderPoolOptions", () => {
  it("keeps no idle render thread past RENDER_IDLE_SECONDS (60 by default)", () => {
    expect(renderPoolOptions(workerSettings.parse({ WORKER_CONCURRENCY: "3" }))).toMatchObject({
      maxThreads: 3,
      minThreads: 0,
      idleTimeoutMs: 60_000,
    });
    expect(renderPoolOptions(workerSettings.parse({ RENDER_IDLE_SECONDS: "5", RENDER_THREADS: "2" }))).toMatchObject({
      maxThreads: 2,
      minThreads: 0,
      idleTimeoutMs: 5_000,
    });
  });

  it("keeps every thread loaded for the process's life with RENDER_IDLE_SECONDS=0", () => {
    expect(renderPoolOptions(workerSettings.parse({ RENDER_IDLE_SECONDS: "0", RENDER_THREADS: "2" }))).toMatchObject({
      maxThreads: 2,
      minThreads: 2,
      idleTimeoutMs: Number.POSITIVE_INFINITY,
    });
  });
});
