import type { StatusCache } from "@reports/cache";
import { type CachedStatus, isFinal, type ReportStatus } from "@reports/contracts";
import type { Logger } from "@reports/logger";
import { ApiError } from "../http/errors";

/** How often a report's streams re-read its status when no event came: heals an event lost in a Redis reconnection. */
export const RECHECK_MS = 15_000;
/** How often they re-read when the cache cannot deliver events at all (Redis down). */
export const POLL_MS = 1_000;

/** Caps on open status streams, per BFF process. */
export interface StreamLimits {
  perOwner: number;
  total: number;
}

/** What a stream needs of the app: the status events, and the owner-checked read of one status. */
export interface StreamSources {
  cache: Pick<StatusCache, "subscribe">;
  /** `live` false: the events do not flow (Redis is down), so the read skips the cache too. */
  read(requestId: string, owner: string, live: boolean): Promise<ReportStatus>;
  logger: Logger;
}

/** Whether `next` moves a client forward from `last`: a later write, or more progress within one write. */
export function isNewer(next: ReportStatus | CachedStatus, last: ReportStatus): boolean {
  if (next.updatedAt !== last.updatedAt) return next.updatedAt > last.updatedAt;
  if (next.status !== last.status) return isFinal(next.status);
  return (next.progress ?? -1) > (last.progress ?? -1);
}

/** A queue a listener pushes into and one async reader waits on. */
class Mailbox<T> {
  readonly #items: T[] = [];
  #wake: (() => void) | undefined;

  push(item: T): void {
    this.#items.push(item);
    this.#wake?.();
  }

  /** The next item, or undefined once `signal` aborts. */
  async take(signal: AbortSignal): Promise<T | undefined> {
    while (this.#items.length === 0 && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener("abort", done);
          this.#wake = undefined;
          resolve();
        };
        signal.addEventListener("abort", done, { once: true });
        this.#wake = done;
      });
    }
    return signal.aborted ? undefined : this.#items.shift();
  }
}

/** One report watched for all its open streams in this process: one listener on the events, one re-read timer. */
interface Watch {
  streams: Set<(status: ReportStatus) => void>;
  ready: Promise<boolean>;
  stop(): void;
}

/**
 * The process's open status streams (SSE and tRPC subscriptions). It admits at most `perOwner` per owner and
 * `total` in all (one more: 429), and watches each report once however many streams follow it: one listener on the
 * cache's status events (themselves one Redis subscription per process) and one re-read every `RECHECK_MS`
 * (`POLL_MS` without events), fanned out to the report's streams. A thousand streams on one report cost one read
 * per interval, not a thousand.
 *
 * @example
 * const streams = new StatusStreams({ perOwner: 20, total: 1_000 });
 * for await (const status of await streams.open(sources, requestId, owner, signal)) send(status);
 */
export class StatusStreams {
  readonly #limits: StreamLimits;
  #open = 0;
  readonly #byOwner = new Map<string, number>();
  readonly #watches = new Map<string, Watch>();

  constructor(limits: StreamLimits) {
    this.#limits = limits;
  }

  /** Streams open now, and the reports they watch. */
  get load(): { streams: number; watched: number } {
    return { streams: this.#open, watched: this.#watches.size };
  }

  /**
   * Opens a live view of one report's status for `owner`: joins the report's watch, waits until events flow, then
   * reads the current status (so nothing published in between is lost). Throws 429 past a cap, and the read's errors
   * (malformed id, 404 for an unknown or another owner's request) before anything is streamed; the generator then
   * yields the current status at once and every newer one until a final state, or until `signal` aborts.
   */
  async open(
    sources: StreamSources,
    requestId: string,
    owner: string,
    signal: AbortSignal,
  ): Promise<AsyncGenerator<ReportStatus>> {
    const leave = this.#admit(owner);
    const mailbox = new Mailbox<ReportStatus>();
    const watch = this.#watch(sources, requestId.toLowerCase(), owner);
    const deliver = (status: ReportStatus) => mailbox.push(status);
    watch.streams.add(deliver);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      signal.removeEventListener("abort", close);
      watch.streams.delete(deliver);
      if (watch.streams.size === 0) watch.stop();
      leave();
    };
    // a client gone before the stream is first read still releases its place
    signal.addEventListener("abort", close, { once: true });
    let first: ReportStatus;
    try {
      first = await sources.read(requestId, owner, await watch.ready);
    } catch (error) {
      close();
      throw error;
    }

    async function* stream(): AsyncGenerator<ReportStatus> {
      try {
        let last = first;
        yield last;
        while (!isFinal(last.status) && !signal.aborted) {
          const next = await mailbox.take(signal);
          if (next && isNewer(next, last)) {
            last = next;
            yield last;
          }
        }
      } finally {
        close();
      }
    }
    return stream();
  }

  #admit(owner: string): () => void {
    const { perOwner, total } = this.#limits;
    const mine = this.#byOwner.get(owner) ?? 0;
    if (mine >= perOwner) {
      throw new ApiError(
        "RATE_LIMITED",
        `At most ${perOwner} open status streams per owner (MAX_STREAMS_PER_OWNER); close one, or follow several reports' statuses by polling.`,
        undefined,
        5,
      );
    }
    if (this.#open >= total) {
      throw new ApiError(
        "RATE_LIMITED",
        `This server holds its most open status streams (${total}, MAX_STREAMS); try again shortly.`,
        undefined,
        5,
      );
    }
    this.#open += 1;
    this.#byOwner.set(owner, mine + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#open -= 1;
      const now = (this.#byOwner.get(owner) ?? 1) - 1;
      if (now === 0) this.#byOwner.delete(owner);
      else this.#byOwner.set(owner, now);
    };
  }

  #watch(sources: StreamSources, key: string, owner: string): Watch {
    // by owner too: a watch re-reads as its owner, and another owner's streams fail their first read (404) anyway
    const id = `${owner}\n${key}`;
    const existing = this.#watches.get(id);
    if (existing) return existing;
    const streams = new Set<(status: ReportStatus) => void>();
    const fanOut = (status: ReportStatus) => {
      for (const deliver of streams) deliver(status);
    };
    let live = true;
    const reread = () =>
      sources.read(key, owner, live).then(fanOut, (error: unknown) => {
        sources.logger.warn({ err: error, requestId: key }, "could not re-read a streamed status");
      });
    let rereading = false;
    const recheck = () => {
      // one read at a time: a slow database does not pile them up
      if (rereading) return;
      rereading = true;
      void reread().finally(() => {
        rereading = false;
      });
    };
    const onEvent = (event: CachedStatus) => {
      const status = toClientStatus(event);
      // a final status is read back for its freshly signed download link
      if (!isFinal(event.status)) fanOut(status);
      else
        sources.read(key, owner, live).then(
          (read) => fanOut(isNewer(status, read) ? status : read),
          () => fanOut(status),
        );
    };
    const unsubscribe = sources.cache.subscribe(key, onEvent);
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const ready = unsubscribe.ready;
    void ready.then((flowing) => {
      live = flowing;
      if (stopped) return;
      timer = setInterval(recheck, live ? RECHECK_MS : POLL_MS);
      timer.unref();
    });
    const watch: Watch = {
      streams,
      ready,
      stop: () => {
        stopped = true;
        clearInterval(timer);
        unsubscribe();
        if (this.#watches.get(id) === watch) this.#watches.delete(id);
      },
    };
    this.#watches.set(id, watch);
    return watch;
  }
}

function toClientStatus(cached: CachedStatus): ReportStatus {
  const { fileKey: _fileKey, version: _version, owner: _owner, ...status } = cached;
  return { ...status, url: null };
}
