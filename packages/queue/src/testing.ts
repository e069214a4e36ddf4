import { randomBytes } from "node:crypto";
import { DEFAULT_RETRY_POLICY, delayLevels } from "@reports/contracts";
import type { Logger } from "@reports/logger";
import { Connection } from "rabbitmq-client";
import { createRabbitQueue } from "./rabbit";
import { TOPOLOGY, type TopologyNames, topology } from "./topology";
import type { ReportQueue } from "./types";

/** The broker the tests use (guest is allowed from localhost on every development and CI machine). */
export const TEST_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672";

export interface TestQueue extends ReportQueue {
  prefix: string;
  names: TopologyNames;
  /** This instance's connection name, to find it with `rabbitmqctl list_connections user_provided_name`. */
  connectionName: string;
  /** Publishes a body as-is (as `application/json`), bypassing the contract: for tests of the consumer's guard. */
  publishRaw(body: string | Buffer): Promise<void>;
  /** Closes the queue, then deletes its prefixed queues and exchanges. */
  destroy(): Promise<void>;
}

/**
 * A name prefix no other run uses.
 *
 * @example
 * uniquePrefix("worker-test"); // "worker-test-9f86d081."
 */
export function uniquePrefix(label = "test"): string {
  return `${label}-${randomBytes(4).toString("hex")}.`;
}

/**
 * A RabbitMQ report queue under a fresh prefix, for one test or test file; `destroy()` removes what it declared.
 *
 * @example
 * const queue = await createTestQueue();
 * afterAll(() => queue.destroy());
 */
export async function createTestQueue(
  options: { url?: string; prefix?: string; logger?: Logger; retryDelaysMs?: readonly number[] } = {},
): Promise<TestQueue> {
  const url = options.url ?? TEST_RABBITMQ_URL;
  const prefix = options.prefix ?? uniquePrefix();
  const connectionName = `reports-test ${prefix}${randomBytes(3).toString("hex")}`;
  const retryDelaysMs = options.retryDelaysMs ?? delayLevels(DEFAULT_RETRY_POLICY);
  const queue = await createRabbitQueue({
    url,
    prefix,
    connectionName,
    retryDelaysMs,
    ...(options.logger && { logger: options.logger }),
  });
  const { names } = topology(prefix, retryDelaysMs);
  return {
    ...queue,
    prefix,
    names,
    connectionName,
    async publishRaw(body) {
      await withConnection(url, async (connection) => {
        const publisher = connection.createPublisher({ confirm: true });
        try {
          const envelope = { exchange: names.exchange, routingKey: TOPOLOGY.workRoutingKey, durable: true };
          await publisher.send({ ...envelope, contentType: "application/json" }, Buffer.from(body));
        } finally {
          await publisher.close();
        }
      });
    },
    async destroy() {
      await queue.close();
      await deleteTopology(prefix, url, retryDelaysMs);
    },
  };
}

/**
 * Deletes the queues and exchanges declared under `prefix`.
 *
 * @example
 * afterAll(() => deleteTopology(prefix));
 */
export async function deleteTopology(
  prefix: string,
  url = TEST_RABBITMQ_URL,
  retryDelaysMs: readonly number[] = delayLevels(DEFAULT_RETRY_POLICY),
): Promise<void> {
  const { names } = topology(prefix, retryDelaysMs);
  const retryQueues = [...names.retryQueues.values()].map((r) => r.queue);
  await withConnection(url, async (connection) => {
    for (const queue of [names.workQueue, names.deadLetterQueue, ...retryQueues])
      await connection.queueDelete({ queue });
    for (const exchange of [names.exchange, names.deadLetterExchange]) await connection.exchangeDelete({ exchange });
  });
}

/**
 * Runs `work` on a short-lived connection of its own.
 *
 * @example
 * await withConnection(TEST_RABBITMQ_URL, (c) => c.queuePurge({ queue: names.workQueue }));
 */
export async function withConnection<T>(url: string, work: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = new Connection(url);
  connection.on("error", () => {});
  try {
    return await work(connection);
  } finally {
    await connection.close();
  }
}
