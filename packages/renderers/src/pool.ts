import { availableParallelism } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";
import type { ReportSpec } from "@reports/contracts";
import { Piscina } from "piscina";
import { RenderError, toRenderError } from "./errors";
import type { RenderLimits } from "./limits";
import type { RenderedFile, RenderOptions } from "./render";
import { replyRows, rowFeed, specOutline } from "./row-feed";
import type { DataAck, RenderTask, TaskEvent, TaskOutcome, ThreadData } from "./task";

export interface RenderPoolOptions {
  /** Worker threads, each rendering one report at a time. Default: the number of CPUs. */
  maxThreads?: number;
  /**
   * Threads started with the pool and kept warm (a cold thread loads the renderers and fonts first: seconds
   * under load, longer than a one-row report takes). Default: 1.
   */
  minThreads?: number;
  /**
   * A thread beyond `minThreads` with nothing to render for this long exits (Infinity: never). Default: 60,000.
   */
  idleTimeoutMs?: number;
  /** Time limit of one render, from the moment a thread starts it (queueing excluded). Default: 120,000. */
  timeoutMs?: number;
  /** Heap ceiling of each thread; a render that needs more fails with TOO_LARGE. Default: Node's. */
  maxHeapMb?: number;
  /**
   * Font files (TTF, OTF) for characters DejaVu Sans lacks, tried in order, e.g. CJK from Debian's
   * fonts-droid-fallback: `/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf`. Default: none.
   */
  fallbackFonts?: string[];
  /** Size limits of every render (a render's own `limits` override them). Default: `DEFAULT_RENDER_LIMITS`. */
  limits?: Partial<RenderLimits>;
}

export interface RenderPool {
  /**
   * Renders in a worker thread. Rejects with a `RenderError` (RENDER_TIMEOUT past the time limit, the thread
   * then killed), or with the signal's reason when `signal` aborts (the thread is killed too).
   */
  render(spec: ReportSpec, options?: RenderOptions): Promise<RenderedFile>;
  /** Threads loaded now, rendering or idle (each holds the renderers, the fonts and their heap: ~100 MB). */
  threads(): number;
  /** Waits for running renders, then stops the threads. */
  close(): Promise<void>;
}

export const DEFAULT_RENDER_TIMEOUT_MS = 120_000;
const DRAIN_WAIT_MS = 1_000;

/**
 * A pool of worker threads that render reports off the event loop, with a hard time limit.
 *
 * @example
 * const pool = createRenderPool({ maxThreads: 2, timeoutMs: 60_000 });
 * const file = await pool.render(spec, { signal });
 * await pool.close();
 */
export function createRenderPool(options: RenderPoolOptions = {}): RenderPool {
  const timeoutMs = options.timeoutMs ?? DEFAULT_RENDER_TIMEOUT_MS;
  const maxThreads = options.maxThreads ?? availableParallelism();
  const piscina = new Piscina<RenderTask, TaskOutcome>({
    filename: fileURLToPath(new URL("./render-task.mjs", import.meta.url)),
    minThreads: Math.min(options.minThreads ?? 1, maxThreads),
    maxThreads,
    // Warm threads render ~40% faster; keep extra ones a while after a burst.
    idleTimeout: options.idleTimeoutMs ?? 60_000,
    workerData: { fallbackFonts: options.fallbackFonts ?? [] } satisfies ThreadData,
    ...(threadExecArgv(process.execArgv) ? { execArgv: [] } : {}),
    ...(options.maxHeapMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb } }),
  });
  // A thread that dies between tasks is replaced on the next run; without a listener piscina's 'error' would crash us.
  piscina.on("error", () => {});
  let closed = false;

  return {
    async render(spec, { signal, onProgress, limits, rows, output, assets, generatedAt } = {}) {
      signal?.throwIfAborted();
      if (closed) throw new RenderError("RENDER_FAILED", "the render pool is closed");
      const abort = new AbortController();
      const onCallerAbort = () => abort.abort(signal?.reason);
      signal?.addEventListener("abort", onCallerAbort, { once: true });
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      let feedError: unknown;
      const feed = rowFeed(spec, rows);
      const { port1, port2 } = new MessageChannel();
      // The thread's last event on our port: the progress events before it have been handled.
      let onDone = () => {};
      const drained = new Promise<void>((resolve) => {
        onDone = resolve;
      });
      // The sink's writes, one after the other, each acknowledged to the thread once it is done.
      let writing = Promise.resolve();
      const write = (chunk: Uint8Array) => {
        writing = writing.then(async () => {
          if (feedError !== undefined || !output) return;
          try {
            await output(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
            port1.postMessage({ kind: "ack", bytes: chunk.byteLength } satisfies DataAck);
          } catch (error) {
            // The caller's sink failed (an upload): stop the thread, give back the sink's error.
            feedError ??= error;
            abort.abort();
          }
        });
      };
      port1.on("message", (event: TaskEvent) => {
        if (event.kind === "data") write(event.chunk);
        else if (event.kind === "rows") {
          feed.read(event).then(
            (chunk) => replyRows(port1, event, chunk),
            (error: unknown) => {
              // The caller's source failed (storage, network): stop the thread, give back the source's error.
              feedError ??= error;
              abort.abort();
            },
          );
        } else if (event.kind === "progress") onProgress?.(event.rowsDone, event.rowsTotal);
        else if (event.kind === "done") onDone();
        else if (timer === undefined) {
          timer = setTimeout(() => {
            timedOut = true;
            abort.abort();
          }, timeoutMs);
        }
      });
      try {
        const { outline, counts } = specOutline(spec, rows);
        const task: RenderTask = {
          spec: outline,
          counts,
          limits: { ...options.limits, ...limits },
          port: port2,
          stream: output !== undefined,
          ...(assets ? { assets } : {}),
          ...(generatedAt === undefined ? {} : { generatedAt }),
        };
        const outcome = await piscina.run(task, { signal: abort.signal, transferList: [port2] });
        // The result travels on piscina's channel: wait for the last events on ours (every data event has
        // come before "done"), then for the sink to take the last bytes.
        await Promise.race([drained, sleep(output ? timeoutMs : DRAIN_WAIT_MS, undefined, { ref: false })]);
        await writing;
        if (feedError !== undefined) throw feedError;
        if (!outcome.ok) throw new RenderError(outcome.type, outcome.message);
        const { data } = outcome;
        return {
          data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
          bytes: outcome.bytes,
          contentType: outcome.contentType,
          extension: outcome.extension,
          warnings: outcome.warnings,
        };
      } catch (error) {
        if (error instanceof RenderError) throw error;
        if (feedError !== undefined) throw feedError;
        if (timedOut) throw new RenderError("RENDER_TIMEOUT", `rendering took longer than ${timeoutMs} ms`);
        if (signal?.aborted) throw signal.reason;
        throw poolError(error);
      } finally {
        clearTimeout(timer);
        feed.close();
        signal?.removeEventListener("abort", onCallerAbort);
        port1.close();
      }
    },
    threads: () => piscina.threads.length,
    async close() {
      closed = true;
      await piscina.close();
    },
  };
}

/**
 * No flags for the threads when the process runs under tsx: the thread's entry loads the built bundle, or
 * registers tsx itself when there is none, so a thread never pays for a second copy of tsx's hooks (~25 MB each).
 * Not the other flags either: Node refuses per-process ones (`--expose-gc`, `--max-old-space-size`) given to a
 * thread explicitly, and a thread's heap comes from `maxHeapMb`. Otherwise the threads inherit, as by default.
 */
export function threadExecArgv(argv: readonly string[]): string[] | undefined {
  const tsx = /^(--(import|loader|experimental-loader|require)=)?tsx(\/.*)?$/;
  return argv.some((flag) => tsx.test(flag)) ? [] : undefined;
}

function poolError(error: unknown): RenderError {
  if ((error as { code?: unknown })?.code === "ERR_WORKER_OUT_OF_MEMORY") {
    return new RenderError("TOO_LARGE", "the report needs more memory than a render thread may use", { cause: error });
  }
  return toRenderError(error);
}
