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
export function specOutline(spec: ReportSpec): { outline: ReportSpec; counts: number[] } {
  return {
    outline: { ...spec, tables: spec.tables.map((table) => ({ ...table, rows: [] })) },
    counts: spec.tables.map((table) => table.rows.length),
  };
}

/** Main thread: answers a render thread's request with the next chunk of a table's rows. */
export function replyRows(port: MessagePort, spec: ReportSpec, request: RowsRequest): void {
  const rows = spec.tables[request.table]?.rows.slice(request.from, request.from + ROW_CHUNK) ?? [];
  port.postMessage({ ...request, rows } satisfies RowsReply);
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
