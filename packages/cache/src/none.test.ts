import { describe, expect, it } from "vitest";
import { statusAt } from "./fixtures";
import { createNoCache } from "./none";

describe("no cache", () => {
  it("never answers from memory, so a status another process changed is read from the database", async () => {
    const cache = createNoCache();
    await cache.publish(statusAt("a", 3, "done"));
    expect(await cache.set(statusAt("a", 4, "done"))).toBe(false);
    expect(await cache.get("a")).toBeNull();
    expect(await cache.subscribe("a", () => {}).ready).toBe(false);
  });
});
