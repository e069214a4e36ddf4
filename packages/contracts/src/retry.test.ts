import { describe, expect, it } from "vitest";
import { backoffMs, DEFAULT_RETRY_POLICY, delayLevels, retryPolicy, withJitter } from "./retry";

describe("retry policy", () => {
  const policy = retryPolicy.parse({ maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 5_000, jitter: 0.5 });

  it("doubles the delay per attempt up to the ceiling", () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(policy, a))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it("needs one retry queue per distinct delay", () => {
    expect(delayLevels(policy)).toEqual([1_000, 2_000, 4_000, 5_000]);
    expect(delayLevels(retryPolicy.parse({ maxAttempts: 1 }))).toEqual([]);
  });

  it("takes at most the jitter fraction off, never adds", () => {
    expect(withJitter(policy, 4_000, () => 0)).toBe(4_000);
    expect(withJitter(policy, 4_000, () => 1)).toBe(2_000);
    expect(withJitter(policy, 4_000, () => 0.25)).toBe(3_500);
  });

  it("has documented defaults", () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ maxAttempts: 5, baseDelayMs: 2_000, maxDelayMs: 60_000, jitter: 0.2 });
  });
});
