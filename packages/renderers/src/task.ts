import { type MessagePort, workerData } from "node:worker_threads";
import type { ReportSpec } from "@reports/contracts";
import { move, transferableSymbol, valueSymbol } from "piscina";
import { type RenderErrorType, toRenderError } from "./errors";
import { registerFallbackFonts } from "./fallback-fonts";
import type { RenderLimits } from "./limits";
import { preloadRenderers, type RenderedFile, renderRows } from "./render";
import { portSources, type RowsRequest } from "./row-feed";

/** What the pool sends a worker thread: the spec without rows, each table's row count, and a port for the rest. */
export interface RenderTask {
  spec: ReportSpec;
  counts: number[];
  limits: Partial<RenderLimits>;
  port: MessagePort;
}

/** Events on the task's port, from the thread: one "started", then progress and requests for rows, one "done". */
export type TaskEvent =
  | { kind: "started" }
  | { kind: "progress"; rowsDone: number; rowsTotal: number }
  | RowsRequest
  | { kind: "done" };

/** Errors come back as data: a thrown error loses its `type` when it is cloned to the main thread. */
export type TaskOutcome =
  | { ok: true; data: Uint8Array; contentType: string; extension: RenderedFile["extension"] }
  | { ok: false; type: RenderErrorType; message: string };

/** What every thread of a pool is started with. */
export interface ThreadData {
  fallbackFonts: string[];
}

// Runs while piscina starts the thread, before it takes a task: render time excludes warm-up.
registerFallbackFonts((workerData as ThreadData | null)?.fallbackFonts ?? []);
await preloadRenderers();

/** The piscina task: renders one spec in this worker thread. */
export default async function renderTask({ spec, counts, limits, port }: RenderTask) {
  port.postMessage({ kind: "started" } satisfies TaskEvent);
  try {
    const file = await renderRows(spec, portSources(port, counts), {
      limits,
      onProgress: (rowsDone, rowsTotal) =>
        port.postMessage({ kind: "progress", rowsDone, rowsTotal } satisfies TaskEvent),
    });
    const data = ownedBytes(file.data);
    const outcome: TaskOutcome = { ok: true, data, contentType: file.contentType, extension: file.extension };
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

/** A Buffer may be a view into Node's shared allocation pool; only a buffer of its own may be transferred. */
function ownedBytes(bytes: Buffer): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}
