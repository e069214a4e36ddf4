import type { ReportMessage } from "@reports/contracts";

/** What a handler decides for its message. A retry outcome joins this union when delayed retries arrive. */
export type HandlerResult = "ack" | "dead-letter";

export interface Delivery {
  message: ReportMessage;
  /** True when the broker delivered this message before (a consumer died or lost its connection mid-work). */
  redelivered: boolean;
}

/**
 * Processes one message. Resolving with nothing acks; a throw dead-letters, never requeues,
 * because a requeued poison message loops forever.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: void lets a handler that returns nothing (`async () => {}`) mean ack
export type Handler = (delivery: Delivery) => Promise<HandlerResult | void>;

export interface ConsumeOptions {
  /** Messages in flight at once, which is also how many handlers run concurrently. Default 1. */
  prefetch?: number;
}

export interface ConsumerHandle {
  /** Stops taking new messages and resolves once the handlers in progress have settled. */
  close(): Promise<void>;
}

export interface QueueDepth {
  /** Messages waiting in the work queue (not counting those in flight). */
  ready: number;
  /** Messages waiting out a retry delay. */
  retrying: number;
  /** Messages in the dead-letter queue. */
  deadLettered: number;
}

/** Why a message went to the dead-letter queue; carried in its headers. */
export interface DeadLetterInfo {
  reason: "fatal" | "attempts-exhausted" | "unprocessable";
  errorType: string;
  attempts: number;
}

/** A message in the dead-letter queue, as replay sees it. */
export interface DeadLetter {
  message: ReportMessage;
  info: Partial<DeadLetterInfo>;
}

export interface ReportQueue {
  /** Resolves once the broker confirmed the message (publisher confirms) and it was routed (mandatory; listen for basic.return → reject). */
  publish(message: ReportMessage): Promise<void>;
  /**
   * Publishes the message again after `delayMs` (rounded up to the nearest retry queue's delay; jitter
   * below that is kept as the message's own expiration).
   */
  retry(message: ReportMessage, delayMs: number): Promise<void>;
  /** Parks the message in the dead-letter queue with the reason in its headers. */
  deadLetter(message: ReportMessage, info: DeadLetterInfo): Promise<void>;
  /** Takes the dead letters of these requests out of the dead-letter queue; returns how many. */
  removeDeadLetters(requestIds: ReadonlySet<string>): Promise<number>;
  /**
   * Reads the dead-letter queue once and takes out every message whose request `stillFailed` does not name
   * (asked in chunks of the ids read); returns how many. One pass however many requests were replayed.
   */
  pruneDeadLetters(stillFailed: (requestIds: readonly string[]) => Promise<ReadonlySet<string>>): Promise<number>;
  /** Starts consuming with `prefetch` messages in flight; returns a handle whose close() stops taking new messages and waits for the ones in progress. */
  consume(handler: Handler, options?: ConsumeOptions): Promise<ConsumerHandle>;
  /** Counts for health/metrics: messages ready in the work queue and in the dead-letter queue. */
  depth(): Promise<QueueDepth>;
  /** Closes the consumers (waiting for their handlers), then the connection. Idempotent. */
  close(): Promise<void>;
}

/** The broker accepted a message but no queue was bound to take it (the work queue or its binding is gone). */
export class UnroutableMessageError extends Error {
  override readonly name = "UnroutableMessageError";
  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    readonly replyText: string,
  ) {
    super(`message to exchange "${exchange}" with routing key "${routingKey}" was not routed: ${replyText}`);
  }
}

/** The queue was closed; nothing more can be published or consumed through it. */
export class QueueClosedError extends Error {
  override readonly name = "QueueClosedError";
  constructor() {
    super("the report queue is closed");
  }
}

/** The broker did not confirm a publish in time (it is unreachable or blocked); the message may still go out. */
export class PublishTimeoutError extends Error {
  override readonly name = "PublishTimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`the broker did not confirm the message within ${timeoutMs} ms`);
  }
}

/** The connection to the broker is down (reconnecting); nothing was sent. */
export class BrokerUnavailableError extends Error {
  override readonly name = "BrokerUnavailableError";
  constructor() {
    super("the broker is unreachable; the connection is reconnecting");
  }
}
