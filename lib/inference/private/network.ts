import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { createIsolatedVpc } from '../../core/network';

/** Interface endpoints a model in isolated subnets needs: runtime, image pulls, logs and metrics. */
export const INFERENCE_INTERFACE_ENDPOINTS: ReadonlyArray<[string, ec2.InterfaceVpcEndpointAwsService]> = [
  ['SageMakerRuntime', ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_RUNTIME],
  ['EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR],
  ['EcrDocker', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
  ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
  ['Monitoring', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING],
];

/** Address range of a VPC the endpoint creates. */
export const INFERENCE_VPC_CIDR = '10.90.0.0/16';

/** Props of {@link InferenceNetwork}. */
export interface InferenceNetworkProps {
  readonly vpc?: ec2.IVpc;
  readonly subnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  readonly availabilityZones?: string[];
  readonly key: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Where the models run: the given VPC, or a new one with isolated subnets only, an S3 gateway
 * endpoint, the interface endpoints above and encrypted flow logs; plus a security group that
 * allows only HTTPS out, unless security groups are given.
 */
export class InferenceNetwork extends Construct {
  public readonly vpc: ec2.IVpc;
  public readonly subnetIds: string[];
  public readonly securityGroupIds: string[];

  constructor(scope: Construct, id: string, props: InferenceNetworkProps) {
    super(scope, id);
    let cidr: string;
    if (props.vpc) {
      this.vpc = props.vpc;
      cidr = props.vpc.vpcCidrBlock;
    } else {
      const { vpc } = createIsolatedVpc(this, {
        purpose: 'inference',
        cidr: INFERENCE_VPC_CIDR,
        maxAzs: 2,
        availabilityZones: props.availabilityZones,
        endpoints: INFERENCE_INTERFACE_ENDPOINTS,
        key: props.key,
        removalPolicy: props.removalPolicy,
      });
      this.vpc = vpc;
      cidr = INFERENCE_VPC_CIDR;
    }
    const selection = props.subnets ?? {
      subnetType: this.vpc.isolatedSubnets.length > 0 ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS,
    };
    this.subnetIds = this.vpc.selectSubnets(selection).subnetIds;
    if (props.securityGroups && props.securityGroups.length > 0) {
      this.securityGroupIds = props.securityGroups.map((g) => g.securityGroupId);
    } else {
      const sg = new ec2.SecurityGroup(this, 'ModelSecurityGroup', {
        vpc: this.vpc,
        description: 'SageMaker inference containers: HTTPS out only',
        allowAllOutbound: false,
      });
      sg.addEgressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'HTTPS to VPC interface endpoints');
      sg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to S3 through the gateway endpoint (prefix-list routed)');
      this.securityGroupIds = [sg.securityGroupId];
    }
  }
}
