/**
 * The metrics the dashboard and alarms read, made by CloudWatch Logs metric filters from the apps' JSON log
 * lines: the BFF's on Lambda and the workers' shipped from Kubernetes. The events are ones the apps already log.
 */
export const NAMESPACE = "Reports";

export interface LogMetric {
  metricName: string;
  /** Which app's log group the filter reads. */
  source: "bff" | "worker";
  /** The pino `msg` of the log line. */
  msg: string;
  /** A JSON field of the line to use as the value; otherwise each line counts 1. */
  value?: string;
  unit?: "Milliseconds";
  dimensions?: Record<string, string>;
}

export const LOG_METRICS = {
  created: { metricName: "ReportsCreated", source: "bff", msg: "report queued" },
  done: { metricName: "ReportsDone", source: "worker", msg: "report done" },
  failed: { metricName: "ReportsFailed", source: "worker", msg: "report failed; dead-lettered" },
  failedByType: {
    metricName: "ReportsFailedByType",
    source: "worker",
    msg: "report failed; dead-lettered",
    dimensions: { ErrorType: "$.errorType" },
  },
  renderTime: {
    metricName: "RenderTime",
    source: "worker",
    msg: "report done",
    value: "$.renderMs",
    unit: "Milliseconds",
  },
} as const satisfies Record<string, LogMetric>;
