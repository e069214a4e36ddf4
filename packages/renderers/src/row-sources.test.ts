import type { Row } from "@reports/contracts";
import { sampleSpec } from "@reports/contracts/testing";
import { afterAll, describe, expect, it } from "vitest";
import XLSX from "xlsx";
import { createRenderPool, type RowSource, renderReport } from "./index";

/** Rows 1…count in chunks of odd sizes, made as they are read, like a stream from storage. */
function streamed(count: number, chunk = 777, fail?: Error): RowSource {
  const [template] = sampleSpec({ rows: 1 }).tables[0]?.rows ?? [];
  return {
    count,
    async *chunks() {
      for (let start = 0; start < count; start += chunk) {
        if (fail && start > 0) throw fail;
        const rows: Row[] = [];
        for (let i = start; i < Math.min(start + chunk, count); i++) rows.push({ ...template, id: i + 1 });
        yield rows;
      }
    },
  };
}

const ids = (data: Buffer) =>
  XLSX.utils
    .sheet_to_json<{ Order: number }>(XLSX.read(data, { type: "buffer" }).Sheets.Orders ?? {})
    .map((r) => r.Order);
const outline = () => sampleSpec({ format: "xlsx", rows: 0 });

describe("rows from a source instead of the spec", () => {
  const pool = createRenderPool({ maxThreads: 1 });
  afterAll(() => pool.close());

  it("renders every row of a source, in order, in the pool and in this thread", async () => {
    const expected = Array.from({ length: 5_000 }, (_, i) => i + 1);
    expect(ids((await pool.render(outline(), { rows: [streamed(5_000)] })).data)).toEqual(expected);
    expect(ids((await renderReport(outline(), { rows: [streamed(5_000, 3_001)] })).data)).toEqual(expected);
  });

  it("fails the render with the source's own error, so the caller can tell a storage failure", async () => {
    const broken = new Error("storage went away");
    await expect(pool.render(outline(), { rows: [streamed(5_000, 777, broken)] })).rejects.toBe(broken);
    expect((await pool.render(sampleSpec({ format: "xlsx", rows: 1 }))).extension).toBe("xlsx");
  });

  it("lets go of a source when the render ends early, so a stream from storage closes", async () => {
    let closed = false;
    const source: RowSource = {
      count: 100_000,
      async *chunks() {
        try {
          for (let i = 0; ; i++) yield [{ id: i, paid: "not a boolean" }];
        } finally {
          closed = true;
        }
      },
    };
    await expect(pool.render(outline(), { rows: [source] })).rejects.toMatchObject({ type: "INVALID_SPEC" });
    await expect.poll(() => closed, { timeout: 10_000 }).toBe(true);
  });

  it("fails with RENDER_FAILED when a source has fewer rows than it counted", async () => {
    const short: RowSource = { ...streamed(10), count: 11 };
    await expect(pool.render(outline(), { rows: [short] })).rejects.toMatchObject({
      type: "RENDER_FAILED",
      message: expect.stringContaining("ended after 10 of 11 rows"),
    });
  });
});
