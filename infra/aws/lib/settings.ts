import type { Node } from "constructs";
import { z } from "zod";

/**
 * The stack's settings, from CDK context (`cdk.json`, or `-c reports:database=url`). For each backing service:
 * a managed one in the stack, or a URL given at deploy time as a NoEcho CloudFormation parameter.
 */
export const reportsSettings = z.object({
  database: z.enum(["rds", "url"]).default("rds"),
  rabbitmq: z.enum(["amazonmq", "url"]).default("amazonmq"),
  // No "none": without Redis each Lambda container would keep its own status cache and miss the workers' updates.
  redis: z.enum(["elasticache", "url"]).default("elasticache"),
  /**
   * The workers' RETAIN_FILES_DAYS: the retention job removes a report's file this many days after it was done
   * (the report then answers `expired`). The bucket's own rule on `reports/` runs a day later, as a backstop.
   */
  reportRetentionDays: z.coerce.number().int().min(1).default(7),
  /**
   * The workers' RETAIN_REQUESTS_DAYS: finished requests, with their stored inputs, are deleted this many days
   * after they were made. The bucket's rule on `inputs/` (uploads no request kept) runs a day later.
   */
  requestRetentionDays: z.coerce.number().int().min(1).default(30),
  logRetentionDays: z.coerce.number().int().min(1).default(30),
  /** Origins allowed to download reports from the bucket in a browser. */
  downloadOrigins: z.array(z.string()).default(["*"]),
  /** Where alarms are e-mailed; without it they only go to the SNS topic. */
  alarmEmail: z.email().optional(),
  /** The BFF's Lambda: its package holds no native binary, so either runs it; arm64 costs less per GB-second. */
  lambdaArchitecture: z.enum(["arm64", "x86_64"]).default("arm64"),
  /** Multi-AZ database and broker. */
  highAvailability: z.coerce.boolean().default(false),
});
export type ReportsSettings = z.infer<typeof reportsSettings>;

export function settingsFromContext(node: Node): ReportsSettings {
  const keys = Object.keys(reportsSettings.shape);
  const raw = Object.fromEntries(
    keys.map((k) => [k, node.tryGetContext(`reports:${k}`)]).filter(([, v]) => v !== undefined),
  );
  return reportsSettings.parse(raw);
}
