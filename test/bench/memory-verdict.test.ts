import { describe, expect, it } from "vitest";
import { memoryVerdict } from "../../bench/lib/memory";

describe("the bench's memory verdict", () => {
  it("calls memory that levels off flat", () => {
    const verdict = memoryVerdict([
      { done: 500, rssMb: [180, 175] },
      { done: 1000, rssMb: [181, 175] },
      { done: 1500, rssMb: [180, 176] },
      { done: 2000, rssMb: [181, 176] },
    ]);
    expect(verdict).toMatchObject({ flat: true });
    expect(verdict?.mbPer1000).toBeLessThanOrEqual(2);
  });

  it("calls the published 295 → 318 MB run growth, from its steepest worker", () => {
    const verdict = memoryVerdict([
      { done: 500, rssMb: [200, 295] },
      { done: 1000, rssMb: [200, 303] },
      { done: 1500, rssMb: [201, 310] },
      { done: 2000, rssMb: [200, 318] },
    ]);
    expect(verdict).toMatchObject({ flat: false, mbPer1000: 15.2 });
    expect(verdict?.text).toMatch(/^growing: \+15\.2 MB per 1,000 reports/);
  });

  it("gives no verdict with fewer than three samples", () => {
    expect(
      memoryVerdict([
        { done: 10, rssMb: [100] },
        { done: 20, rssMb: [130] },
      ]),
    ).toBeUndefined();
  });
});
