import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { SAGEMAKER_INTERFACE_ENDPOINTS, createIsolatedVpc } from '../../core/network';

/** Interface endpoints that SageMaker jobs, image pulls, logs, metrics and credentials need without a NAT gateway. */
export const TRAINING_INTERFACE_ENDPOINTS = SAGEMAKER_INTERFACE_ENDPOINTS;

/** Address range of a VPC the training cluster creates. */
export const TRAINING_VPC_CIDR = '10.80.0.0/16';

/** Props of {@link TrainingNetwork}. */
export interface TrainingNetworkProps {
  readonly vpc?: ec2.IVpc;
  readonly maxAzs: number;
  readonly availabilityZones?: string[];
  readonly key: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The network training runs in: the given VPC, or a new one with private isolated subnets only,
 * an S3 gateway endpoint, the interface endpoints above and encrypted flow logs; plus the security
 * group every training and processing job uses.
 */
export class TrainingNetwork extends Construct {
  public readonly vpc: ec2.IVpc;
  public readonly vpcIsOwned: boolean;
  public readonly subnets: ec2.SubnetSelection;
  public readonly securityGroup: ec2.SecurityGroup;
  /** The security group of the interface endpoints (created VPC only): HTTPS from inside the VPC. */
  public readonly endpointSecurityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: TrainingNetworkProps) {
    super(scope, id);
    this.vpcIsOwned = props.vpc === undefined;
    if (props.vpc) {
      this.vpc = props.vpc;
      this.subnets = { subnetType: props.vpc.isolatedSubnets.length > 0 ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS };
    } else {
      const { vpc, endpointSecurityGroup } = createIsolatedVpc(this, {
        purpose: 'training',
        cidr: TRAINING_VPC_CIDR,
        maxAzs: props.maxAzs,
        availabilityZones: props.availabilityZones,
        endpoints: TRAINING_INTERFACE_ENDPOINTS,
        key: props.key,
        removalPolicy: props.removalPolicy,
      });
      this.endpointSecurityGroup = endpointSecurityGroup;
      this.vpc = vpc;
      this.subnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'JobSecurityGroup', {
      vpc: this.vpc,
      description: 'SageMaker training and processing jobs',
      allowAllOutbound: false,
    });
    // Distributed training: instances of one job talk to each other on every port.
    this.securityGroup.connections.allowInternally(ec2.Port.allTraffic(), 'Traffic between instances of one training job');
    // HTTPS to the VPC endpoints; isolated subnets have no route beyond the VPC.
    this.securityGroup.addEgressRule(ec2.Peer.ipv4(this.vpcIsOwned ? TRAINING_VPC_CIDR : this.vpc.vpcCidrBlock), ec2.Port.tcp(443), 'HTTPS to VPC interface endpoints');
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to S3 through the gateway endpoint (prefix-list routed)');
  }

  /** Subnet IDs for job VPC configs. */
  public get subnetIds(): string[] {
    return this.vpc.selectSubnets(this.subnets).subnetIds;
  }
}
