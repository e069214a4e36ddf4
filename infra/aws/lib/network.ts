import * as ec2 from "aws-cdk-lib/aws-ec2";
import { Construct } from "constructs";

/** The VPC the Lambda, the database, the broker and Redis share; S3 is reached through a gateway endpoint. */
export class ReportsNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  /** The BFF Lambda's security group; the services below admit it (and the workers' nodes, by rule). */
  readonly appSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, "Vpc", {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: "public", subnetType: ec2.SubnetType.PUBLIC },
        { name: "app", subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { name: "data", subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    this.appSecurityGroup = new ec2.SecurityGroup(this, "App", {
      vpc: this.vpc,
      description: "Reports BFF and workers",
    });
  }

  /** A security group for a service on `port` that admits the app security group. */
  serviceSecurityGroup(id: string, port: number, description: string): ec2.SecurityGroup {
    const group = new ec2.SecurityGroup(this, id, { vpc: this.vpc, description, allowAllOutbound: false });
    group.addIngressRule(this.appSecurityGroup, ec2.Port.tcp(port), `${description} from the apps`);
    return group;
  }
}
