import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StorageError } from "./errors";
import { createLocalStorage, type LocalStorage } from "./local";

describe("local storage", () => {
  let directory: string;
  let storage: LocalStorage;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "reports-local-"));
    storage = createLocalStorage({ directory, publicBaseUrl: "http://127.0.0.1:3000/", signingSecret: "test-secret" });
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  async function signedLink(key: string, fileName: string) {
    const url = new URL(await storage.downloadUrl(key, { expiresInSeconds: 60, fileName }));
    const q = url.searchParams;
    return { url, expires: Number(q.get("expires")), name: q.get("name") ?? "", signature: q.get("signature") ?? "" };
  }

  it("links to /files/ on the BFF with the key encoded per segment", async () => {
    const before = Math.floor(Date.now() / 1000);
    const { url, expires, name, signature } = await signedLink("reports/a b#1.xlsx", "Sales — Łódź.xlsx");

    expect(`${url.origin}${url.pathname}`).toBe("http://127.0.0.1:3000/files/reports/a%20b%231.xlsx");
    expect(decodeURIComponent(url.pathname.slice("/files/".length))).toBe("reports/a b#1.xlsx");
    expect(name).toBe("Sales — Łódź.xlsx");
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(expires - before).toBeGreaterThanOrEqual(59);
    expect(expires - before).toBeLessThanOrEqual(61);
  });

  it("verifies its own link and nothing tampered with", async () => {
    const { expires, name, signature } = await signedLink("reports/1.pdf", "one.pdf");

    expect(storage.verify("reports/1.pdf", expires, signature, name)).toBe(true);
    expect(storage.verify("reports/2.pdf", expires, signature, name)).toBe(false);
    expect(storage.verify("reports/1.pdf", expires + 3600, signature, name)).toBe(false);
    expect(storage.verify("reports/1.pdf", expires, signature, "evil.exe")).toBe(false);
    const flipped = `${signature.slice(0, -1)}${signature.endsWith("0") ? "1" : "0"}`;
    expect(storage.verify("reports/1.pdf", expires, flipped, name)).toBe(false);
    expect(storage.verify("reports/1.pdf", expires, "not-hex", name)).toBe(false);
    expect(storage.verify("reports/1.pdf", expires, "", name)).toBe(false);
    expect(storage.verify("reports/1.pdf", Number.NaN, signature, name)).toBe(false);
  });

  it("refuses a link after it expires, and a link signed with another secret", async () => {
    const { expires, name, signature } = await signedLink("reports/1.pdf", "one.pdf");
    const other = createLocalStorage({ directory, publicBaseUrl: "http://x", signingSecret: "other" });

    expect(storage.verify("reports/1.pdf", expires, signature, name, expires * 1000)).toBe(true);
    expect(storage.verify("reports/1.pdf", expires, signature, name, (expires + 1) * 1000)).toBe(false);
    expect(other.verify("reports/1.pdf", expires, signature, name)).toBe(false);
  });

  it.each(["../escape.txt", "reports/../../escape.txt", "/etc/passwd", "a//b", "./a", "a\\..\\b", "a\nb", ""])(
    "rejects the unsafe key %j",
    async (key) => {
      await expect(storage.put(key, Buffer.from("x"), { contentType: "text/plain" })).rejects.toMatchObject({
        name: "StorageError",
        retryable: false,
      });
      await expect(storage.get(key)).rejects.toBeInstanceOf(StorageError);
      await expect(storage.downloadUrl(key, { expiresInSeconds: 1, fileName: "x" })).rejects.toBeInstanceOf(
        StorageError,
      );
    },
  );

  it("never shows a reader half a file while a put is streaming", async () => {
    const key = "reports/atomic.txt";
    await storage.put(key, Buffer.from("old"), { contentType: "text/plain" });
    const body = new PassThrough();
    const put = storage.put(key, body, { contentType: "text/plain" });

    body.write("new, half");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const during = await storage.get(key);
    expect(during && (await text(during))).toBe("old");

    body.end(" and the rest");
    await put;
    const after = await storage.get(key);
    expect(after && (await text(after))).toBe("new, half and the rest");
    expect(await readdir(join(directory, ".tmp"))).toEqual([]);
  });

  it("removes the temporary files of uploads begun before a time and never finished (a killed process)", async () => {
    const body = new PassThrough();
    const put = storage.put("inputs/killed/0.jsonl.gz", body, { contentType: "application/jsonl" });
    body.write("a row that never ends");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await readdir(join(directory, ".tmp"))).length).toBe(1);

    // the upload is still going: it is newer than the cut-off and stays
    expect(await storage.removeUnfinished(new Date(Date.now() - 60_000))).toBe(0);
    expect((await readdir(join(directory, ".tmp"))).length).toBe(1);
    // an hour on, it is a leftover
    expect(await storage.removeUnfinished(new Date(Date.now() + 3_600_000))).toBe(1);
    expect(await readdir(join(directory, ".tmp"))).toEqual([]);
    body.destroy();
    await put.catch(() => {});
  });
});
