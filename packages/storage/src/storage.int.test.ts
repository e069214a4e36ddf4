import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLocalStorage } from "./local";
import type { Storage } from "./storage";
import { createTestBucket } from "./testing";

interface Driver {
  storage: Storage;
  close(): Promise<void>;
}

const drivers: Array<[string, () => Promise<Driver>]> = [
  [
    "S3 (s3rver)",
    async () => {
      const { storage, drop } = await createTestBucket(inject("s3"));
      return { storage, close: drop };
    },
  ],
  [
    "a local directory",
    async () => {
      const directory = await mkdtemp(join(tmpdir(), "reports-storage-"));
      const storage = createLocalStorage({ directory, publicBaseUrl: "http://127.0.0.1:3000", signingSecret: "s" });
      return { storage, close: () => rm(directory, { recursive: true, force: true }) };
    },
  ],
];

const MiB = 1024 * 1024;

/** `size` pseudo-random bytes in 1 MiB chunks, so the body is a real stream of unknown length. */
function randomStream(size: number, seed: number): { stream: Readable; sha256: Promise<string> } {
  const hash = createHash("sha256");
  let state = seed;
  let left = size;
  const stream = new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const chunk = Buffer.alloc(Math.min(MiB, left));
      for (let i = 0; i < chunk.length; i += 4) {
        state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
        chunk.writeUInt32LE(state, i);
      }
      left -= chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  const sha256 = new Promise<string>((resolve) => stream.once("end", () => resolve(hash.digest("hex"))));
  return { stream, sha256 };
}

async function sha256Of(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), size };
}

describe.each(drivers)("storage on %s", (_name, open) => {
  let driver: Driver;
  let storage: Storage;

  beforeAll(async () => {
    driver = await open();
    storage = driver.storage;
  });
  afterAll(async () => {
    await driver.close();
  });

  it("puts, heads, gets and deletes an object", async () => {
    const key = "reports/round-trip.csv";
    await storage.put(key, Buffer.from("a,b\n1,2\n"), { contentType: "text/csv" });

    expect(await storage.head(key)).toEqual({ size: 8, contentType: "text/csv" });
    const body = await storage.get(key);
    expect(body && (await text(body))).toBe("a,b\n1,2\n");

    await storage.delete(key);
    expect(await storage.head(key)).toBeNull();
    expect(await storage.get(key)).toBeNull();
  });

  it("answers null for a key that was never written, and deletes it without error", async () => {
    expect(await storage.get("reports/never.pdf")).toBeNull();
    expect(await storage.head("reports/never.pdf")).toBeNull();
    await expect(storage.delete("reports/never.pdf")).resolves.toBeUndefined();
  });

  it("overwrites a key: the second put wins", async () => {
    const key = "reports/overwrite.txt";
    await storage.put(key, Buffer.from("first attempt, longer"), { contentType: "text/plain" });
    await storage.put(key, new TextEncoder().encode("second"), { contentType: "application/pdf" });

    const body = await storage.get(key);
    expect(body && (await text(body))).toBe("second");
    expect(await storage.head(key)).toEqual({ size: 6, contentType: "application/pdf" });
  });

  it("streams a 20 MB body and reads back the same bytes, no more", async () => {
    const size = 20 * MiB;
    const key = "reports/twenty-megabytes.bin";
    const { stream, sha256 } = randomStream(size, 42);

    await storage.put(key, stream, { contentType: "application/octet-stream" });

    // aws-chunked framing stored verbatim would show up as extra bytes.
    expect((await storage.head(key))?.size).toBe(size);
    const body = await storage.get(key);
    if (!body) throw new Error("missing after put");
    expect(await sha256Of(body)).toEqual({ sha256: await sha256, size });
  });

  it("rethrows the body's own error when the source stream fails, and stores nothing", async () => {
    const key = "reports/broken-render.xlsx";
    const renderError = new Error("renderer crashed");
    async function* failing() {
      yield Buffer.alloc(64 * 1024, 1);
      throw renderError;
    }

    const put = storage.put(key, Readable.from(failing()), { contentType: "application/octet-stream" });

    await expect(put).rejects.toBe(renderError);
    expect(await storage.head(key)).toBeNull();
  });

  it("stops an upload when its signal aborts", async () => {
    const key = "reports/aborted.bin";
    const controller = new AbortController();
    const { stream } = randomStream(8 * MiB, 7);
    stream.once("data", () => controller.abort(new Error("shutting down")));

    await expect(
      storage.put(key, stream, { contentType: "application/octet-stream", signal: controller.signal }),
    ).rejects.toThrow("shutting down");
    expect(await storage.head(key)).toBeNull();
  });

  it("lists the whole objects under a prefix in key order, with when each was written", async () => {
    const before = Date.now() - 60_000;
    const keys = ["listed/b/0.jsonl.gz", "listed/a/1.jsonl.gz", "listed/a/0.jsonl.gz", "listed-not/x"];
    for (const key of keys) await storage.put(key, Buffer.from("x"), { contentType: "text/plain" });
    const listed = [];
    for await (const object of storage.list("listed/")) listed.push(object);
    expect(listed.map((o) => o.key)).toEqual(["listed/a/0.jsonl.gz", "listed/a/1.jsonl.gz", "listed/b/0.jsonl.gz"]);
    for (const { lastModified } of listed) expect(lastModified.getTime()).toBeGreaterThan(before);
    const rest = [];
    for await (const object of storage.list("listed/", { startAfter: "listed/a/1.jsonl.gz" })) rest.push(object.key);
    expect(rest).toEqual(["listed/b/0.jsonl.gz"]);
    const none = [];
    for await (const object of storage.list("never-written/")) none.push(object);
    expect(none).toEqual([]);
  });

  it("rejects an empty key with a non-retryable StorageError", async () => {
    await expect(storage.put("", Buffer.from("x"), { contentType: "text/plain" })).rejects.toMatchObject({
      name: "StorageError",
      retryable: false,
    });
  });
});
