/**
 * The RabbitMQ queue names the dashboard reads from Amazon MQ. packages/queue's topology() is the source;
 * infra/test/aws.test.ts checks these match it (without QUEUE_PREFIX, as the Lambda and workers run).
 */
export const TOPOLOGY_NAMES = {
  workQueue: "reports.generate",
  deadLetterQueue: "reports.dead-letter",
} as const;
