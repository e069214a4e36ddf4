import { join } from "node:path";
import { AssetHashType, DockerImage, Duration } from "aws-cdk-lib";
import * as apigw from "aws-cdk-lib/aws-apigateway";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { packageBffLambda } from "../../lib/production-tree";
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
  architecture: "arm64" | "x86_64";
}

/** The BFF's Lambda entry (apps/bff/src/lambda.ts) behind an HTTP API, in the VPC next to the services. */
export class BffApi extends Construct {
  readonly function: lambda.Function;
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BffApiProps) {
    super(scope, id);
    const { DATABASE_URL, RABBITMQ_URL, REDIS_URL } = props.urls;
    this.logGroup = new logs.LogGroup(this, "Logs", { retention: props.logRetention });
    this.function = new lambda.Function(this, "Function", {
      code: bffLambdaCode(),
      handler: "lambda.handler",
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: props.architecture === "arm64" ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      memorySize: 1024,
      // HTTP APIs give an integration 30 s at most.
      timeout: Duration.seconds(29),
      vpc: props.network.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.network.appSecurityGroup],
      logGroup: this.logGroup,
      environment: {
        // stack traces through the bundle's source maps
        NODE_OPTIONS: "--enable-source-maps",
        NODE_ENV: "production",
        AUTH_MODE: "apikey",
        LOG_LEVEL: "info",
        MAX_BODY_BYTES: String(LAMBDA_MAX_BODY_BYTES),
        DATABASE_URL,
        RABBITMQ_URL,
        REDIS_URL,
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

/**
 * The same built app as the BFF's image (turbo prune, offline install, `pnpm build`: apps/bff/dist), so the
 * Lambda has every file the app reads at run time: the render threads' bundle, fonts, migrations, the dashboard.
 */
function bffLambdaCode(): lambda.Code {
  return lambda.Code.fromAsset(ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type; local bundling always runs (it needs Node and pnpm, not Docker).
      image: DockerImage.fromRegistry("node:22-bookworm-slim"),
      local: {
        tryBundle(outputDir) {
          packageBffLambda(outputDir);
          return true;
        },
      },
    },
  });
}
