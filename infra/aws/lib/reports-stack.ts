import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { BffApi } from "./bff-api";
import { ReportsNetwork } from "./network";
import { Observability } from "./observability";
import { BackingServices } from "./services";
import type { ReportsSettings } from "./settings";
import { ReportsBucket } from "./storage";
import { WorkerAccess } from "./worker-access";

export interface ReportsStackProps extends StackProps {
  settings: ReportsSettings;
}

/**
 * Reports on AWS: the BFF on Lambda behind an HTTP API, the files on S3, PostgreSQL, RabbitMQ and Redis
 * (managed or by URL), and CloudWatch logs, dashboard and alarms. The workers run on Kubernetes (infra/k8s).
 */
export class ReportsStack extends Stack {
  constructor(scope: Construct, id: string, props: ReportsStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const logRetention = retentionOf(settings.logRetentionDays);
    const network = new ReportsNetwork(this, "Network");
    const { bucket } = new ReportsBucket(this, "Files", {
      retentionDays: settings.reportRetentionDays,
      inputRetentionDays: settings.requestRetentionDays,
      downloadOrigins: settings.downloadOrigins,
    });
    const services = new BackingServices(this, "Services", { network, settings });
    const bff = new BffApi(this, "Bff", {
      network,
      bucket,
      urls: services.urls,
      logRetention,
      architecture: settings.lambdaArchitecture,
    });
    const workers = new WorkerAccess(this, "Workers", { bucket, logRetention });
    new Observability(this, "Observability", {
      bffLogs: bff.logGroup,
      workerLogs: workers.logGroup,
      bff: bff.function,
      api: bff.api,
      ...(services.urls.brokerName ? { brokerName: services.urls.brokerName } : {}),
      ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
    });

    new CfnOutput(this, "ApiUrl", { value: bff.stage.url });
    new CfnOutput(this, "BucketName", { value: bucket.bucketName });
    new CfnOutput(this, "WorkerPolicyArn", { value: workers.policy.managedPolicyArn });
    new CfnOutput(this, "WorkerLogGroup", { value: workers.logGroup.logGroupName });
    new CfnOutput(this, "AppSecurityGroup", { value: network.appSecurityGroup.securityGroupId });
    for (const [name, arn] of Object.entries(services.secretArns)) new CfnOutput(this, name, { value: arn });
  }
}

function retentionOf(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === "number" && v > 0);
  const match = allowed.sort((a, b) => a - b).find((v) => v >= days);
  if (match === undefined) throw new Error(`reports:logRetentionDays ${days} is longer than CloudWatch allows`);
  return match as logs.RetentionDays;
}
