import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { createLogGroup } from '../../core/encryption';

/** Interface endpoints that SageMaker jobs, image pulls, logs, metrics and credentials need without a NAT gateway. */
export const TRAINING_INTERFACE_ENDPOINTS: ReadonlyArray<[string, ec2.InterfaceVpcEndpointAwsService]> = [
  ['SageMakerApi', ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_API],
  ['SageMakerRuntime', ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_RUNTIME],
  ['EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR],
  ['EcrDocker', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
  ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
  ['Monitoring', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING],
  ['Sts', ec2.InterfaceVpcEndpointAwsService.STS],
  ['Kms', ec2.InterfaceVpcEndpointAwsService.KMS],
];

/** Address range of a VPC the training cluster creates. */
export const TRAINING_VPC_CIDR = '10.80.0.0/16';

/** Props of {@link TrainingNetwork}. */
export interface TrainingNetworkProps {
  readonly vpc?: ec2.IVpc;
  readonly maxAzs: number;
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
      const vpc = new ec2.Vpc(this, 'Vpc', {
        ipAddresses: ec2.IpAddresses.cidr(TRAINING_VPC_CIDR),
        maxAzs: props.maxAzs,
        natGateways: 0,
        subnetConfiguration: [{ name: 'training', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }],
        gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
        restrictDefaultSecurityGroup: false,
      });
      const flowLogs = createLogGroup(this, 'FlowLogs', { key: props.key, removalPolicy: props.removalPolicy });
      vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.ALL });
      // One security group for every endpoint, with the VPC range as a literal (not a token) so that
      // reviewers and cdk-nag can read exactly what may connect.
      this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc,
        description: 'VPC interface endpoints: HTTPS from inside the training VPC',
        allowAllOutbound: false,
      });
      this.endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(TRAINING_VPC_CIDR), ec2.Port.tcp(443), 'HTTPS from the training VPC');
      for (const [name, service] of TRAINING_INTERFACE_ENDPOINTS) {
        vpc.addInterfaceEndpoint(name, {
          service,
          privateDnsEnabled: true,
          open: false,
          securityGroups: [this.endpointSecurityGroup],
          subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        });
      }
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
