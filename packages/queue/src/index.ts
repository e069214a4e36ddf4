export { decodeMessage } from "./delivery";
export { createMemoryQueue, type MemoryQueue } from "./memory";
export { createRabbitQueue, type RabbitQueueConfig } from "./rabbit";
export {
  type FailedRequestStore,
  pruneDeadLetters,
  type ReplayOptions,
  type ReplaySummary,
  replayDeadLetters,
} from "./replay";
export { TOPOLOGY, type Topology, type TopologyNames, topology } from "./topology";
export {
  BrokerUnavailableError,
  type ConsumeOptions,
  type ConsumerHandle,
  type Delivery,
  type Handler,
  type HandlerResult,
  PublishTimeoutError,
  QueueClosedError,
  type QueueDepth,
  type ReportQueue,
  UnroutableMessageError,
} from "./types";
