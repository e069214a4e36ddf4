import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { LimiterOptions } from "../auth/rate-limit";
import { ApiError } from "../http/errors";

/**
 * Each owner's rows per minute: the weight of the reports they queue, beside the request rate (a one-row report
 * and a million-row one are one request each, not one render each).
 */
export interface RowBudget {
  /** Takes `rows` from `owner`'s minute: null when they fit, else the seconds until they would (nothing taken). */
  take(owner: string, rows: number): Promise<number | null>;
  /** Gives back rows taken for work that was not done (a refused or replayed report). */
  refund(owner: string, rows: number): Promise<void>;
}

/**
 * `perMinute` rows per owner over a one-minute window (0: unlimited), in Redis when given (shared by every BFF
 * replica), else in this process. As with the request rate, a Redis failure lets the report through.
 *
 * @example
 * const budget = createRowBudget({ perMinute: 5_000_000, keyPrefix: "reports:", logger });
 * await budget.take("acme", 1_048_575); // null: queued; a number: come back in that many seconds
 */
export function createRowBudget(options: LimiterOptions): RowBudget {
  if (options.perMinute <= 0) return { take: async () => null, refund: async () => {} };
  const base = { points: options.perMinute, duration: 60, keyPrefix: `${options.keyPrefix}rows` };
  const memory = new RateLimiterMemory(base);
  const limiter = options.redis
    ? new RateLimiterRedis({ ...base, storeClient: options.redis, insuranceLimiter: memory })
    : memory;
  const refund = async (owner: string, rows: number) => {
    if (rows <= 0) return;
    await limiter.reward(owner, rows).catch((error: unknown) => {
      options.logger.warn({ err: error }, "row budget unavailable; rows not given back");
    });
  };
  return {
    async take(owner, rows) {
      if (rows <= 0) return null;
      try {
        await limiter.consume(owner, rows);
        return null;
      } catch (outcome) {
        if (outcome instanceof RateLimiterRes) {
          // a refused report costs nothing: the window counted the rows anyway
          await refund(owner, rows);
          return Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
        }
        options.logger.warn({ err: outcome }, "row budget unavailable; report let through");
        return null;
      }
    },
    refund,
  };
}

/** The answer when an owner's rows per minute are spent: 429 with `Retry-After`. */
export function overRowBudget(perMinute: number, waitSeconds: number): ApiError {
  return new ApiError(
    "RATE_LIMITED",
    `Over this owner's ${perMinute} rows a minute (ROWS_PER_MINUTE); try again in ${waitSeconds} s.`,
    [{ path: "tables", message: `at most ${perMinute} rows a minute over every report queued` }],
    waitSeconds,
  );
}

/**
 * An upload's account with the owner's row budget: rows are taken in steps of {@link STEP} as they arrive, so a
 * stream past the budget is refused mid-way, and every row taken is given back when the upload is refused.
 */
export class RowAccount {
  private taken = 0;
  private counted = 0;
  private free = false;

  /** `isReplay`: whether the upload replays an idempotency key (asked once the budget is spent: then it is free). */
  constructor(
    private readonly budget: RowBudget,
    private readonly owner: string,
    private readonly perMinute: number,
    private readonly isReplay: () => Promise<boolean> = async () => false,
  ) {}

  /** Rows taken at a time while a body streams in (a round trip to Redis per step). */
  static readonly STEP = 10_000;

  /** Rows taken from the budget so far. */
  get charged(): number {
    return this.taken;
  }

  /** Takes the rows counted so far once a step has gathered (`final`: whatever is left); throws 429 when spent. */
  async charge(rowsSoFar: number, final = false): Promise<void> {
    const due = rowsSoFar - this.counted;
    if (this.free || due <= 0 || (!final && due < RowAccount.STEP)) return;
    const waitSeconds = await this.budget.take(this.owner, due);
    if (waitSeconds === null) {
      this.taken += due;
      this.counted += due;
      return;
    }
    if (!(await this.isReplay())) throw overRowBudget(this.perMinute, waitSeconds);
    this.free = true;
    await this.refund();
  }

  /** Gives back every row this upload took. */
  async refund(): Promise<void> {
    await this.budget.refund(this.owner, this.taken);
    this.taken = 0;
  }
}
