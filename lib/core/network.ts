import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { Validator } from './errors';
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

/**
 * The subset of {@link SAGEMAKER_INTERFACE_ENDPOINTS} an instance-based endpoint in isolated subnets
 * needs (runtime, image pulls, logs and metrics; the same list as the endpoint's own VPC), for a VPC
 * whose training and processing jobs run on SageMaker's managed network (`sagemakerNetwork: 'managed'`).
 */
export const SAGEMAKER_HOSTING_INTERFACE_ENDPOINTS: ReadonlyArray<[string, ec2.InterfaceVpcEndpointAwsService]> =
  SAGEMAKER_INTERFACE_ENDPOINTS.filter(([name]) => ['SageMakerRuntime', 'EcrApi', 'EcrDocker', 'Logs', 'Monitoring'].includes(name));

/** Options for {@link createIsolatedVpc}. */
export interface IsolatedVpcOptions {
  /** What the VPC is for (`training`, `inference`): names the subnets and the endpoint rules. */
  readonly purpose: string;
  /** The VPC's address range, as a literal. */
  readonly cidr: string;
  /** How many availability zones to spread over (ignored when `availabilityZones` is given). */
  readonly maxAzs: number;
  /**
   * The availability zones, named. Stacks pinned to an account and region otherwise look their zones
   * up at synth (a context lookup that needs credentials); environment-agnostic stacks need neither.
   * @default the first `maxAzs` zones of the region
   */
  readonly availabilityZones?: string[];
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
 * interface endpoints behind one security group, encrypted flow logs of all traffic and its default
 * security group closed. Creates `Vpc`, `FlowLogs` and `EndpointSecurityGroup` in `scope`.
 */
export function createIsolatedVpc(scope: Construct, options: IsolatedVpcOptions): IsolatedVpc {
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr(options.cidr),
    ...(options.availabilityZones ? { availabilityZones: options.availabilityZones } : { maxAzs: options.maxAzs }),
    natGateways: 0,
    subnetConfiguration: [{ name: options.purpose, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }],
    gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    // Closes the default security group. EC2 creates it with every VPC, with an inbound rule from
    // itself and an outbound rule to everywhere; it cannot be deleted ("Delete a security group",
    // VPC User Guide) and CloudFormation has no resource that removes its rules, so only an API call
    // does: aws-cdk-lib's custom resource (Custom::VpcRestrictDefaultSG, one Lambda per stack)
    // revokes both rules on create and restores them on delete. Its role may call exactly
    // ec2:Authorize/RevokeSecurityGroupIngress/Egress on this VPC's default group. Nothing here uses
    // the default group (every ENI gets a group of its own), so closing it changes no traffic;
    // it satisfies the AWS Config rule vpc-default-security-group-closed and cdk-nag's
    // VPCDefaultSecurityGroupClosed (NIST 800-53, HIPAA), which look for this custom resource.
    restrictDefaultSecurityGroup: true,
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

/** An availability zone name such as `eu-west-1a` (or a local/wavelength zone name). */
export const AVAILABILITY_ZONE = /^[a-z]{2}(-[a-z]+)+-\d[a-z](-[a-z0-9-]+)?$/;

/** Records problems with an `availabilityZones` prop: named zones, at least one, no repeats. */
export function validateAvailabilityZones(v: Validator, zones: readonly string[] | undefined, property: string): void {
  if (zones === undefined) return;
  v.check(Array.isArray(zones) && zones.length >= 1, property, zones, 'must name at least one availability zone');
  if (!Array.isArray(zones)) return;
  zones.forEach((z, i) => v.matches(z, AVAILABILITY_ZONE, `${property}[${i}]`, 'must be an availability zone name such as eu-west-1a'));
  v.check(new Set(zones).size === zones.length, property, zones, 'must not repeat a zone');
}

/**
 * The context entry that tells CDK the availability zones of an account and region, so that stacks
 * pinned to them need no availability-zone lookup (and no credentials) at synth. CDK reads the zones
 * of a pinned stack from context whenever a VPC is created in it, even one given its zones; pass this
 * to the App (or set it on a Stage before it has children):
 *
 * @example
 * new App({ context: availabilityZonesContext('111111111111', 'eu-west-1', ['eu-west-1a', 'eu-west-1b']) });
 */
export function availabilityZonesContext(account: string, region: string, zones: string[]): Record<string, string[]> {
  return { [`availability-zones:account=${account}:region=${region}`]: [...zones] };
}
