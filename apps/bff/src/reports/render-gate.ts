import { ApiError, ClientGoneError } from "../http/errors";

/** How `POST /render` and `reports.render` share the BFF's render threads. */
export interface RenderGateSettings {
  /** Renders at once (the pool's threads): more would only queue inside the pool, unbounded. */
  running: number;
  /** Renders waiting for a thread, all owners together; past it, 503. */
  queue: number;
  /** Renders one owner may have running or waiting; past it, 429. */
  perOwner: number;
  /** How long a render may wait for a thread; past it, 503. */
  waitMs: number;
}

interface Waiter {
  start(): void;
  refuse(error: Error): void;
}

/**
 * A bounded admission to the synchronous render pool: at most `running` renders at once, `queue` waiting (first
 * come, first served) for at most `waitMs`, and `perOwner` running or waiting per owner. One owner can thus hold at
 * most `perOwner` of the threads and places, and a full queue answers at once instead of growing.
 *
 * @example
 * const gate = new RenderGate({ running: 1, queue: 16, perOwner: 2, waitMs: 5_000 });
 * const file = await gate.run(owner, signal, () => pool.render(spec, { signal }));
 */
export class RenderGate {
  readonly #settings: RenderGateSettings;
  #running = 0;
  readonly #waiting: Waiter[] = [];
  readonly #byOwner = new Map<string, number>();

  constructor(settings: RenderGateSettings) {
    this.#settings = settings;
  }

  /** Renders running now and waiting for a thread. */
  get load(): { running: number; waiting: number } {
    return { running: this.#running, waiting: this.#waiting.length };
  }

  /**
   * Runs `work` once a thread is free. Throws `RATE_LIMITED` (429) when `owner` already has `perOwner` renders in,
   * `UNAVAILABLE` (503, with Retry-After) when the queue is full or the wait runs out, and `ClientGoneError` when
   * `signal` aborts while waiting.
   */
  async run<T>(owner: string, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    const { perOwner, queue, waitMs } = this.#settings;
    const mine = this.#byOwner.get(owner) ?? 0;
    if (mine >= perOwner) {
      throw new ApiError(
        "RATE_LIMITED",
        `At most ${perOwner} synchronous renders per owner at once (SYNC_RENDER_PER_OWNER); wait for one to finish, or queue the report with POST /generate.`,
        undefined,
        1,
      );
    }
    if (this.#running >= this.#settings.running && this.#waiting.length >= queue) throw this.#busy();
    signal?.throwIfAborted();
    this.#byOwner.set(owner, mine + 1);
    try {
      // a finished render hands its thread to the next waiter directly: a newcomer cannot take it in between
      if (this.#running < this.#settings.running) this.#running += 1;
      else await this.#wait(waitMs, signal);
      try {
        return await work();
      } finally {
        const next = this.#waiting.shift();
        if (next) next.start();
        else this.#running -= 1;
      }
    } finally {
      const left = (this.#byOwner.get(owner) ?? 1) - 1;
      if (left === 0) this.#byOwner.delete(owner);
      else this.#byOwner.set(owner, left);
    }
  }

  #wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        const at = this.#waiting.indexOf(waiter);
        if (at >= 0) this.#waiting.splice(at, 1);
      };
      const waiter: Waiter = {
        start: () => {
          leave();
          resolve();
        },
        refuse: (error) => {
          leave();
          reject(error);
        },
      };
      const onAbort = () => waiter.refuse(new ClientGoneError(signal?.reason));
      const timer = setTimeout(() => waiter.refuse(this.#busy()), ms);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #busy(): ApiError {
    return new ApiError(
      "UNAVAILABLE",
      "Synchronous rendering is busy; try again shortly, or queue the report with POST /generate.",
      undefined,
      Math.max(1, Math.ceil(this.#settings.waitMs / 1000)),
    );
  }
}
