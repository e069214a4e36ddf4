import { join } from "node:path";
import { Duration } from "aws-cdk-lib";
import * as apigw from "aws-cdk-lib/aws-apigateway";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import type { ReportsNetwork } from "./network";
import type { ServiceUrls } from "./services";

const ROOT = join(import.meta.dirname, "../../..");

/**
 * A Lambda request carries at most 6 MB, so larger specs are refused with 413 before parsing;
 * they need the container BFF (infra/k8s), which takes 64 MiB.
 */
export const LAMBDA_MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface BffApiProps {
  network: ReportsNetwork;
  bucket: s3.IBucket;
  urls: ServiceUrls;
  logRetention: logs.RetentionDays;
}

/** The BFF's Lambda entry (apps/bff/src/lambda.ts) behind an HTTP API, in the VPC next to the services. */
export class BffApi extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BffApiProps) {
    super(scope, id);
    const { DATABASE_URL, RABBITMQ_URL, REDIS_URL } = props.urls;
    this.logGroup = new logs.LogGroup(this, "Logs", { retention: props.logRetention });
    this.function = new nodejs.NodejsFunction(this, "Function", {
      entry: join(ROOT, "apps/bff/src/lambda.ts"),
      handler: "handler",
      projectRoot: ROOT,
      depsLockFilePath: join(ROOT, "pnpm-lock.yaml"),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 1024,
      // HTTP APIs give an integration 30 s at most.
      timeout: Duration.seconds(29),
      vpc: props.network.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.network.appSecurityGroup],
      logGroup: this.logGroup,
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: "node22",
        mainFields: ["module", "main"],
        minify: true,
        sourceMap: true,
        // The AWS SDK is bundled too: the version the lockfile pins, not whichever the runtime carries.
        externalModules: [],
        // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
        banner:
          "import { createRequire as __reportsCreateRequire } from 'node:module'; const require = __reportsCreateRequire(import.meta.url);",
      },
      environment: {
        NODE_ENV: "production",
        NODE_OPTIONS: "--enable-source-maps",
        AUTH_MODE: "apikey",
        LOG_LEVEL: "info",
        MAX_BODY_BYTES: String(LAMBDA_MAX_BODY_BYTES),
        DATABASE_URL,
        RABBITMQ_URL,
        ...(REDIS_URL ? { REDIS_URL } : {}),
        S3_BUCKET: props.bucket.bucketName,
      },
    });
    props.bucket.grantReadWrite(this.function);

    this.api = new apigwv2.HttpApi(this, "Api", {
      description: "Reports API",
      defaultIntegration: new HttpLambdaIntegration("Bff", this.function),
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, "AccessLogs", { retention: props.logRetention });
    this.stage = new apigwv2.HttpStage(this, "Stage", {
      httpApi: this.api,
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit: 200, burstLimit: 400 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            ip: "$context.identity.sourceIp",
            method: "$context.httpMethod",
            path: "$context.path",
            status: "$context.status",
            responseLength: "$context.responseLength",
            latencyMs: "$context.responseLatency",
            integrationError: "$context.integrationErrorMessage",
          }),
        ),
      },
    });
  }
}
