import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";

/** The reports bucket: private, encrypted, TLS only, finished reports expire, browsers may download. */
export class ReportsBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(
    scope: Construct,
    id: string,
    props: { retentionDays: number; inputRetentionDays: number; downloadOrigins: string[] },
  ) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, "Bucket", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        // backstops a day after the workers' retention job, which removes files and inputs with their rows first
        // (so no status hands out a link to a file the bucket already dropped)
        { id: "expire-reports", prefix: "reports/", expiration: Duration.days(props.retentionDays + 1) },
        { id: "expire-inputs", prefix: "inputs/", expiration: Duration.days(props.inputRetentionDays + 1) },
        { id: "abort-incomplete-uploads", abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      cors: [
        {
          allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.HEAD],
          allowedOrigins: props.downloadOrigins,
          exposedHeaders: ["Content-Disposition", "Content-Length", "Content-Type", "ETag"],
          maxAge: 3600,
        },
      ],
    });
  }
}
