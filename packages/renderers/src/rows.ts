import type { Row } from "@reports/contracts";

/**
 * Rows looked at to size a column: the whole table when it is small, else its first rows — enough to be
 * representative, bounded so a million rows cost nothing. (An XLSX sheet's widths come before its rows in the
 * file, so a streamed table cannot be sized by rows it has not read yet.)
 */
export const SAMPLE_ROWS = 500;

/** Rows per chunk handed from a source to a renderer (and from the main thread to a render thread). */
export const ROW_CHUNK = 2_000;

/**
 * One table's rows as the renderers read them: counted up front (exactly), delivered in chunks of any size,
 * read once.
 *
 * @example
 * const rows: RowSource = { count: 2, async *chunks() { yield [{ id: 1 }]; yield [{ id: 2 }]; } };
 * await pool.render(specWithoutRows, { rows: [rows] });
 */
export interface RowSource {
  readonly count: number;
  chunks(): AsyncIterable<readonly Row[]>;
}

/** A source over rows already in memory. */
export function arrayRows(rows: readonly Row[]): RowSource {
  return {
    count: rows.length,
    async *chunks() {
      for (let start = 0; start < rows.length; start += ROW_CHUNK) yield rows.slice(start, start + ROW_CHUNK);
    },
  };
}

/** Reads a source's rows in runs of at most a given length, across its chunks. */
export class RowCursor {
  private readonly chunks: AsyncIterator<readonly Row[]>;
  /** Chunks read ahead by `sample`, not yet reached. */
  private readonly ahead: (readonly Row[])[] = [];
  private ended = false;
  private chunk: readonly Row[] = [];
  private offset = 0;
  private delivered = 0;

  constructor(private readonly source: RowSource) {
    this.chunks = source.chunks()[Symbol.asyncIterator]();
  }

  /** The next rows, at most `max`; empty once the source is done. */
  async take(max: number): Promise<readonly Row[]> {
    if (!(await this.fill())) return [];
    const rows =
      this.offset === 0 && this.chunk.length <= max ? this.chunk : this.chunk.slice(this.offset, this.offset + max);
    this.offset += rows.length;
    this.delivered += rows.length;
    if (this.delivered > this.source.count) throw new Error(`row source has more than ${this.source.count} rows`);
    return rows;
  }

  /**
   * The next `max` rows (fewer at the end of the source) without taking them: they are read ahead, across chunks,
   * and `take` returns them later. Holds at most `max` rows and a chunk more.
   */
  async sample(max: number): Promise<Row[]> {
    const rows: Row[] = [];
    if (!(await this.fill())) return rows;
    const add = (chunk: readonly Row[], from: number) => {
      for (let i = from; i < chunk.length && rows.length < max; i++) rows.push(chunk[i] as Row);
    };
    add(this.chunk, this.offset);
    for (const chunk of this.ahead) add(chunk, 0);
    while (rows.length < max && !this.ended) {
      const next = await this.chunks.next();
      if (next.done) this.ended = true;
      else {
        this.ahead.push(next.value);
        add(next.value, 0);
      }
    }
    return rows;
  }

  /** Loads the next chunk when the current one is used up; false at the end. */
  private async fill(): Promise<boolean> {
    while (this.offset >= this.chunk.length) {
      const next = this.ahead.shift() ?? (this.ended ? undefined : await this.nextChunk());
      if (next === undefined) {
        if (this.delivered !== this.source.count) {
          throw new Error(`row source ended after ${this.delivered} of ${this.source.count} rows`);
        }
        return false;
      }
      this.chunk = next;
      this.offset = 0;
    }
    return true;
  }

  private async nextChunk(): Promise<readonly Row[] | undefined> {
    const next = await this.chunks.next();
    if (next.done) this.ended = true;
    return next.done ? undefined : next.value;
  }

  /** Reads every remaining row. */
  async all(): Promise<Row[]> {
    const rows: Row[] = [];
    for (let run = await this.take(ROW_CHUNK); run.length > 0; run = await this.take(ROW_CHUNK)) {
      for (const row of run) rows.push(row);
    }
    return rows;
  }
}
