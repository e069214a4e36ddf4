import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { ReportMessage } from "@reports/contracts";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { createMemoryQueue } from "./memory";
import { createTestQueue, uniquePrefix } from "./testing";
import { type Delivery, QueueClosedError, type ReportQueue } from "./types";

/** A driver under test, plus the two things a behavioural test needs beyond the public API. */
type Harness = ReportQueue & { publishRaw(body: string): Promise<void>; destroy(): Promise<void> };

const filePrefix = uniquePrefix("queue-test");
let opened = 0;

const drivers: Array<[string, () => Promise<Harness>]> = [
  ["RabbitMQ", () => createTestQueue({ prefix: `${filePrefix}${++opened}.`, retryDelaysMs: [300, 1_000] })],
  [
    "memory",
    async () => {
      const queue = createMemoryQueue();
      return Object.assign(queue, { destroy: () => queue.close() });
    },
  ],
];

const newMessage = (attempt = 1): ReportMessage => ({ requestId: randomUUID(), attempt });
const waitLong = { timeout: 10_000, interval: 50 };

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe.each(drivers)("report queue on %s", (_name, openDriver) => {
  async function open(): Promise<Harness> {
    const queue = await openDriver();
    onTestFinished(() => queue.destroy());
    return queue;
  }

  it("delivers a published message to the consumer and acks it", async () => {
    const queue = await open();
    const sent = newMessage(3);
    const received: Delivery[] = [];
    await queue.consume(async (delivery) => {
      received.push(delivery);
    });
    await queue.publish(sent);
    await vi.waitFor(() => expect(received).toHaveLength(1), waitLong);
    expect(received[0]).toEqual({ message: sent, redelivered: false });
    await vi.waitFor(
      async () => expect(await queue.depth()).toEqual({ ready: 0, retrying: 0, deadLettered: 0 }),
      waitLong,
    );
  });

  it("never runs a handler inside publish's call stack", async () => {
    const queue = await open();
    let publishing = false;
    const seen: boolean[] = [];
    await queue.consume(async () => {
      seen.push(publishing);
    });
    publishing = true;
    const published = queue.publish(newMessage());
    publishing = false;
    await published;
    await vi.waitFor(() => expect(seen).toEqual([false]), waitLong);
  });

  it("counts ready messages while nobody consumes", async () => {
    const queue = await open();
    await Promise.all([newMessage(), newMessage(), newMessage()].map((message) => queue.publish(message)));
    expect(await queue.depth()).toEqual({ ready: 3, retrying: 0, deadLettered: 0 });
  });

  it("rejects a message that breaks the contract instead of publishing it", async () => {
    const queue = await open();
    await expect(queue.publish({ requestId: "42", attempt: 1 })).rejects.toThrow(/UUID/);
    await expect(queue.publish({ requestId: randomUUID(), attempt: 0 })).rejects.toThrow();
    expect(await queue.depth()).toEqual({ ready: 0, retrying: 0, deadLettered: 0 });
  });

  it("runs at most `prefetch` handlers at once", async () => {
    const queue = await open();
    await Promise.all(Array.from({ length: 6 }, () => queue.publish(newMessage())));
    let active = 0;
    let most = 0;
    let done = 0;
    await queue.consume(
      async () => {
        active += 1;
        most = Math.max(most, active);
        await sleep(150);
        active -= 1;
        done += 1;
      },
      { prefetch: 2 },
    );
    await vi.waitFor(() => expect(done).toBe(6), waitLong);
    expect(most).toBe(2);
  });

  it("dead-letters a message whose handler throws, exactly once", async () => {
    const queue = await open();
    const sent = newMessage();
    const calls: string[] = [];
    await queue.consume(async ({ message }) => {
      calls.push(message.requestId);
      throw new Error("render exploded");
    });
    await queue.publish(sent);
    await vi.waitFor(async () => expect((await queue.depth()).deadLettered).toBe(1), waitLong);
    // time for a requeue loop to show itself, if there were one
    await sleep(500);
    expect(calls).toEqual([sent.requestId]);
    expect(await queue.depth()).toEqual({ ready: 0, retrying: 0, deadLettered: 1 });
  });

  it("dead-letters a message whose handler answers 'dead-letter'", async () => {
    const queue = await open();
    let calls = 0;
    await queue.consume(async () => {
      calls += 1;
      return "dead-letter";
    });
    await queue.publish(newMessage());
    await vi.waitFor(
      async () => expect(await queue.depth()).toEqual({ ready: 0, retrying: 0, deadLettered: 1 }),
      waitLong,
    );
    await sleep(300);
    expect(calls).toBe(1);
  });

  it("dead-letters invalid bodies and never hands them to the handler", async () => {
    const queue = await open();
    const seen: ReportMessage[] = [];
    await queue.consume(async ({ message }) => {
      seen.push(message);
    });
    await queue.publishRaw("not json {");
    await queue.publishRaw(JSON.stringify({ requestId: "42", attempt: 1 }));
    await queue.publishRaw(JSON.stringify({ requestId: randomUUID(), attempt: 0 }));
    await queue.publishRaw("null");
    const valid = newMessage();
    await queue.publish(valid);
    await vi.waitFor(
      async () => expect(await queue.depth()).toEqual({ ready: 0, retrying: 0, deadLettered: 4 }),
      waitLong,
    );
    await vi.waitFor(() => expect(seen).toEqual([valid]), waitLong);
  });

  it("closes a consumer only after its handler in flight has finished, and takes nothing new", async () => {
    const queue = await open();
    const release = gate();
    const events: string[] = [];
    const consumer = await queue.consume(async () => {
      events.push("started");
      await release.opened;
      events.push("finished");
    });
    await queue.publish(newMessage());
    await vi.waitFor(() => expect(events).toEqual(["started"]), waitLong);

    const closed = consumer.close().then(() => events.push("closed"));
    await sleep(300);
    expect(events).toEqual(["started"]);
    release.open();
    await closed;
    expect(events).toEqual(["started", "finished", "closed"]);

    await queue.publish(newMessage());
    await sleep(300);
    expect(events).toEqual(["started", "finished", "closed"]);
    // the first message was acked, not returned: only the new one waits
    expect(await queue.depth()).toEqual({ ready: 1, retrying: 0, deadLettered: 0 });
  });

  it("closes the queue after its consumers' handlers finish, then refuses work", async () => {
    const queue = await open();
    const release = gate();
    let started = false;
    let finished = false;
    await queue.consume(async () => {
      started = true;
      await release.opened;
      finished = true;
    });
    await queue.publish(newMessage());
    await vi.waitFor(() => expect(started).toBe(true), waitLong);
    const closed = queue.close();
    setTimeout(release.open, 200);
    await closed;
    expect(finished).toBe(true);
    await expect(queue.publish(newMessage())).rejects.toBeInstanceOf(QueueClosedError);
    await expect(queue.consume(async () => {})).rejects.toBeInstanceOf(QueueClosedError);
  });

  it("refuses a prefetch that is not a positive integer", async () => {
    const queue = await open();
    await expect(queue.consume(async () => {}, { prefetch: 0 })).rejects.toBeInstanceOf(RangeError);
  });
  it("delivers a retried message after its delay, not before", async () => {
    const queue = await open();
    const received: number[] = [];
    await queue.consume(async () => {
      received.push(Date.now());
    });
    const sent = Date.now();
    await queue.retry(newMessage(2), 300);
    await sleep(150);
    expect(received).toHaveLength(0);
    expect((await queue.depth()).retrying).toBe(1);
    await vi.waitFor(() => expect(received).toHaveLength(1), waitLong);
    expect((await queue.depth()).retrying).toBe(0);
    expect((received[0] as number) - sent).toBeGreaterThanOrEqual(250);
  });

  it("parks a dead letter with its reason, and removes only the ones asked for", async () => {
    const queue = await open();
    const [kept, replayed] = [newMessage(3), newMessage(5)];
    await queue.deadLetter(kept, { reason: "fatal", errorType: "INVALID_SPEC", attempts: 1 });
    await queue.deadLetter(replayed, { reason: "attempts-exhausted", errorType: "STORAGE_FAILED", attempts: 5 });
    await vi.waitFor(async () => expect((await queue.depth()).deadLettered).toBe(2), waitLong);
    expect(await queue.removeDeadLetters(new Set([replayed.requestId]))).toBe(1);
    await vi.waitFor(async () => expect((await queue.depth()).deadLettered).toBe(1), waitLong);
    expect(await queue.removeDeadLetters(new Set([replayed.requestId]))).toBe(0);
    // a message looked at and given back is ready again a moment later
    await vi.waitFor(async () => expect((await queue.depth()).deadLettered).toBe(1), waitLong);
    expect(await queue.removeDeadLetters(new Set([kept.requestId]))).toBe(1);
  });

  it("prunes, in one pass, the dead letters of every request no longer failed", async () => {
    const queue = await open();
    const messages = Array.from({ length: 6 }, (_, i) => newMessage(i + 1));
    for (const message of messages) {
      await queue.deadLetter(message, { reason: "fatal", errorType: "INVALID_SPEC", attempts: 1 });
    }
    await vi.waitFor(async () => expect((await queue.depth()).deadLettered).toBe(6), waitLong);
    const stillFailed = new Set(messages.slice(0, 2).map((m) => m.requestId));
    const asked: string[] = [];
    const removed = await queue.pruneDeadLetters(async (ids) => {
      asked.push(...ids);
      return new Set(ids.filter((id) => stillFailed.has(id)));
    });
    expect(removed).toBe(4);
    // each dead letter was looked at once
    expect(asked.sort()).toEqual(messages.map((m) => m.requestId).sort());
    await vi.waitFor(async () => expect((await queue.depth()).deadLettered).toBe(2), waitLong);
  });
});
