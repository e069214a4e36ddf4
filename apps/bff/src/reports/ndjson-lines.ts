import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";
import { ApiError, ClientGoneError } from "../http/errors";

/** What one streamed body may cost: every limit is checked as the bytes arrive, not after. */
export interface UploadLimits {
  /** Bytes on the wire (compressed, when gzipped): `MAX_UPLOAD_BYTES`. */
  maxBytes: number;
  /** Bytes after gunzip: `MAX_UPLOAD_DECOMPRESSED_BYTES`. */
  maxDecompressedBytes: number;
  /** Lines, blank ones included: `MAX_UPLOAD_LINES`. */
  maxLines: number;
  /** Milliseconds from the first byte read to the last: `UPLOAD_TIMEOUT_MS`. */
  timeoutMs: number;
  /** Characters of one line. */
  maxLineLength: number;
}

/**
 * Streams the lines of a request body (identity or gzip) into `onLine`, one at a time and in order,
 * under `limits`. Every stream of the chain is wired with `stream.pipeline`, so whatever fails (the
 * client, gunzip, a limit, `onLine`) destroys all of them and rejects here: nothing is left to emit an
 * unhandled `'error'`. A client that goes away rejects with `ClientGoneError` at once, and so stops the work.
 *
 * @example
 * await readLines(c.req.raw, limits, (line) => receiver.line(line));
 */
export async function readLines(
  request: Request,
  limits: UploadLimits,
  onLine: (line: string) => undefined | Promise<void>,
): Promise<void> {
  if (!request.body) throw new ApiError("VALIDATION_FAILED", "The body is empty: send the spec line, then the rows.");
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && encoding !== "gzip") {
    throw new ApiError("UNSUPPORTED_MEDIA_TYPE", `Content-Encoding "${encoding}" is not supported; send gzip or none.`);
  }
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = AbortSignal.any([request.signal, timeout]);
  const wire = Readable.fromWeb(request.body as WebReadableStream<Uint8Array>);
  // the first refusal is the answer: pipeline may report the teardown it caused (an AbortError) instead
  let refusal: unknown;
  const refuse = (error: unknown) => {
    refusal ??= error;
    return error;
  };
  const wireLimit = byteLimit(limits.maxBytes, "MAX_UPLOAD_BYTES", "on the wire", refuse);
  const decoded = decodedLimit(limits, refuse);
  const split = lineRuns(limits.maxLineLength);
  const consume = async (source: AsyncIterable<string[]>) => {
    try {
      for await (const lines of source) {
        for (const line of lines) {
          // a line still waiting for its end is checked by the splitter; one that ended within a chunk here
          if (line.length > limits.maxLineLength) throw lineTooLong(limits.maxLineLength);
          const pending = onLine(line);
          if (pending) await pending;
        }
      }
    } catch (error) {
      // an abort (the client left, the time limit) reaches the consumer too on Node 22: not a refusal of ours
      throw signal.aborted ? error : refuse(error);
    }
  };
  try {
    if (encoding === "gzip") {
      await pipeline(wire, wireLimit, createGunzip(), decoded, split, consume, { signal });
    } else {
      await pipeline(wire, wireLimit, decoded, split, consume, { signal });
    }
  } catch (error) {
    // the client's departure and the time limit surface as whatever the stream was doing: ask the signals first
    if (refusal !== undefined) throw readError(refusal);
    if (request.signal.aborted) throw new ClientGoneError(error);
    if (timeout.aborted) {
      throw new ApiError("LIMIT_EXCEEDED", `The body took over ${limits.timeoutMs} ms to arrive (UPLOAD_TIMEOUT_MS).`, [
        { path: "body", message: `sent within ${limits.timeoutMs} ms (UPLOAD_TIMEOUT_MS)` },
      ]);
    }
    throw readError(error);
  }
}

/** Turns what reading the body threw into the client's error. */
function readError(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  const code = (error as { code?: unknown })?.code;
  if (code === "Z_DATA_ERROR" || code === "Z_BUF_ERROR") {
    return new ApiError("VALIDATION_FAILED", "The body is not valid gzip.");
  }
  // the body stream itself failed (the connection broke mid-body): the client's side, never a backing service
  if (code === "ECONNRESET" || (error instanceof Error && error.message === "aborted")) {
    return new ClientGoneError(error);
  }
  return error;
}

/**
 * Splits UTF-8 bytes into lines (`\n` or `\r\n` ends), handed on as one array per chunk: a line costs an array
 * slot, not a stream push and an await of its own. A line still waiting for its end past `maxLineLength` fails.
 */
function lineRuns(maxLineLength: number): Transform {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      const lines = (rest + decoder.write(chunk)).split(LINE_END);
      rest = lines.pop() ?? "";
      if (rest.length > maxLineLength) done(lineTooLong(maxLineLength));
      else done(null, lines.length > 0 ? lines : undefined);
    },
    flush(done: TransformCallback) {
      rest += decoder.end();
      done(null, rest === "" ? undefined : [rest]);
    },
  });
}
const LINE_END = /\r?\n/;

const lineTooLong = (max: number) =>
  new ApiError("PAYLOAD_TOO_LARGE", `A line is over ${max} characters; no row needs that many.`);

/** Counts bytes through; past `max` the stream fails with 413 naming `setting`. */
function byteLimit(max: number, setting: string, where: string, refuse: (error: unknown) => unknown): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      seen += chunk.byteLength;
      if (seen > max) {
        done(
          refuse(
            new ApiError("PAYLOAD_TOO_LARGE", `The body is over the limit of ${max} bytes ${where} (${setting}).`, [
              { path: "body", message: `at most ${max} bytes ${where} (${setting})` },
            ]),
          ) as Error,
        );
      } else done(null, chunk);
    },
  });
}

/**
 * Counts the decoded bytes and the line ends in them, before they are split: an inflating body or a
 * flood of blank lines is refused at memchr speed, not after a million empty strings went through the parser.
 */
function decodedLimit(limits: UploadLimits, refuse: (error: unknown) => unknown): Transform {
  let bytes = 0;
  let lines = 0;
  const tooLarge = (detail: string, message: string) =>
    refuse(new ApiError("PAYLOAD_TOO_LARGE", detail, [{ path: "body", message }])) as Error;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      bytes += chunk.byteLength;
      if (bytes > limits.maxDecompressedBytes) {
        const max = limits.maxDecompressedBytes;
        done(
          tooLarge(
            `The body is over the limit of ${max} bytes once decompressed (MAX_UPLOAD_DECOMPRESSED_BYTES).`,
            `at most ${max} bytes once decompressed (MAX_UPLOAD_DECOMPRESSED_BYTES)`,
          ),
        );
        return;
      }
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) {
        if (++lines > limits.maxLines) {
          done(
            tooLarge(
              `The body has over ${limits.maxLines} lines (MAX_UPLOAD_LINES).`,
              `at most ${limits.maxLines} lines, blank ones included (MAX_UPLOAD_LINES)`,
            ),
          );
          return;
        }
      }
      done(null, chunk);
    },
  });
}
