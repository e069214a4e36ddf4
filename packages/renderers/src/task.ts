import { type MessagePort, workerData } from "node:worker_threads";
import type { ReportSpec } from "@reports/contracts";
import { move, transferableSymbol, valueSymbol } from "piscina";
import { type RenderErrorType, toRenderError } from "./errors";
import { registerFallbackFonts } from "./fallback-fonts";
import type { RenderLimits } from "./limits";
import { preloadRenderers, type RenderAssets, type RenderedFile, renderRows } from "./render";
import { portSources, type RowsRequest } from "./row-feed";
import type { ChunkSink } from "./sink";

/** What the pool sends a worker thread: the spec without rows, each table's row count, and a port for the rest. */
export interface RenderTask {
  spec: ReportSpec;
  counts: number[];
  limits: Partial<RenderLimits>;
  port: MessagePort;
  /** Send the file's bytes on `port` as they are made (`data` events) instead of in the outcome. */
  stream: boolean;
  /** The files the spec refers to (its logo), copied to the thread. */
  assets?: RenderAssets;
  generatedAt?: string;
}

/** Bytes sent on the port and not yet acknowledged, at most: the thread waits for the caller's sink beyond it. */
const STREAM_WINDOW = 4 << 20;

/** The main thread's answer to `data`: its sink took these bytes. */
export interface DataAck {
  kind: "ack";
  bytes: number;
}

/** Events on the task's port, from the thread: one "started", then progress and requests for rows, one "done". */
export type TaskEvent =
  | { kind: "started" }
  | { kind: "progress"; rowsDone: number; rowsTotal: number }
  | RowsRequest
  | { kind: "data"; chunk: Uint8Array }
  | { kind: "done" };

/** Errors come back as data: a thrown error loses its `type` when it is cloned to the main thread. */
export type TaskOutcome =
  | ({ ok: true; data: Uint8Array } & Omit<RenderedFile, "data">)
  | { ok: false; type: RenderErrorType; message: string };

/** What every thread of a pool is started with. */
export interface ThreadData {
  fallbackFonts: string[];
}

// Runs while piscina starts the thread, before it takes a task: render time excludes warm-up.
registerFallbackFonts((workerData as ThreadData | null)?.fallbackFonts ?? []);
await preloadRenderers();

/** The piscina task: renders one spec in this worker thread. */
export default async function renderTask({ spec, counts, limits, port, stream, assets, generatedAt }: RenderTask) {
  port.postMessage({ kind: "started" } satisfies TaskEvent);
  try {
    const file = await renderRows(spec, portSources(port, counts), {
      limits,
      ...(assets ? { assets } : {}),
      ...(generatedAt === undefined ? {} : { generatedAt }),
      ...(stream ? { output: portSink(port) } : {}),
      onProgress: (rowsDone, rowsTotal) =>
        port.postMessage({ kind: "progress", rowsDone, rowsTotal } satisfies TaskEvent),
    });
    const data = ownedBytes(file.data);
    const { bytes, contentType, extension, warnings } = file;
    const outcome: TaskOutcome = { ok: true, data, bytes, contentType, extension, warnings };
    // Transfers the bytes to the main thread instead of copying them.
    return move({ [transferableSymbol]: data.buffer, [valueSymbol]: outcome });
  } catch (error) {
    const { type, message } = toRenderError(error);
    return { ok: false, type, message } satisfies TaskOutcome;
  } finally {
    port.postMessage({ kind: "done" } satisfies TaskEvent);
    port.close();
  }
}

/** Sends the file's bytes to the main thread as they are made, waiting while more than a window is unacknowledged. */
function portSink(port: MessagePort): ChunkSink {
  let unacknowledged = 0;
  let wake: (() => void) | null = null;
  port.on("message", (message: DataAck | { kind: string }) => {
    if (message.kind !== "ack") return;
    unacknowledged -= (message as DataAck).bytes;
    if (wake && unacknowledged <= STREAM_WINDOW / 2) {
      wake();
      wake = null;
    }
  });
  return async (chunk) => {
    const own = new Uint8Array(chunk); // a copy with a buffer of its own, moved (not copied again) to the main thread
    unacknowledged += own.byteLength;
    port.postMessage({ kind: "data", chunk: own } satisfies TaskEvent, [own.buffer]);
    if (unacknowledged > STREAM_WINDOW) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };
}

/** A Buffer may be a view into Node's shared allocation pool; only a buffer of its own may be transferred. */
function ownedBytes(bytes: Buffer): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}
