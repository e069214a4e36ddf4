import { describe, expect, it } from "vitest";
import { statusAt } from "./fixtures";
import { createMemoryCache } from "./memory";

describe("memory status cache", () => {
  it("forgets the least recently used entry beyond maxEntries", async () => {
    const cache = createMemoryCache({ maxEntries: 2 });
    await cache.set(statusAt("a", 1));
    await cache.set(statusAt("b", 1));
    await cache.get("a");
    await cache.set(statusAt("c", 1));

    expect(await cache.get("b")).toBeNull();
    expect(await cache.get("a")).not.toBeNull();
    expect(await cache.get("c")).not.toBeNull();
  });

  it("hands out copies: changing a returned status does not change the cache", async () => {
    const cache = createMemoryCache();
    const status = statusAt("a", 1);
    await cache.set(status);
    status.status = "done";
    const read = await cache.get("a");
    if (read) read.version = 99;

    expect(await cache.get("a")).toMatchObject({ status: "processing", version: 1 });
  });
});
