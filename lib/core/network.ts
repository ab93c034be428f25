import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { createLogGroup } from './encryption';

/**
 * Interface endpoints that SageMaker jobs and endpoints need without a NAT gateway: the SageMaker
 * API and runtime, image pulls, logs, metrics, credentials and keys.
 */
export const SAGEMAKER_INTERFACE_ENDPOINTS: ReadonlyArray<[string, ec2.InterfaceVpcEndpointAwsService]> = [
  ['SageMakerApi', ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_API],
  ['SageMakerRuntime', ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_RUNTIME],
  ['EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR],
  ['EcrDocker', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
  ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
  ['Monitoring', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING],
  ['Sts', ec2.InterfaceVpcEndpointAwsService.STS],
  ['Kms', ec2.InterfaceVpcEndpointAwsService.KMS],
];

/** Options for {@link createIsolatedVpc}. */
export interface IsolatedVpcOptions {
  /** What the VPC is for (`training`, `inference`): names the subnets and the endpoint rules. */
  readonly purpose: string;
  /** The VPC's address range, as a literal. */
  readonly cidr: string;
  /** Availability zones. */
  readonly maxAzs: number;
  /** Interface endpoints to add, as [construct ID, service]. */
  readonly endpoints: ReadonlyArray<[string, ec2.InterfaceVpcEndpointAwsService]>;
  /** Key of the flow-log group. */
  readonly key: kms.IKey;
  /** Removal policy of the flow-log group. */
  readonly removalPolicy: RemovalPolicy;
}

/** What {@link createIsolatedVpc} creates. */
export interface IsolatedVpc {
  readonly vpc: ec2.Vpc;
  /** The one security group of every interface endpoint: HTTPS from inside the VPC. */
  readonly endpointSecurityGroup: ec2.SecurityGroup;
}

/**
 * A VPC that needs no NAT gateway: private isolated subnets only, an S3 gateway endpoint, the given
 * interface endpoints behind one security group and encrypted flow logs of all traffic. Creates
 * `Vpc`, `FlowLogs` and `EndpointSecurityGroup` in `scope`.
 */
export function createIsolatedVpc(scope: Construct, options: IsolatedVpcOptions): IsolatedVpc {
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr(options.cidr),
    maxAzs: options.maxAzs,
    natGateways: 0,
    subnetConfiguration: [{ name: options.purpose, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }],
    gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    restrictDefaultSecurityGroup: false,
  });
  const flowLogs = createLogGroup(scope, 'FlowLogs', { key: options.key, removalPolicy: options.removalPolicy });
  vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.ALL });
  // One security group for every endpoint, with the VPC range as a literal (not a token) so that
  // reviewers and cdk-nag can read exactly what may connect.
  const endpointSecurityGroup = new ec2.SecurityGroup(scope, 'EndpointSecurityGroup', {
    vpc,
    description: `VPC interface endpoints: HTTPS from inside the ${options.purpose} VPC`,
    allowAllOutbound: false,
  });
  endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(options.cidr), ec2.Port.tcp(443), `HTTPS from the ${options.purpose} VPC`);
  for (const [name, service] of options.endpoints) {
    vpc.addInterfaceEndpoint(name, {
      service,
      privateDnsEnabled: true,
      open: false,
      securityGroups: [endpointSecurityGroup],
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
  }
  return { vpc, endpointSecurityGroup };
}
