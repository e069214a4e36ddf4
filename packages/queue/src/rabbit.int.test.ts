import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import type { ReportMessage } from "@reports/contracts";
import { afterAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { createRabbitQueue } from "./rabbit";
import { createTestQueue, deleteTopology, TEST_RABBITMQ_URL, uniquePrefix, withConnection } from "./testing";
import { topology } from "./topology";
import { type Delivery, UnroutableMessageError } from "./types";

const filePrefix = uniquePrefix("rabbit-test");
const prefixes: string[] = [];
const newMessage = (): ReportMessage => ({ requestId: randomUUID(), attempt: 1 });
const waitLong = { timeout: 20_000, interval: 100 };

async function open() {
  const prefix = `${filePrefix}${prefixes.length + 1}.`;
  prefixes.push(prefix);
  const queue = await createTestQueue({ prefix });
  onTestFinished(() => queue.close());
  return queue;
}

afterAll(async () => {
  for (const prefix of prefixes) await deleteTopology(prefix);
});

/** Makes the broker close one connection, as a broker restart or a network cut would. */
async function closeConnectionFromBroker(connectionName: string): Promise<void> {
  const run = promisify(execFile);
  const { stdout } = await run("rabbitmqctl", [
    "list_connections",
    "-q",
    "--no-table-headers",
    "pid",
    "client_properties",
  ]);
  const line = stdout.split("\n").find((row) => row.includes(`{"connection_name","${connectionName}"}`));
  const pid = line?.split("\t")[0];
  if (!pid) throw new Error(`no connection named ${connectionName}: ${stdout}`);
  await run("rabbitmqctl", ["close_connection", pid, "test: broker closes the connection"]);
}

describe("RabbitMQ report queue", () => {
  it("declares the topology idempotently: a second instance shares the queues", async () => {
    const first = await open();
    const second = await createRabbitQueue({ url: TEST_RABBITMQ_URL, prefix: first.prefix });
    onTestFinished(() => second.close());
    const received: ReportMessage[] = [];
    await second.consume(async ({ message }) => {
      received.push(message);
    });
    const sent = newMessage();
    await first.publish(sent);
    await vi.waitFor(() => expect(received).toEqual([sent]), waitLong);
  });

  it("declares the work queue as a durable quorum queue, refusing any other declaration", async () => {
    const queue = await open();
    await withConnection(TEST_RABBITMQ_URL, async (connection) => {
      await expect(connection.queueDeclare({ queue: queue.names.workQueue, durable: true })).rejects.toMatchObject({
        code: "PRECONDITION_FAILED",
      });
      await expect(connection.queueDeclare(topology(queue.prefix).workQueue)).resolves.toMatchObject({
        queue: queue.names.workQueue,
      });
    });
  });

  it("keeps a dead-lettered message's body and its reason for a later replay", async () => {
    const queue = await open();
    const sent = newMessage();
    const consumer = await queue.consume(async () => {
      throw new Error("render exploded");
    });
    await queue.publish(sent);
    await vi.waitFor(async () => expect((await queue.depth()).deadLettered).toBe(1), waitLong);
    await consumer.close();
    const dead = await withConnection(TEST_RABBITMQ_URL, (c) => c.basicGet({ queue: queue.names.deadLetterQueue }));
    expect(dead?.body).toEqual(sent);
    expect(dead?.headers?.["x-death"]).toEqual([
      expect.objectContaining({ reason: "rejected", queue: queue.names.workQueue, count: 1 }),
    ]);
  });

  it("rejects a publish that no queue receives", async () => {
    const queue = await open();
    // the publisher re-declares the topology whenever it opens a channel: open it first
    await queue.publish(newMessage());
    await withConnection(TEST_RABBITMQ_URL, (c) => c.queueDelete({ queue: queue.names.workQueue }));
    await expect(queue.publish(newMessage())).rejects.toBeInstanceOf(UnroutableMessageError);
  });

  it("recovers from a connection the broker closed: the message in flight comes back redelivered", async () => {
    const queue = await open();
    const deliveries: Delivery[] = [];
    let releaseFirst!: () => void;
    const firstReleased = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    await queue.consume(async (delivery) => {
      deliveries.push(delivery);
      if (deliveries.length === 1) await firstReleased;
    });
    const sent = newMessage();
    await queue.publish(sent);
    await vi.waitFor(() => expect(deliveries).toHaveLength(1), waitLong);

    await closeConnectionFromBroker(queue.connectionName);
    // its ack goes nowhere: the channel it was delivered on is gone
    releaseFirst();

    // the consumer re-declared its queue with the exact arguments (else PRECONDITION_FAILED) and got it back
    await vi.waitFor(() => expect(deliveries).toHaveLength(2), waitLong);
    expect(deliveries[1]).toEqual({ message: sent, redelivered: true });

    const after = newMessage();
    await queue.publish(after);
    await vi.waitFor(() => expect(deliveries.map((d) => d.message)).toEqual([sent, sent, after]), waitLong);
    await vi.waitFor(
      async () => expect(await queue.depth()).toEqual({ ready: 0, retrying: 0, deadLettered: 0 }),
      waitLong,
    );
  });
});
