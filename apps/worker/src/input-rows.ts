import { createGunzip } from "node:zlib";
import { inputKey, type Row, type StoredInput } from "@reports/contracts";
import type { RowSource } from "@reports/renderers";
import { type Storage, StorageError } from "@reports/storage";
import split2 from "split2";

/** Rows handed to the renderer at a time: a few megabytes however big the report. */
const CHUNK_ROWS = 2_000;

/**
 * The rows of a streamed report, read from object storage as the renderer asks for them: one source per
 * table, each opening its object on first read, so the worker never holds more than a few chunks.
 * The BFF checked every row before storing it.
 */
export function storedRowSources(storage: Storage, input: StoredInput): RowSource[] {
  return input.counts.map((count, table) => ({
    count,
    async *chunks() {
      if (count === 0) return;
      const key = inputKey(input, table);
      const body = await storage.get(key);
      if (!body) {
        // removed by hand or by a lifecycle rule: no attempt will find it again
        throw new StorageError(`the rows of table ${table} are gone from storage (${key})`, {
          retryable: false,
          operation: "get",
          key,
        });
      }
      const gunzip = createGunzip();
      const lines = body.pipe(gunzip).pipe(split2());
      body.on("error", (error) => lines.destroy(error));
      gunzip.on("error", (error) => lines.destroy(error));
      try {
        let chunk: Row[] = [];
        for await (const line of lines as AsyncIterable<string>) {
          if (line === "") continue;
          chunk.push(JSON.parse(line) as Row);
          if (chunk.length === CHUNK_ROWS) {
            yield chunk;
            chunk = [];
          }
        }
        if (chunk.length > 0) yield chunk;
      } finally {
        body.destroy();
      }
    },
  }));
}
