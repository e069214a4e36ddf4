import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { topology } from "@reports/queue";
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { LOG_METRICS } from "../aws/lib/app-metrics";
import { LAMBDA_MAX_BODY_BYTES } from "../aws/lib/bff-api";
import { TOPOLOGY_NAMES } from "../aws/lib/queues";
import { ROOT } from "./support/paths";
import { synthesize } from "./support/synth";

describe("the AWS stack with managed services (cdk.json's defaults)", () => {
  const { template, json } = synthesize();
  const text = JSON.stringify(json);

  it("runs the BFF's built Lambda handler on Node 22 and arm64 in the VPC, configured for production", () => {
    template.hasResourceProperties("AWS::Lambda::Function", {
      Runtime: "nodejs22.x",
      Handler: "lambda.handler",
      Architectures: ["arm64"],
      Timeout: 29,
      VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() },
      Environment: {
        Variables: Match.objectLike({
          NODE_OPTIONS: "--enable-source-maps",
          NODE_ENV: "production",
          AUTH_MODE: "apikey",
          MAX_BODY_BYTES: String(LAMBDA_MAX_BODY_BYTES),
          S3_BUCKET: Match.anyValue(),
          DATABASE_URL: Match.anyValue(),
          RABBITMQ_URL: Match.anyValue(),
          REDIS_URL: Match.anyValue(),
        }),
      },
    });
  });

  it("puts an HTTP API in front of it, with throttling and access logs", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Api", { ProtocolType: "HTTP" });
    template.hasResourceProperties("AWS::ApiGatewayV2::Integration", {
      IntegrationType: "AWS_PROXY",
      PayloadFormatVersion: "2.0",
    });
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp("\\$context.status") },
    });
  });

  it("keeps files in a private, encrypted bucket that expires reports and lets browsers download", () => {
    template.hasResourceProperties("AWS::S3::Bucket", {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          // a day after the workers' RETAIN_FILES_DAYS (7) and RETAIN_REQUESTS_DAYS (30) defaults
          Match.objectLike({ Prefix: "reports/", ExpirationInDays: 8, Status: "Enabled" }),
          Match.objectLike({ Prefix: "inputs/", ExpirationInDays: 31, Status: "Enabled" }),
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        ]),
      },
      CorsConfiguration: {
        CorsRules: [Match.objectLike({ AllowedMethods: ["GET", "HEAD"], AllowedOrigins: ["*"] })],
      },
    });
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  it("creates PostgreSQL, RabbitMQ and Redis, none of them public", () => {
    template.hasResourceProperties("AWS::RDS::DBInstance", {
      Engine: "postgres",
      StorageEncrypted: true,
      PubliclyAccessible: false,
      StorageType: "gp3",
      DeletionProtection: true,
    });
    template.hasResourceProperties("AWS::AmazonMQ::Broker", {
      EngineType: "RABBITMQ",
      PubliclyAccessible: false,
      DeploymentMode: "SINGLE_INSTANCE",
    });
    template.hasResourceProperties("AWS::ElastiCache::ReplicationGroup", {
      Engine: "redis",
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
    });
  });

  it("keeps logs for the configured days, the workers' included", () => {
    template.resourcePropertiesCountIs("AWS::Logs::LogGroup", { RetentionInDays: 30 }, 3);
    template.hasResourceProperties("AWS::Logs::LogGroup", { LogGroupName: "/reports/worker", RetentionInDays: 30 });
  });

  it("turns the apps' log lines into the Reports metrics", () => {
    for (const metric of Object.values(LOG_METRICS)) {
      template.hasResourceProperties("AWS::Logs::MetricFilter", {
        FilterPattern: `{ $.msg = "${metric.msg}" }`,
        MetricTransformations: [
          Match.objectLike({
            MetricNamespace: "Reports",
            MetricName: metric.metricName,
            MetricValue: "value" in metric ? metric.value : "1",
          }),
        ],
      });
    }
    template.hasResourceProperties("AWS::Logs::MetricFilter", {
      MetricTransformations: [Match.objectLike({ Dimensions: [{ Key: "ErrorType", Value: "$.errorType" }] })],
    });
  });

  it("draws the dashboard the issue asks for", () => {
    template.hasResourceProperties("AWS::CloudWatch::Dashboard", { DashboardName: "Reports" });
    for (const title of [
      "Reports created, done, failed",
      "Failed reports by error type",
      "Dead-letter queue depth",
      "Render time",
      "API requests and errors",
      "BFF Lambda duration",
    ]) {
      expect(text).toContain(title);
    }
    expect(text).toContain("ReportsFailedByType");
    expect(text).toContain('\\"stat\\":\\"p95\\"');
  });

  it("alarms on dead letters, error rate, API 5xx and queue age, to an SNS topic", () => {
    template.resourceCountIs("AWS::CloudWatch::Alarm", 4);
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/AmazonMQ",
      MetricName: "MessageCount",
      Dimensions: Match.arrayWith([{ Name: "Queue", Value: TOPOLOGY_NAMES.deadLetterQueue }]),
      Threshold: 1,
      AlarmActions: [Match.anyValue()],
    });
    for (const expression of ["FILL(failed, 0)", "FILL(errors, 0)", "PERIOD(done)"]) {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: Match.stringLikeRegexp(expression.replace(/[()]/g, "\\$&")) }),
        ]),
        AlarmActions: [Match.anyValue()],
      });
    }
    template.resourceCountIs("AWS::SNS::Topic", 1);
  });
});

describe("the AWS stack with services given as URLs", () => {
  const { template } = synthesize({
    database: "url",
    rabbitmq: "url",
    redis: "url",
    alarmEmail: "ops@example.com",
    lambdaArchitecture: "x86_64",
  });

  it("runs the Lambda on x86_64 when asked (the same package)", () => {
    template.hasResourceProperties("AWS::Lambda::Function", { Handler: "lambda.handler", Architectures: ["x86_64"] });
  });

  it("takes the URLs as NoEcho parameters and creates no database, broker or cache", () => {
    expect(Object.keys(template.findParameters("*", { NoEcho: true })).sort()).toEqual([
      "DatabaseUrl",
      "RabbitMqUrl",
      "RedisUrl",
    ]);
    for (const type of ["AWS::RDS::DBInstance", "AWS::AmazonMQ::Broker", "AWS::ElastiCache::ReplicationGroup"]) {
      template.resourceCountIs(type, 0);
    }
  });

  it("alarms on dead-lettered reports from the logs, with no broker metrics to read", () => {
    template.resourceCountIs("AWS::CloudWatch::Alarm", 3);
    template.hasResourceProperties("AWS::CloudWatch::Alarm", { Namespace: "Reports", MetricName: "ReportsFailed" });
    template.hasResourceProperties("AWS::SNS::Subscription", { Protocol: "email", Endpoint: "ops@example.com" });
  });
});

describe("what the stack assumes of the apps", () => {
  it("reads queue names the queue package declares", () => {
    const { names } = topology();
    expect(TOPOLOGY_NAMES).toEqual({ workQueue: names.workQueue, deadLetterQueue: names.deadLetterQueue });
  });

  it("filters on log lines the apps write", () => {
    const sources = {
      bff: execFileSync("grep", ["-rh", "--include=*.ts", "--exclude=*.test.ts", 'msg\\|"', "apps/bff/src"], {
        cwd: ROOT,
        encoding: "utf8",
      }),
      // every line: a log call's fields and its message may sit on different lines
      worker: execFileSync("grep", ["-rh", "--include=*.ts", "--exclude=*.test.ts", "", "apps/worker/src"], {
        cwd: ROOT,
        encoding: "utf8",
      }),
    };
    for (const metric of Object.values(LOG_METRICS)) {
      expect(sources[metric.source], metric.metricName).toContain(`"${metric.msg}"`);
      if ("value" in metric) expect(sources[metric.source]).toContain(metric.value.replace("$.", ""));
    }
    expect(readFileSync(join(ROOT, "apps/worker/src/job.ts"), "utf8")).toMatch(
      /errorType: error\.type[^\n]*"report failed; dead-lettered"/,
    );
  });
});
