import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sampleSpec } from "@reports/contracts/testing";
import { PDFParse } from "pdf-parse";
import { afterAll, describe, expect, it } from "vitest";
import XLSX from "xlsx";
import { createRenderPool, RenderError } from "./index";
import { threadExecArgv } from "./pool";
import { testPng } from "./testing/images";

function withPdf<T>(data: Buffer, read: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "pool-"));
  try {
    writeFileSync(join(dir, "file.pdf"), data);
    return read(join(dir, "file.pdf"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("createRenderPool", () => {
  const pool = createRenderPool({ maxThreads: 1, timeoutMs: 30_000 });
  afterAll(() => pool.close());

  it("renders XLSX and PDF in a worker thread", async () => {
    const xlsx = await pool.render(sampleSpec({ format: "xlsx", rows: 5 }));
    expect(xlsx).toMatchObject({ extension: "xlsx", contentType: expect.stringContaining("spreadsheetml") });
    expect(Buffer.isBuffer(xlsx.data)).toBe(true);
    const sheet = XLSX.read(xlsx.data, { type: "buffer" }).Sheets.Orders;
    expect(sheet?.A6).toMatchObject({ t: "n", v: 5 });

    const pdf = await pool.render(sampleSpec({ format: "pdf", rows: 5 }));
    expect(pdf).toMatchObject({ extension: "pdf", contentType: "application/pdf" });
    expect(Buffer.isBuffer(pdf.data)).toBe(true);
    const parser = new PDFParse({ data: new Uint8Array(pdf.data) });
    expect((await parser.getText()).text).toContain("Sales — Łódź & Привет");
    await parser.destroy();
    expect([xlsx.warnings, pdf.warnings]).toEqual([[], []]);
  });

  it("takes the spec's assets and the time of {{generatedAt}} to the thread", async () => {
    const spec = {
      ...sampleSpec({ format: "pdf", rows: 2 }),
      layout: {
        logo: { key: "logo.png", contentType: "image/png" as const },
        footer: { left: "at {{generatedAt}}" },
      },
    };
    const file = await pool.render(spec, { assets: { logo: testPng(40, 20) }, generatedAt: "2026-03-04T05:06:00Z" });
    const parser = new PDFParse({ data: new Uint8Array(file.data) });
    expect((await parser.getText()).text).toContain("at 2026-03-04 05:06 UTC");
    await parser.destroy();
    // poppler lists the one image: the logo, 40 × 20 pixels, on page 1
    const images = withPdf(file.data, (path) => execFileSync("pdfimages", ["-list", path]).toString());
    expect(images.split("\n").filter((l) => /^\s*1\s+\d+\s+image\s+40\s+20\b/.test(l))).toHaveLength(1);
    await expect(pool.render(spec)).rejects.toMatchObject({ type: "INVALID_SPEC" });
  });

  it("brings a PDF's warnings back from the thread", async () => {
    const spec = sampleSpec({ format: "pdf", rows: 2 });
    spec.title = "Private use \u{E000}";
    const file = await pool.render(spec);
    expect(file.warnings).toEqual([
      expect.objectContaining({ code: "MISSING_GLYPHS", codePoints: ["U+E000"], cells: 1 }),
    ]);
  });

  it("hands the file to an output as it is made, held back while the output is slow", async () => {
    for (const format of ["xlsx", "pdf"] as const) {
      const spec = sampleSpec({ format, rows: format === "xlsx" ? 60_000 : 3_000 });
      const chunks: Buffer[] = [];
      let pending = 0;
      let mostPending = 0;
      const streamed = await pool.render(spec, {
        output: async (chunk) => {
          pending++;
          mostPending = Math.max(mostPending, pending);
          await new Promise((resolve) => setTimeout(resolve, 1));
          chunks.push(Buffer.from(chunk));
          pending--;
        },
      });
      const file = Buffer.concat(chunks);
      expect(streamed.data.length).toBe(0);
      expect(streamed.bytes).toBe(file.length);
      expect(mostPending).toBe(1); // one write at a time, in order
      if (format === "xlsx") {
        expect(chunks.length).toBeGreaterThan(1);
        const sheet = XLSX.read(file, { type: "buffer" }).Sheets.Orders;
        expect(sheet?.A60001).toMatchObject({ t: "n", v: 60_000 });
      } else {
        const parser = new PDFParse({ data: new Uint8Array(file) });
        expect((await parser.getText()).text).toContain("Customer 3000");
        await parser.destroy();
      }
    }
  });

  it("stops the render with the output's own error when the output fails", async () => {
    const failure = new Error("the upload broke");
    let writes = 0;
    const render = pool.render(sampleSpec({ format: "xlsx", rows: 200_000 }), {
      output: async () => {
        if (++writes === 3) throw failure;
      },
    });
    await expect(render).rejects.toBe(failure);
    // the thread was stopped: the pool renders the next report
    expect((await pool.render(sampleSpec({ rows: 2 }))).extension).toBe("xlsx");
  });

  it("relays progress from the thread", async () => {
    const calls: number[] = [];
    await pool.render(sampleSpec({ format: "xlsx", rows: 15_000 }), { onProgress: (done) => calls.push(done) });
    expect(calls).toEqual([10_000, 15_000]);
  });

  it("relays a PDF's progress as its pages are painted", async () => {
    const calls: Array<[number, number]> = [];
    await pool.render(sampleSpec({ format: "pdf", rows: 12_000 }), { onProgress: (d, t) => calls.push([d, t]) });
    expect(calls).toHaveLength(2);
    expect(calls[0]?.[0]).toBeGreaterThanOrEqual(10_000);
    expect(calls[0]?.[0]).toBeLessThan(12_000);
    expect(calls[1]).toEqual([12_000, 12_000]);
  });

  it("keeps the main thread responsive while it renders", async () => {
    // long enough to mean something on a fast machine with a warm thread (2,000 rows once took 194 ms in CI)
    const spec = sampleSpec({ format: "pdf", rows: 8_000 });
    let ticks = 0;
    let last = performance.now();
    let longestGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 10);
    const started = performance.now();
    try {
      await pool.render(spec);
    } finally {
      clearInterval(timer);
    }
    const elapsed = performance.now() - started;
    // In the main thread this render blocks for its whole duration: no tick at all.
    expect(elapsed).toBeGreaterThan(200);
    expect(ticks).toBeGreaterThan(elapsed / 10 / 4);
    expect(longestGap).toBeLessThan(Math.max(150, elapsed / 4));
  });

  it("returns the render's error type from the thread", async () => {
    const spec = sampleSpec({ format: "xlsx", rows: 2 });
    (spec.tables[0]?.rows[0] as Record<string, unknown>).paid = "yes";
    const error = await pool.render(spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderError);
    expect(error).toMatchObject({ type: "INVALID_SPEC", message: expect.stringContaining('column "paid"') });
  });

  it("rejects with the caller's reason when the signal aborts, and keeps working", async () => {
    const controller = new AbortController();
    const render = pool.render(sampleSpec({ format: "pdf", rows: 20_000 }), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("shutting down")), 100);
    await expect(render).rejects.toThrow("shutting down");
    const file = await pool.render(sampleSpec({ format: "xlsx", rows: 1 }));
    expect(file.extension).toBe("xlsx");
  });

  it("fails a render past the time limit with RENDER_TIMEOUT, kills it, and keeps working", async () => {
    const strict = createRenderPool({ maxThreads: 1, timeoutMs: 200 });
    try {
      const started = performance.now();
      // Seconds of work: the limit, not the render, ends it.
      const error = await strict.render(sampleSpec({ format: "pdf", rows: 20_000 })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RenderError);
      expect(error).toMatchObject({ type: "RENDER_TIMEOUT", message: "rendering took longer than 200 ms" });
      // The thread is stopped at the limit, not when the render would have ended (seconds later).
      expect(performance.now() - started).toBeLessThan(5_000);
      const file = await strict.render(sampleSpec({ format: "xlsx", rows: 1 }));
      expect(file.extension).toBe("xlsx");
    } finally {
      await strict.close();
    }
  });

  it("fails with TOO_LARGE when a render needs more heap than a thread may use", async () => {
    const small = createRenderPool({ maxThreads: 1, maxHeapMb: 64 });
    try {
      // A PDF holds its rows in the thread: 80,000 of them do not fit in 64 MB.
      await expect(small.render(sampleSpec({ format: "pdf", rows: 80_000 }))).rejects.toMatchObject({
        type: "TOO_LARGE",
      });
    } finally {
      await small.close();
    }
  });

  it("lets an idle thread go after idleTimeoutMs, and loads one again for the next render", async () => {
    const idle = createRenderPool({ maxThreads: 1, minThreads: 0, idleTimeoutMs: 200 });
    try {
      expect(idle.threads()).toBe(0);
      await idle.render(sampleSpec({ format: "xlsx", rows: 2 }));
      expect(idle.threads()).toBe(1);
      await expect.poll(() => idle.threads(), { timeout: 5_000 }).toBe(0);
      const file = await idle.render(sampleSpec({ format: "pdf", rows: 2 }));
      expect(file.data.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    } finally {
      await idle.close();
    }
  });

  it("keeps minThreads loaded however long they are idle", async () => {
    const warm = createRenderPool({ maxThreads: 1, minThreads: 1, idleTimeoutMs: 100 });
    try {
      await warm.render(sampleSpec({ format: "xlsx", rows: 2 }));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(warm.threads()).toBe(1);
    } finally {
      await warm.close();
    }
  });

  it("refuses work once closed", async () => {
    const closed = createRenderPool({ maxThreads: 1 });
    await closed.close();
    await expect(closed.render(sampleSpec())).rejects.toMatchObject({ type: "RENDER_FAILED" });
  });
});

describe("a thread without the built bundle", () => {
  it("registers tsx and renders from the TypeScript sources", async () => {
    process.env.REPORTS_RENDER_SOURCES = "1"; // threads copy the environment when they start
    const pool = createRenderPool({ maxThreads: 1 });
    try {
      const file = await pool.render(sampleSpec({ format: "pdf", rows: 3 }));
      expect(file.data.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    } finally {
      delete process.env.REPORTS_RENDER_SOURCES;
      await pool.close();
    }
  });
});

describe("threadExecArgv", () => {
  it("gives threads no flags under tsx, and leaves them to inherit otherwise", () => {
    expect(threadExecArgv(["--expose-gc", "--import", "tsx"])).toEqual([]);
    expect(threadExecArgv(["--import=tsx/esm"])).toEqual([]);
    expect(threadExecArgv(["--expose-gc", "--enable-source-maps"])).toBeUndefined();
  });
});
