import { setImmediate as nextTurn } from "node:timers/promises";

/** Rows between two progress reports: a million-row report sends about a hundred. */
export const PROGRESS_EVERY = 10_000;

/** Counts rows done for `onProgress` at a bounded rate, and gives an abort a chance between chunks of work. */
export class Progress {
  private done = 0;
  private reported = 0;

  constructor(
    private readonly total: number,
    private readonly onProgress?: (rowsDone: number, rowsTotal: number) => void,
    private readonly signal?: AbortSignal,
  ) {}

  /** Adds `rows`, reports when another `PROGRESS_EVERY` rows are done, then yields once so an abort can land. */
  async advance(rows: number): Promise<void> {
    this.add(rows);
    await nextTurn();
    this.signal?.throwIfAborted();
  }

  /** Adds `rows` and reports like `advance`, without yielding: for work that cannot pause (a PDF page). */
  add(rows: number): void {
    this.done = Math.min(this.done + rows, this.total);
    if (Math.floor(this.done / PROGRESS_EVERY) > Math.floor(this.reported / PROGRESS_EVERY)) {
      this.reported = this.done;
      this.onProgress?.(this.done, this.total);
    }
  }

  /** Reports every row done. */
  finish(): void {
    if (this.reported < this.total || this.total === 0) {
      this.done = this.reported = this.total;
      this.onProgress?.(this.done, this.total);
    }
  }
}
