import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";

/**
 * What the workers (on Kubernetes, infra/k8s) need from AWS: a policy for their pod role (EKS Pod Identity
 * or IRSA) and the log group their log shipper (Fluent Bit) writes to, which the metric filters read.
 */
export class WorkerAccess extends Construct {
  readonly policy: iam.ManagedPolicy;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: { bucket: s3.IBucket; logRetention: logs.RetentionDays }) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, "Logs", { logGroupName: "/reports/worker", retention: props.logRetention });
    this.policy = new iam.ManagedPolicy(this, "Policy", {
      description: "Reports workers: read and write report files",
      statements: [
        new iam.PolicyStatement({
          actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
          resources: [props.bucket.arnForObjects("*")],
        }),
        new iam.PolicyStatement({ actions: ["s3:ListBucket"], resources: [props.bucket.bucketArn] }),
      ],
    });
  }
}
