import { Duration } from "aws-cdk-lib";
import type * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import { LOG_METRICS, type LogMetric, NAMESPACE } from "./app-metrics";
import { TOPOLOGY_NAMES } from "./queues";

export interface ObservabilityProps {
  bffLogs: logs.ILogGroup;
  workerLogs: logs.ILogGroup;
  bff: lambda.IFunction;
  api: apigwv2.IHttpApi;
  /** With Amazon MQ: queue depths from its CloudWatch metrics. */
  brokerName?: string;
  alarmEmail?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/** Metric filters over the apps' logs, the "Reports" dashboard and the alarms (to an SNS topic). */
export class Observability extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarmTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    for (const [key, metric] of Object.entries(LOG_METRICS) as Array<[string, LogMetric]>) {
      new logs.MetricFilter(this, `Filter-${key}`, {
        logGroup: metric.source === "bff" ? props.bffLogs : props.workerLogs,
        filterPattern: logs.FilterPattern.stringValue("$.msg", "=", metric.msg),
        metricNamespace: NAMESPACE,
        metricName: metric.metricName,
        metricValue: metric.value ?? "1",
        ...(metric.unit ? { unit: cloudwatch.Unit.MILLISECONDS } : {}),
        ...(metric.dimensions ? { dimensions: metric.dimensions } : {}),
      });
    }
    const app = (m: LogMetric, statistic = "Sum") =>
      new cloudwatch.Metric({ namespace: NAMESPACE, metricName: m.metricName, statistic, period: FIVE_MINUTES });
    const created = app(LOG_METRICS.created);
    const done = app(LOG_METRICS.done);
    const failed = app(LOG_METRICS.failed);
    const failedByType = new cloudwatch.MathExpression({
      expression: `SEARCH('{${NAMESPACE},ErrorType} MetricName="${LOG_METRICS.failedByType.metricName}"', 'Sum', 300)`,
      label: "",
      usingMetrics: {},
      period: FIVE_MINUTES,
    });
    const renderP95 = app(LOG_METRICS.renderTime, "p95");
    const broker = props.brokerName;
    const queueMetric = (queue: string, metricName: string) =>
      new cloudwatch.Metric({
        namespace: "AWS/AmazonMQ",
        metricName,
        dimensionsMap: { Broker: broker ?? "", VirtualHost: "/", Queue: queue },
        statistic: "Maximum",
        period: FIVE_MINUTES,
      });
    const deadLetterDepth = broker ? queueMetric(TOPOLOGY_NAMES.deadLetterQueue, "MessageCount") : undefined;
    const ready = broker ? queueMetric(TOPOLOGY_NAMES.workQueue, "MessageReadyCount") : undefined;
    // Little's law: the wait ahead of a new message is the backlog over the rate it drains at.
    const estimatedWait = ready
      ? new cloudwatch.MathExpression({
          expression: "IF(done > 0, ready / (done / PERIOD(done)), IF(ready > 0, 86400, 0))",
          usingMetrics: { ready, done },
          label: "estimated queue wait (s)",
          period: FIVE_MINUTES,
        })
      : undefined;
    const errorRate = new cloudwatch.MathExpression({
      expression: "100 * FILL(failed, 0) / (FILL(done, 0) + FILL(failed, 0))",
      usingMetrics: { done, failed },
      label: "failed reports (%)",
      period: FIVE_MINUTES,
    });
    const requests = props.api.metricCount({ period: FIVE_MINUTES });
    const serverErrors = props.api.metricServerError({ period: FIVE_MINUTES });
    const api5xxRate = new cloudwatch.MathExpression({
      expression: "100 * FILL(errors, 0) / requests",
      usingMetrics: { errors: serverErrors, requests },
      label: "API 5xx (%)",
      period: FIVE_MINUTES,
    });

    this.alarmTopic = new sns.Topic(this, "Alarms", { displayName: "Reports alarms" });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const alarm = (
      id: string,
      description: string,
      options: cloudwatch.CreateAlarmOptions,
      metric: cloudwatch.Metric | cloudwatch.MathExpression,
    ) => {
      const created = metric.createAlarm(this, id, {
        alarmDescription: description,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      created.addAlarmAction(new actions.SnsAction(this.alarmTopic));
      this.alarms.push(created);
      return created;
    };
    alarm(
      "DeadLetters",
      broker
        ? "The dead-letter queue is not empty: replay with `pnpm --filter @reports/worker replay` once the cause is fixed."
        : "Reports were dead-lettered: replay with `pnpm --filter @reports/worker replay` once the cause is fixed.",
      {
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      },
      deadLetterDepth ?? failed,
    );
    alarm(
      "ErrorRate",
      "More than 5% of finished reports failed in each of the last 15 minutes.",
      { threshold: 5, evaluationPeriods: 3, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD },
      errorRate,
    );
    alarm(
      "Api5xx",
      "More than 1% of API requests answered 5xx in each of the last 15 minutes.",
      { threshold: 1, evaluationPeriods: 3, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD },
      api5xxRate,
    );
    if (estimatedWait) {
      alarm(
        "QueueAge",
        "A new report would wait more than 10 minutes for a worker: add workers or raise maxReplicaCount.",
        {
          threshold: 600,
          evaluationPeriods: 3,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        },
        estimatedWait,
      );
    }

    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: 8, height: 6 });
    this.dashboard = new cloudwatch.Dashboard(this, "Dashboard", { dashboardName: "Reports" });
    this.dashboard.addWidgets(
      graph("Reports created, done, failed", [
        created.with({ label: "created" }),
        done.with({ label: "done" }),
        failed.with({ label: "failed" }),
      ]),
      graph("Failed reports by error type", [failedByType]),
      graph(broker ? "Dead-letter queue depth" : "Dead-lettered reports", [
        deadLetterDepth ?? failed.with({ label: "dead-lettered" }),
      ]),
    );
    this.dashboard.addWidgets(
      graph("Render time", [
        app(LOG_METRICS.renderTime, "p50").with({ label: "p50" }),
        renderP95.with({ label: "p95" }),
        app(LOG_METRICS.renderTime, "p99").with({ label: "p99" }),
      ]),
      graph(
        "Work queue",
        ready ? [ready.with({ label: "ready messages" })] : [created.with({ label: "created" })],
        estimatedWait ? [estimatedWait] : [],
      ),
      graph("Failure rates", [errorRate, api5xxRate]),
    );
    this.dashboard.addWidgets(
      graph(
        "API requests and errors",
        [requests.with({ label: "requests" })],
        [
          serverErrors.with({ label: "5xx" }),
          props.api.metricClientError({ period: FIVE_MINUTES }).with({ label: "4xx" }),
        ],
      ),
      graph("BFF Lambda duration", [
        props.bff.metricDuration({ statistic: "p50", period: FIVE_MINUTES }).with({ label: "p50" }),
        props.bff.metricDuration({ statistic: "p95", period: FIVE_MINUTES }).with({ label: "p95" }),
      ]),
      graph("BFF Lambda errors and throttles", [
        props.bff.metricErrors({ period: FIVE_MINUTES }),
        props.bff.metricThrottles({ period: FIVE_MINUTES }),
      ]),
    );
  }
}
