import { CfnParameter, Duration, Fn, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as mq from "aws-cdk-lib/aws-amazonmq";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as elasticache from "aws-cdk-lib/aws-elasticache";
import * as rds from "aws-cdk-lib/aws-rds";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import type { ReportsNetwork } from "./network";
import type { ReportsSettings } from "./settings";

/** Connection URLs for the apps' environment; secrets resolve at deploy time (CloudFormation dynamic references). */
export interface ServiceUrls {
  DATABASE_URL: string;
  RABBITMQ_URL: string;
  REDIS_URL: string;
  /** The Amazon MQ broker's name, for its CloudWatch metrics (queue depths); absent with an external broker. */
  brokerName?: string;
}

/** PostgreSQL, RabbitMQ and Redis: managed in this stack, or URLs passed as NoEcho parameters. */
export class BackingServices extends Construct {
  readonly urls: ServiceUrls;

  constructor(scope: Construct, id: string, props: { network: ReportsNetwork; settings: ReportsSettings }) {
    super(scope, id);
    const { network, settings } = props;
    const broker = settings.rabbitmq === "amazonmq" ? this.broker(network, settings) : undefined;
    const redisUrl =
      settings.redis === "elasticache" ? this.redis(network) : this.urlParameter("RedisUrl", "rediss:// URL of Redis");
    this.urls = {
      DATABASE_URL:
        settings.database === "rds"
          ? this.database(network, settings)
          : this.urlParameter("DatabaseUrl", "postgres:// URL of the database"),
      RABBITMQ_URL: broker?.url ?? this.urlParameter("RabbitMqUrl", "amqps:// URL of RabbitMQ"),
      REDIS_URL: redisUrl,
      ...(broker ? { brokerName: broker.name } : {}),
    };
  }

  /** Secrets Manager ARNs of the generated credentials, for the workers' Kubernetes Secret. */
  readonly secretArns: Record<string, string> = {};

  // On the stack, so the parameter names stay `DatabaseUrl`, … for `cdk deploy --parameters`.
  private urlParameter(id: string, description: string): string {
    return new CfnParameter(Stack.of(this), id, { type: "String", noEcho: true, description }).valueAsString;
  }

  private database(network: ReportsNetwork, settings: ReportsSettings): string {
    const instance = new rds.DatabaseInstance(this, "Postgres", {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM),
      vpc: network.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [network.serviceSecurityGroup("PostgresAccess", 5432, "PostgreSQL")],
      databaseName: "reports",
      credentials: rds.Credentials.fromGeneratedSecret("reports", {
        excludeCharacters: " %+~`#$&*()|[]{}:;<>?!'/@\"\\=,^",
      }),
      multiAz: settings.highAvailability,
      storageEncrypted: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: 20,
      maxAllocatedStorage: 200,
      backupRetention: Duration.days(7),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    const secret = instance.secret;
    if (!secret) throw new Error("the database has no generated secret");
    this.secretArns.DatabaseSecretArn = secret.secretArn;
    const password = secret.secretValueFromJson("password").unsafeUnwrap();
    return `postgres://reports:${password}@${instance.dbInstanceEndpointAddress}:${instance.dbInstanceEndpointPort}/reports`;
  }

  private broker(network: ReportsNetwork, settings: ReportsSettings): { url: string; name: string } {
    const password = new secretsmanager.Secret(this, "BrokerPassword", {
      // Amazon MQ refuses commas, colons and equals signs; URLs would need anything else escaped.
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
    });
    this.secretArns.BrokerPasswordSecretArn = password.secretArn;
    const name = "reports";
    const broker = new mq.CfnBroker(this, "RabbitMq", {
      brokerName: name,
      engineType: "RABBITMQ",
      engineVersion: "3.13",
      hostInstanceType: "mq.m7g.medium",
      deploymentMode: settings.highAvailability ? "CLUSTER_MULTI_AZ" : "SINGLE_INSTANCE",
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      subnetIds: settings.highAvailability
        ? network.vpc.isolatedSubnets.map((s) => s.subnetId)
        : [network.vpc.isolatedSubnets[0]?.subnetId ?? ""],
      securityGroups: [network.serviceSecurityGroup("RabbitMqAccess", 5671, "RabbitMQ").securityGroupId],
      users: [{ username: "reports", password: password.secretValue.unsafeUnwrap() }],
      logs: { general: true },
    });
    // AmqpEndpoints are "amqps://host:5671"; the credentials go between scheme and host.
    const hostAndPort = Fn.select(1, Fn.split("amqps://", Fn.select(0, broker.attrAmqpEndpoints)));
    return { url: `amqps://reports:${password.secretValue.unsafeUnwrap()}@${hostAndPort}`, name };
  }

  private redis(network: ReportsNetwork): string {
    const subnets = new elasticache.CfnSubnetGroup(this, "RedisSubnets", {
      description: "Reports Redis",
      subnetIds: network.vpc.isolatedSubnets.map((s) => s.subnetId),
    });
    const redis = new elasticache.CfnReplicationGroup(this, "Redis", {
      replicationGroupDescription: "Reports status cache",
      engine: "redis",
      cacheNodeType: "cache.t4g.small",
      numCacheClusters: 1,
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [network.serviceSecurityGroup("RedisAccess", 6379, "Redis").securityGroupId],
    });
    return `rediss://${redis.attrPrimaryEndPointAddress}:${redis.attrPrimaryEndPointPort}`;
  }
}
