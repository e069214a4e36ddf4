import { reportMessage } from "@reports/contracts";
import { type Logger, silentLogger } from "@reports/logger";
import { decodeMessage, prefetchOf, runHandler } from "./delivery";
import { type ConsumerHandle, type DeadLetterInfo, type Handler, QueueClosedError, type ReportQueue } from "./types";

export interface MemoryQueue extends ReportQueue {
  /** The bodies dead-lettered so far, oldest first, with the reason when the worker gave one. */
  deadLetters(): ReadonlyArray<{ body: string; info: Partial<DeadLetterInfo> }>;
  /** Enqueues a body exactly as if it came off the wire, unchecked: lets tests exercise the consumer's guard. */
  publishRaw(body: string): Promise<void>;
}

interface MemoryConsumer {
  handler: Handler;
  prefetch: number;
  inFlight: Set<Promise<void>>;
}

/**
 * The in-process queue of the embedded mode, with the RabbitMQ driver's semantics: bodies travel as JSON and are
 * validated on delivery, at most `prefetch` handlers per consumer, a throw dead-letters, close() waits for
 * handlers. Messages live in memory only: after a restart the sweeper republishes what was still queued.
 *
 * @example
 * const queue = createMemoryQueue({ logger });
 * await queue.consume(async ({ message }) => runJob(message), { prefetch: 2 });
 * await queue.publish({ requestId, attempt: 1 });
 */
export function createMemoryQueue(options: { logger?: Logger } = {}): MemoryQueue {
  const log = (options.logger ?? silentLogger()).child({ component: "queue" });
  const ready: string[] = [];
  const deadLetters: Array<{ body: string; info: Partial<DeadLetterInfo> }> = [];
  const delayed = new Set<NodeJS.Timeout>();
  const consumers = new Set<MemoryConsumer>();
  const handles = new Set<ConsumerHandle>();
  let pumpScheduled = false;
  let closed = false;
  let closing: Promise<void> | undefined;

  // a later turn, never inside publish's call stack, as with a broker
  function schedulePump() {
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(pump);
  }

  function pump() {
    pumpScheduled = false;
    let started = true;
    while (ready.length > 0 && started) {
      started = false;
      for (const consumer of consumers) {
        if (consumer.inFlight.size >= consumer.prefetch) continue;
        const body = ready.shift();
        if (body === undefined) return;
        deliver(consumer, body);
        started = true;
      }
    }
  }

  function deliver(consumer: MemoryConsumer, body: string) {
    const run: Promise<void> = runHandler(consumer.handler, body, false, log)
      .then((outcome) => {
        if (outcome === "dead-letter") deadLetters.push({ body, info: { reason: "unprocessable" } });
      })
      .finally(() => {
        consumer.inFlight.delete(run);
        schedulePump();
      });
    consumer.inFlight.add(run);
  }

  function enqueue(body: string) {
    if (closed) throw new QueueClosedError();
    ready.push(body);
    schedulePump();
  }

  return {
    async publish(message) {
      enqueue(JSON.stringify(reportMessage.parse(message)));
    },

    async retry(message, delayMs) {
      const body = JSON.stringify(reportMessage.parse(message));
      if (closed) throw new QueueClosedError();
      // in memory only, like the rest of this queue: after a restart the sweeper republishes
      const timer = setTimeout(() => {
        delayed.delete(timer);
        if (!closed) enqueue(body);
      }, delayMs);
      timer.unref();
      delayed.add(timer);
    },

    async deadLetter(message, info) {
      if (closed) throw new QueueClosedError();
      deadLetters.push({ body: JSON.stringify(reportMessage.parse(message)), info });
    },

    async removeDeadLetters(requestIds) {
      let removed = 0;
      for (let i = deadLetters.length - 1; i >= 0; i--) {
        const decoded = decodeMessage((deadLetters[i] as { body: string }).body);
        if (decoded.ok && requestIds.has(decoded.message.requestId)) {
          deadLetters.splice(i, 1);
          removed++;
        }
      }
      return removed;
    },

    async pruneDeadLetters(stillFailed) {
      const ids = deadLetters.flatMap(({ body }) => {
        const decoded = decodeMessage(body);
        return decoded.ok ? [decoded.message.requestId] : [];
      });
      const failed = await stillFailed(ids);
      let removed = 0;
      for (let i = deadLetters.length - 1; i >= 0; i--) {
        const decoded = decodeMessage((deadLetters[i] as { body: string }).body);
        if (decoded.ok && !failed.has(decoded.message.requestId)) {
          deadLetters.splice(i, 1);
          removed++;
        }
      }
      return removed;
    },

    async publishRaw(body) {
      enqueue(body);
    },

    async consume(handler, consumeOptions = {}) {
      if (closed) throw new QueueClosedError();
      const consumer: MemoryConsumer = { handler, prefetch: prefetchOf(consumeOptions), inFlight: new Set() };
      consumers.add(consumer);
      schedulePump();
      let stopping: Promise<void> | undefined;
      const handle: ConsumerHandle = {
        close() {
          consumers.delete(consumer);
          stopping ??= Promise.allSettled(consumer.inFlight).then(() => {
            handles.delete(handle);
          });
          return stopping;
        },
      };
      handles.add(handle);
      return handle;
    },

    async depth() {
      return { ready: ready.length, retrying: delayed.size, deadLettered: deadLetters.length };
    },

    deadLetters() {
      return [...deadLetters];
    },

    close() {
      closed = true;
      for (const timer of delayed) clearTimeout(timer);
      delayed.clear();
      closing ??= Promise.all([...handles].map((handle) => handle.close())).then(() => undefined);
      return closing;
    },
  };
}
