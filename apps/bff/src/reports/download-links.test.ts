import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalStorage } from "@reports/storage";
import { describe, expect, it } from "vitest";
import { createDownloadLinks } from "./download-links";

/** The embedded mode's storage, counting the links it signs. */
function countingStorage() {
  const storage = createLocalStorage({
    directory: join(tmpdir(), `reports-links-${randomUUID()}`),
    publicBaseUrl: "http://127.0.0.1:3000",
    signingSecret: "a-signing-secret-of-32-characters",
  });
  let signed = 0;
  return {
    get signed() {
      return signed;
    },
    downloadUrl(key: string, options: { expiresInSeconds: number; fileName: string }) {
      signed += 1;
      return storage.downloadUrl(key, options);
    },
  };
}

describe("download links", () => {
  it("signs a link once and hands it out again until half its validity has passed", async () => {
    let clock = 1_000_000;
    const storage = countingStorage();
    const links = createDownloadLinks(storage, { ttlSeconds: 900, now: () => clock });

    const first = await links.url("reports/a.xlsx", "Sales.xlsx");
    clock += 449_000;
    expect(await links.url("reports/a.xlsx", "Sales.xlsx")).toBe(first);
    expect(storage.signed).toBe(1);

    clock += 1_000; // 450 s after signing: only 450 s of validity left
    await links.url("reports/a.xlsx", "Sales.xlsx");
    expect(storage.signed).toBe(2);
  });

  it("keeps links apart by file and by download name", async () => {
    const storage = countingStorage();
    const links = createDownloadLinks(storage, { ttlSeconds: 60 });
    const a = await links.url("reports/a.xlsx", "A.xlsx");
    const b = await links.url("reports/b.xlsx", "A.xlsx");
    const c = await links.url("reports/a.xlsx", "C.xlsx");
    expect(new Set([a, b, c]).size).toBe(3);
    expect(storage.signed).toBe(3);
    expect(await links.url("reports/b.xlsx", "A.xlsx")).toBe(b);
    expect(storage.signed).toBe(3);
  });
});
