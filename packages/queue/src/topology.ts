import type { Cmd, MethodParams } from "rabbitmq-client";

type ExchangeDeclaration = MethodParams[Cmd.ExchangeDeclare];
type QueueDeclaration = MethodParams[Cmd.QueueDeclare];
type QueueBinding = MethodParams[Cmd.QueueBind];

/** The RabbitMQ names and routing keys, before any prefix. */
export const TOPOLOGY = {
  exchange: "reports",
  workQueue: "reports.generate",
  workRoutingKey: "generate",
  deadLetterExchange: "reports.dlx",
  deadLetterQueue: "reports.dead-letter",
  deadLetterRoutingKey: "dead-letter",
  /**
   * Redeliveries (a worker crashed or lost its connection mid-work) before the broker dead-letters the message:
   * a report that kills every worker that takes it (out of memory) must not crash-loop the fleet.
   */
  deliveryLimit: 5,
} as const;

export interface TopologyNames {
  exchange: string;
  workQueue: string;
  deadLetterExchange: string;
  deadLetterQueue: string;
  /** One queue per retry delay, keyed by the delay in ms. */
  retryQueues: Map<number, { queue: string; routingKey: string }>;
}

/** Everything to declare, in declaration order, with the exact arguments the consumer must repeat on reconnect. */
export interface Topology {
  names: TopologyNames;
  exchanges: ExchangeDeclaration[];
  /** The work queue's declaration; pass it unchanged as the consumer's `queueOptions`. */
  workQueue: QueueDeclaration & { queue: string };
  queues: QueueDeclaration[];
  bindings: QueueBinding[];
}

/**
 * The names (with `prefix` prepended) and declarations of the report queue topology. Each retry delay gets a
 * queue of its own (x-message-ttl, dead-lettering back to the work queue): RabbitMQ checks TTLs only at a
 * queue's head, so one queue with per-message delays would hold a short delay behind a long one.
 *
 * @example
 * const { names, workQueue } = topology("test-1a2b.");
 * names.workQueue; // "test-1a2b.reports.generate"
 */
export function topology(prefix = "", retryDelaysMs: readonly number[] = []): Topology {
  const retryQueues = new Map(
    retryDelaysMs.map((ms) => [ms, { queue: `${prefix}reports.retry.${ms}ms`, routingKey: `retry.${ms}ms` }]),
  );
  const names: TopologyNames = {
    exchange: `${prefix}${TOPOLOGY.exchange}`,
    workQueue: `${prefix}${TOPOLOGY.workQueue}`,
    deadLetterExchange: `${prefix}${TOPOLOGY.deadLetterExchange}`,
    deadLetterQueue: `${prefix}${TOPOLOGY.deadLetterQueue}`,
    retryQueues,
  };
  const retryDeclarations = [...retryQueues].map(([ms, { queue }]) => ({
    queue,
    durable: true,
    arguments: {
      "x-message-ttl": ms,
      "x-dead-letter-exchange": names.exchange,
      "x-dead-letter-routing-key": TOPOLOGY.workRoutingKey,
    },
  }));
  const workQueue = {
    queue: names.workQueue,
    durable: true,
    arguments: {
      "x-queue-type": "quorum",
      "x-dead-letter-exchange": names.deadLetterExchange,
      "x-dead-letter-routing-key": TOPOLOGY.deadLetterRoutingKey,
      "x-delivery-limit": TOPOLOGY.deliveryLimit,
    },
  } satisfies QueueDeclaration;
  const deadLetterQueue = {
    queue: names.deadLetterQueue,
    durable: true,
    arguments: { "x-queue-type": "quorum" },
  } satisfies QueueDeclaration;
  return {
    names,
    exchanges: [
      { exchange: names.exchange, type: "direct", durable: true },
      { exchange: names.deadLetterExchange, type: "direct", durable: true },
    ],
    workQueue,
    queues: [workQueue, deadLetterQueue, ...retryDeclarations],
    bindings: [
      { exchange: names.exchange, queue: names.workQueue, routingKey: TOPOLOGY.workRoutingKey },
      ...[...retryQueues.values()].map(({ queue, routingKey }) => ({ exchange: names.exchange, queue, routingKey })),
      { exchange: names.deadLetterExchange, queue: names.deadLetterQueue, routingKey: TOPOLOGY.deadLetterRoutingKey },
    ],
  };
}
