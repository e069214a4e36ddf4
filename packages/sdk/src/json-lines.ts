import type { CellValue, ReportSpec, Table } from "./api-types";

/** One row of a table: column keys to cell values. */
export type Row = Record<string, CellValue>;

/** Rows read once: an async or sync iterable (an async generator, an array) or a `ReadableStream` of rows. */
export type RowSource = AsyncIterable<Row> | Iterable<Row> | ReadableStream<Row>;

/**
 * The rows of one table for a streamed `generate`: a source, or a function that opens a fresh one. Only
 * a function (or an array) can be read again, so only then is an upload that failed half-way retried.
 */
export type StreamedRows = RowSource | (() => RowSource);

/** A spec whose tables may leave their `rows` out: a streamed report gets them from `options.rows`. */
export type StreamedReportSpec = Omit<ReportSpec, "tables"> & {
  tables: Array<Omit<Table, "rows"> & { rows?: Row[] }>;
};

/** The line that moves the rows that follow to a later table (the API's JSON Lines format). */
const TABLE_DIRECTIVE = "$table";

/** Lines are handed on in runs of about this many characters: one chunk per row would be slow to compress. */
const CHUNK_CHARS = 64 * 1024;

/** A spec and its row sources, checked: every name in `rows` is a table of the spec. */
export function checkRowNames(spec: StreamedReportSpec, rows: Record<string, StreamedRows>): string[] {
  const names = new Set(spec.tables.map((t) => t.name));
  return Object.keys(rows).filter((name) => !names.has(name));
}

/** Whether every streamed table's rows can be read again (a function or an array), so the body can be made again. */
export function isReplayable(rows: Record<string, StreamedRows>): boolean {
  return Object.values(rows).every((source) => typeof source === "function" || Array.isArray(source));
}

/**
 * A report as JSON Lines (the first line the spec without rows, then each table's rows, a `{"$table"}`
 * line before each later table), gzipped with `CompressionStream`. Rows are read and compressed only when
 * the consumer asks for the next compressed chunk, so a slow network slows the reading (backpressure) and
 * memory stays at a few chunks whatever the report's size. (Piping into Node 20's `CompressionStream`
 * would not do: it reads its input as fast as it comes, 26 MB ahead of a stalled socket in a test.)
 * `onStart` is called when the first row source is opened; `onSourceError` when reading the rows throws.
 * Aborting `stop` closes the row sources (their `finally` runs) even while a `fetch` holds the stream.
 */
export function jsonLinesBody(
  spec: StreamedReportSpec,
  rows: Record<string, StreamedRows>,
  hooks: { onStart?: () => void; onSourceError?: (error: unknown) => void; stop?: AbortSignal } = {},
): ReadableStream<Uint8Array> {
  const lines = reportLines(spec, rows, hooks.onStart);
  const encoder = new TextEncoder();
  const gzip = new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>;
  const writer = gzip.writable.getWriter();
  const reader = gzip.readable.getReader();
  let ended = false;
  const close = async (reason?: unknown) => {
    await lines.return(undefined).catch(() => {});
    await reader.cancel(reason).catch(() => {});
  };
  hooks.stop?.addEventListener("abort", () => void close(hooks.stop?.reason), { once: true });

  /** About `CHUNK_CHARS` of lines, or null after the last line. */
  const nextText = async (): Promise<string | null> => {
    let text = "";
    while (text.length < CHUNK_CHARS) {
      const next = await lines.next();
      if (next.done) return text === "" ? null : text;
      text += next.value;
    }
    return text;
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const output = reader.read();
        let ready = false;
        const settled = output.then(
          () => {
            ready = true;
          },
          () => {
            ready = true;
          },
        );
        // feed the compressor until it has a chunk to give
        while (!ready && !ended) {
          let text: string | null;
          try {
            text = await nextText();
          } catch (error) {
            hooks.onSourceError?.(error);
            controller.error(error);
            await writer.abort(error).catch(() => {});
            return;
          }
          if (text === null) {
            ended = true;
            writer.close().catch(() => {}); // the compressor's last chunks come out through `output`
          } else {
            await Promise.race([writer.write(encoder.encode(text)), settled]);
          }
        }
        const { done, value } = await output;
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: close,
    },
    { highWaterMark: 0 },
  );
}

async function* reportLines(
  spec: StreamedReportSpec,
  rows: Record<string, StreamedRows>,
  onStart?: () => void,
): AsyncGenerator<string, void, undefined> {
  const header = { ...spec, tables: spec.tables.map(({ rows: _rows, ...table }) => table) };
  yield `${JSON.stringify(header)}\n`;
  for (const [index, table] of spec.tables.entries()) {
    if (index > 0) yield `${JSON.stringify({ [TABLE_DIRECTIVE]: table.name })}\n`;
    const given = rows[table.name];
    const source = given === undefined ? (table.rows ?? []) : typeof given === "function" ? given() : given;
    onStart?.();
    let line = 0;
    for await (const row of iterate(source)) {
      line++;
      if (typeof row !== "object" || row === null || Array.isArray(row)) {
        throw new TypeError(`rows of "${table.name}": item ${line} is not a row object (column keys to values)`);
      }
      yield `${JSON.stringify(row)}\n`;
    }
  }
}

/** Any row source as an async iterable (a `ReadableStream` is not async-iterable in every browser yet). */
async function* iterate(source: RowSource): AsyncGenerator<Row, void, undefined> {
  if (isReadableStream(source)) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
  } else {
    yield* source;
  }
}

function isReadableStream(source: RowSource): source is ReadableStream<Row> {
  return typeof (source as ReadableStream<Row>).getReader === "function";
}
