import { z } from "zod";

/** How a retryable failure is tried again: exponential backoff with jitter, then the dead-letter queue. */
export const retryPolicy = z.object({
  /** Attempts in all, the first included. */
  maxAttempts: z.number().int().min(1).max(50).default(5),
  /** Delay before the second attempt; doubled for each one after. */
  baseDelayMs: z.number().int().min(1).default(2_000),
  maxDelayMs: z.number().int().min(1).default(60_000),
  /** Up to this fraction of a delay is taken off at random, so failures at one moment do not retry together. */
  jitter: z.number().min(0).max(1).default(0.2),
});
export type RetryPolicy = z.infer<typeof retryPolicy>;

export const DEFAULT_RETRY_POLICY: RetryPolicy = retryPolicy.parse({});

/** The delay (before jitter) after failed attempt `attempt` (1-based). */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.baseDelayMs * 2 ** Math.max(0, attempt - 1), policy.maxDelayMs);
}

/** Every distinct delay the policy can ask for: one retry queue each. */
export function delayLevels(policy: RetryPolicy): number[] {
  const levels = new Set<number>();
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) levels.add(backoffMs(policy, attempt));
  return [...levels].sort((a, b) => a - b);
}

/** The delay with jitter applied: in `[delay × (1 − jitter), delay]`, never longer than its level. */
export function withJitter(policy: RetryPolicy, delayMs: number, random: () => number = Math.random): number {
  return Math.round(delayMs * (1 - policy.jitter * random()));
}
