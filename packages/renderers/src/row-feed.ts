import type { MessagePort } from "node:worker_threads";
import type { ReportSpec, Row } from "@reports/contracts";
import { ROW_CHUNK, type RowSource } from "./rows";

/** A render thread asks for the rows of a table from a row on. */
export interface RowsRequest {
  kind: "rows";
  table: number;
  from: number;
}

/** The main thread's answer: at most `ROW_CHUNK` rows. */
export interface RowsReply extends RowsRequest {
  rows: Row[];
}

/**
 * The spec without its rows, and the row count of each table: what the main thread sends a render thread.
 * Cloning a million rows at once would block the event loop for seconds and hold them twice; chunks do neither.
 */
export function specOutline(
  spec: ReportSpec,
  sources?: readonly RowSource[],
): { outline: ReportSpec; counts: number[] } {
  return {
    outline: { ...spec, tables: spec.tables.map((table) => ({ ...table, rows: [] })) },
    counts: spec.tables.map((table, t) => sources?.[t]?.count ?? table.rows.length),
  };
}

/**
 * Main thread: the chunks a render thread asks for, read from the spec's arrays or from the caller's sources
 * (re-cut to `ROW_CHUNK` rows; requests of a table come in order).
 */
export function rowFeed(spec: ReportSpec, sources?: readonly RowSource[]) {
  const readers = sources?.map((source) => new ChunkReader(source));
  return {
    async read({ table, from }: RowsRequest): Promise<Row[]> {
      const reader = readers?.[table];
      if (reader) return reader.read(from);
      return spec.tables[table]?.rows.slice(from, from + ROW_CHUNK) ?? [];
    },
    /** Lets go of the sources (a stream from storage closes) once the render is over, however it ended. */
    close(): void {
      for (const reader of readers ?? []) reader.close();
    },
  };
}

/** Sends a render thread the rows it asked for. */
export function replyRows(port: MessagePort, request: RowsRequest, rows: Row[]): void {
  port.postMessage({ ...request, rows } satisfies RowsReply);
}

/** Re-cuts a source's chunks, whatever their size, into chunks of `ROW_CHUNK` rows, one read at a time. */
class ChunkReader {
  private readonly chunks: AsyncIterator<readonly Row[]>;
  private current: readonly Row[] = [];
  private offset = 0;
  private position = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(source: RowSource) {
    this.chunks = source.chunks()[Symbol.asyncIterator]();
  }

  close(): void {
    this.queue = this.queue.then(() => this.chunks.return?.()).catch(() => {});
  }

  read(from: number): Promise<Row[]> {
    const next = this.queue.then(() => this.next(from));
    this.queue = next.catch(() => {});
    return next;
  }

  private async next(from: number): Promise<Row[]> {
    if (from !== this.position) throw new Error(`rows asked from ${from}, the source is at ${this.position}`);
    const rows: Row[] = [];
    while (rows.length < ROW_CHUNK) {
      if (this.offset >= this.current.length) {
        const next = await this.chunks.next();
        if (next.done) break;
        this.current = next.value;
        this.offset = 0;
        continue;
      }
      const take = Math.min(ROW_CHUNK - rows.length, this.current.length - this.offset);
      for (let i = 0; i < take; i++) rows.push(this.current[this.offset + i] as Row);
      this.offset += take;
    }
    this.position += rows.length;
    return rows;
  }
}

/**
 * Render thread: a row source per table that pulls chunks from the main thread through `port`,
 * asking for the next chunk while the renderer works on the current one.
 */
export function portSources(port: MessagePort, counts: readonly number[]): RowSource[] {
  const arrived = new Map<string, Row[]>();
  const waiting = new Map<string, (rows: Row[]) => void>();
  port.on("message", (message: RowsReply | { kind: string }) => {
    if (message.kind !== "rows") return;
    const { table, from, rows } = message as RowsReply;
    const key = `${table}:${from}`;
    const resolve = waiting.get(key);
    if (resolve) {
      waiting.delete(key);
      resolve(rows);
    } else arrived.set(key, rows);
  });
  const request = (table: number, from: number) =>
    port.postMessage({ kind: "rows", table, from } satisfies RowsRequest);
  const receive = (table: number, from: number) =>
    new Promise<Row[]>((resolve) => {
      const key = `${table}:${from}`;
      const rows = arrived.get(key);
      if (rows) {
        arrived.delete(key);
        resolve(rows);
      } else waiting.set(key, resolve);
    });
  return counts.map((count, table) => ({
    count,
    async *chunks() {
      if (count > 0) request(table, 0);
      for (let from = 0; from < count; from += ROW_CHUNK) {
        if (from + ROW_CHUNK < count) request(table, from + ROW_CHUNK);
        yield await receive(table, from);
      }
    },
  }));
}
