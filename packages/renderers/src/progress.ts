import { setImmediate as nextTurn } from "node:timers/promises";

/** Counts rows done for `onProgress` and gives an abort a chance between chunks of work. */
export class Progress {
  private done = 0;

  constructor(
    private readonly total: number,
    private readonly onProgress?: (rowsDone: number, rowsTotal: number) => void,
    private readonly signal?: AbortSignal,
  ) {}

  /** Adds `rows`, reports, then yields once to the event loop so an abort can land. Call per chunk, not per row. */
  async advance(rows: number): Promise<void> {
    this.done = Math.min(this.done + rows, this.total);
    this.onProgress?.(this.done, this.total);
    await nextTurn();
    this.signal?.throwIfAborted();
  }

  /** Reports every row done. */
  finish(): void {
    if (this.done < this.total || this.total === 0) {
      this.done = this.total;
      this.onProgress?.(this.done, this.total);
    }
  }
}
