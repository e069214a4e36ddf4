import { randomUUID } from "node:crypto";
import type { EventEmitter } from "node:events";
import { setImmediate as nextTurn } from "node:timers/promises";
import { DEFAULT_RETRY_POLICY, delayLevels, type ReportMessage, reportMessage } from "@reports/contracts";
import { type Logger, silentLogger } from "@reports/logger";
import { Connection, type Consumer, ConsumerStatus, type Envelope, type ReturnedMessage } from "rabbitmq-client";
import { decodeMessage, prefetchOf, runHandler } from "./delivery";
import { TOPOLOGY, type Topology, topology } from "./topology";
import {
  BrokerUnavailableError,
  type ConsumeOptions,
  type ConsumerHandle,
  type Handler,
  PublishTimeoutError,
  QueueClosedError,
  type ReportQueue,
  UnroutableMessageError,
} from "./types";

export interface RabbitQueueConfig {
  /** amqp://user:password@host:5672/vhost */
  url: string;
  /** Prepended to every exchange and queue name; tests use a unique one per file. */
  prefix?: string;
  logger?: Logger;
  /** Shown by the management UI and `rabbitmqctl list_connections user_provided_name`. */
  connectionName?: string;
  /** The delays `retry()` may ask for: one retry queue each (default: the default retry policy's). */
  retryDelaysMs?: readonly number[];
  /**
   * A publish the broker has not confirmed within this rejects with {@link PublishTimeoutError} (default 5,000):
   * without it, a publish waits out the client's reconnects (3 × 20 s) while the broker is away. The message may
   * still go out later; the claim makes a duplicate harmless.
   */
  publishTimeoutMs?: number;
  /** Longest wait between reconnect attempts (default 5,000): the broker's return is noticed within it. */
  reconnectMaxDelayMs?: number;
}

/** Publish attempts across a lost connection; a duplicate is harmless because the worker's claim is idempotent. */
const PUBLISH_ATTEMPTS = 3;

/**
 * Connects to RabbitMQ, declares the topology (idempotently) and returns the report queue. Rejects when the
 * topology cannot be declared, e.g. the broker is unreachable for 20 s or a queue exists with other arguments.
 *
 * @example
 * const queue = await createRabbitQueue({ url: env.RABBITMQ_URL, logger });
 * await queue.publish({ requestId, attempt: 1 });
 * const consumer = await queue.consume(async ({ message }) => runJob(message), { prefetch: 2 });
 */
export async function createRabbitQueue(config: RabbitQueueConfig): Promise<ReportQueue> {
  const log = (config.logger ?? silentLogger()).child({ component: "queue" });
  const topo = topology(config.prefix, config.retryDelaysMs ?? delayLevels(DEFAULT_RETRY_POLICY));
  const levels = [...topo.names.retryQueues.keys()].sort((a, b) => a - b);
  const { names } = topo;

  const publishTimeoutMs = config.publishTimeoutMs ?? 5_000;
  const connection = new Connection({
    url: config.url,
    connectionName: config.connectionName ?? "@reports/queue",
    retryHigh: config.reconnectMaxDelayMs ?? 5_000,
  });
  // without an 'error' listener a lost connection crashes the process
  connection.on("error", (err) => log.error({ err }, "rabbitmq connection error"));
  connection.on("connection", () => log.info("rabbitmq connected"));
  connection.on("connection.blocked", (reason) => log.warn({ reason }, "rabbitmq blocked publishing"));
  connection.on("connection.unblocked", () => log.info("rabbitmq unblocked publishing"));

  try {
    await declareTopology(connection, topo);
  } catch (err) {
    await connection.close();
    throw err;
  }

  // the publisher re-declares the whole topology on every new channel, so a broker that lost it gets it back
  const publisher = connection.createPublisher({
    confirm: true,
    maxAttempts: PUBLISH_ATTEMPTS,
    exchanges: topo.exchanges,
    queues: topo.queues,
    queueBindings: topo.bindings,
  });
  // 5.0.8 neither types nor emits 'error' on the publisher; the listener keeps a future emit from crashing us
  (publisher as EventEmitter).on("error", (err) => log.error({ err }, "rabbitmq publisher error"));
  publisher.on("retry", (err, envelope: Envelope) =>
    log.warn({ err, messageId: envelope.messageId }, "publish failed; retrying"),
  );
  const returns = new Map<string, ReturnedMessage | undefined>();
  publisher.on("basic.return", (returned: ReturnedMessage) => {
    const messageId = returned.messageId;
    if (messageId !== undefined && returns.has(messageId)) returns.set(messageId, returned);
  });

  /** The one way a message leaves. */
  async function send(
    routingKey: string,
    message: ReportMessage,
    extra: Pick<Envelope, "expiration" | "headers" | "exchange"> = {},
  ): Promise<void> {
    const body = reportMessage.parse(message);
    const messageId = randomUUID();
    const exchange = extra.exchange ?? names.exchange;
    // the connection is down: fail at once instead of waiting out the timeout (the caller's outbox keeps it)
    if (!connection.ready) throw new BrokerUnavailableError();
    returns.set(messageId, undefined);
    try {
      const sent = publisher.send({ exchange, routingKey, mandatory: true, durable: true, messageId, ...extra }, body);
      await withTimeout(sent, publishTimeoutMs, () => new PublishTimeoutError(publishTimeoutMs));
      // the client resolves the confirm at once but emits basic.return on a later turn (setImmediate)
      await nextTurn();
      const returned = returns.get(messageId);
      if (returned) throw new UnroutableMessageError(exchange, routingKey, returned.replyText ?? "NO_ROUTE");
    } finally {
      returns.delete(messageId);
    }
  }

  const handles = new Set<ConsumerHandle>();
  let closed = false;
  let closing: Promise<void> | undefined;

  return {
    async publish(message) {
      if (closed) throw new QueueClosedError();
      await send(TOPOLOGY.workRoutingKey, message);
    },

    async retry(message, delayMs) {
      if (closed) throw new QueueClosedError();
      const level = levels.find((ms) => ms >= delayMs) ?? levels.at(-1);
      const retryQueue = level === undefined ? undefined : names.retryQueues.get(level);
      if (level === undefined || !retryQueue) {
        await send(TOPOLOGY.workRoutingKey, message);
        return;
      }
      // the queue's TTL is the ceiling; a shorter per-message expiration carries the jitter
      await send(retryQueue.routingKey, message, { expiration: String(Math.min(Math.max(0, delayMs), level)) });
    },

    async deadLetter(message, info) {
      if (closed) throw new QueueClosedError();
      await send(TOPOLOGY.deadLetterRoutingKey, message, {
        exchange: names.deadLetterExchange,
        headers: {
          "x-reports-reason": info.reason,
          "x-reports-error-type": info.errorType,
          "x-reports-attempts": info.attempts,
        },
      });
    },

    async removeDeadLetters(requestIds) {
      const channel = await connection.acquire();
      let removed = 0;
      const kept: number[] = [];
      try {
        // take every waiting message once (unacked ones are not handed out again), then give back the rest
        for (;;) {
          const msg = await channel.basicGet({ queue: names.deadLetterQueue });
          if (!msg) break;
          const decoded = decodeMessage(msg.body);
          if (decoded.ok && requestIds.has(decoded.message.requestId)) {
            channel.basicAck({ deliveryTag: msg.deliveryTag });
            removed++;
          } else {
            kept.push(msg.deliveryTag);
          }
        }
        for (const deliveryTag of kept) channel.basicNack({ deliveryTag, requeue: true });
      } finally {
        await channel.close();
      }
      return removed;
    },

    async pruneDeadLetters(stillFailed) {
      const channel = await connection.acquire();
      let removed = 0;
      const kept: number[] = [];
      let chunk: Array<{ deliveryTag: number; requestId: string | null }> = [];
      const decide = async () => {
        const ids = chunk.flatMap((m) => (m.requestId ? [m.requestId] : []));
        const failed = ids.length > 0 ? await stillFailed(ids) : new Set<string>();
        for (const m of chunk) {
          if (m.requestId !== null && !failed.has(m.requestId)) {
            channel.basicAck({ deliveryTag: m.deliveryTag });
            removed++;
          } else {
            kept.push(m.deliveryTag);
          }
        }
        chunk = [];
      };
      try {
        // every waiting message once (unacked ones are not handed out again), decided a chunk at a time
        for (;;) {
          const msg = await channel.basicGet({ queue: names.deadLetterQueue });
          if (!msg) break;
          const decoded = decodeMessage(msg.body);
          chunk.push({ deliveryTag: msg.deliveryTag, requestId: decoded.ok ? decoded.message.requestId : null });
          if (chunk.length >= 500) await decide();
        }
        await decide();
        for (const deliveryTag of kept) channel.basicNack({ deliveryTag, requeue: true });
      } finally {
        await channel.close();
      }
      return removed;
    },

    async consume(handler: Handler, options: ConsumeOptions = {}) {
      if (closed) throw new QueueClosedError();
      const prefetch = prefetchOf(options);
      const consumer = connection.createConsumer(
        {
          queue: names.workQueue,
          // re-declared on every reconnect: anything but the exact declaration is PRECONDITION_FAILED
          queueOptions: topo.workQueue,
          exchanges: topo.exchanges,
          queueBindings: topo.bindings.filter((binding) => binding.queue === names.workQueue),
          qos: { prefetchCount: prefetch },
          concurrency: prefetch,
          requeue: false,
        },
        async (msg) => {
          const outcome = await runHandler(handler, msg.body, msg.redelivered, log);
          return outcome === "ack" ? ConsumerStatus.ACK : ConsumerStatus.DROP;
        },
      );
      consumer.on("error", (err) => log.error({ err }, "rabbitmq consumer error"));
      try {
        await firstReady(consumer);
      } catch (err) {
        await consumer.close();
        throw err;
      }
      let stopping: Promise<void> | undefined;
      const handle: ConsumerHandle = {
        close() {
          stopping ??= consumer.close().finally(() => handles.delete(handle));
          return stopping;
        },
      };
      handles.add(handle);
      return handle;
    },

    async depth() {
      const work = await connection.queueDeclare({ queue: names.workQueue, passive: true });
      const dead = await connection.queueDeclare({ queue: names.deadLetterQueue, passive: true });
      let retrying = 0;
      for (const { queue } of names.retryQueues.values()) {
        retrying += (await connection.queueDeclare({ queue, passive: true })).messageCount;
      }
      return { ready: work.messageCount, retrying, deadLettered: dead.messageCount };
    },

    close() {
      closing ??= (async () => {
        closed = true;
        await Promise.all([...handles].map((handle) => handle.close()));
        await publisher.close();
        await connection.close();
      })();
      return closing;
    },
  };
}

/** Settles like `work`, or rejects with `timeoutError()` first; a late rejection of `work` is swallowed. */
async function withTimeout<T>(work: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
  });
  work.catch(() => {});
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function declareTopology(connection: Connection, topo: Topology): Promise<void> {
  for (const exchange of topo.exchanges) await connection.exchangeDeclare(exchange);
  for (const queue of topo.queues) await connection.queueDeclare(queue);
  for (const binding of topo.bindings) await connection.queueBind(binding);
}

/** Resolves when the consumer is subscribed; rejects on a setup failure (it would otherwise retry forever). */
function firstReady(consumer: Consumer): Promise<void> {
  return new Promise((resolve, reject) => {
    const onReady = () => {
      consumer.off("error", onError);
      resolve();
    };
    const onError = (err: unknown) => {
      consumer.off("ready", onReady);
      reject(err);
    };
    consumer.once("ready", onReady);
    consumer.once("error", onError);
  });
}
