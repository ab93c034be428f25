/**
 * Cluster findings of issue 17: what a fresh training cluster needs to be reachable by the
 * Kubernetes layer and to scale its GPU pools. Each test failed on the engine before the fix.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ValidationError } from '../../lib';
import { GPU_INSTANCE_CAPACITY, GPU_INSTANCE_SIZES, clusterParameterNames } from '../../lib/training/cluster-options';
import { testStack } from '../helpers/app';
import { CLUSTER_INTERFACE_ENDPOINTS } from '../../lib/training/private/cluster-engine';
import { clusterEngine, clusterInputs } from './cluster-fixtures';

const type = (name: string) => new ec2.InstanceType(name);

describe('a GPU pool holds instance types of one capacity (the cluster autoscaler sizes a pool by one type)', () => {
  const stack = testStack();
  const inputs = clusterInputs(stack);
  let n = 0;
  const build = (instanceTypes: string[]) => clusterEngine(new Construct(stack, `Case${n++}`), inputs, {
    gpuNodeGroups: [{ name: 'a10g', instanceTypes: instanceTypes.map(type), maxSize: 4 }],
  });

  test('fails when a pool mixes g5.2xlarge and g5.4xlarge, naming both capacities', () => {
    expect(() => build(['g5.2xlarge', 'g5.4xlarge'])).toThrow(ValidationError);
    expect(() => build(['g5.2xlarge', 'g5.4xlarge'])).toThrow(
      /cluster\.gpuNodeGroups\[0\]\.instanceTypes\[1\] \("g5\.4xlarge \(16 vCPUs, 64 GiB, 1 GPU\)"\): must have the vCPUs, memory and GPUs of the pool's other types \(g5\.2xlarge: 8 vCPUs, 32 GiB, 1 GPU\)/);
    // Same vCPUs and GPUs, different memory: still refused.
    expect(() => build(['g6.xlarge', 'g6e.xlarge'])).toThrow(/instanceTypes\[1\] \("g6e\.xlarge \(4 vCPUs, 32 GiB, 1 GPU\)"\)/);
  });

  test('accepts several types of equal capacity (spot diversification)', () => {
    expect(() => build(['g5.2xlarge', 'g6.2xlarge'])).not.toThrow();
  });

  test('every accepted GPU instance type has a known capacity', () => {
    const accepted = Object.entries(GPU_INSTANCE_SIZES).flatMap(([f, sizes]) => sizes.map((s) => `${f}.${s}`)).sort();
    expect(Object.keys(GPU_INSTANCE_CAPACITY).sort()).toEqual(accepted);
  });
});

describe('what deploys the Kubernetes layer can reach the private API endpoint', () => {
  const stack = testStack();
  const engine = clusterEngine(stack, clusterInputs(stack));
  const t = Template.fromStack(stack);
  const names = clusterParameterNames('mlops', 'prod');

  test('the control-plane security group admits the deployer security group on 443, and nothing else', () => {
    const controlPlane = Object.entries(t.findResources('AWS::EC2::SecurityGroup'))
      .find(([id]) => /^EngineClusterControlPlaneSecurityGroup/.test(id))!;
    const rules = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter((r) => JSON.stringify(r.Properties.GroupId).includes(controlPlane[0]));
    const inline = (controlPlane[1].Properties.SecurityGroupIngress ?? []) as unknown[];
    expect([...rules.map((r) => r.Properties), ...inline]).toEqual([expect.objectContaining({
      IpProtocol: 'tcp', FromPort: 443, ToPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^EngineDeployerSecurityGroup/), 'GroupId'] },
    })]);
    expect(engine.deployerSecurityGroup).toBeDefined();
  });

  test('the deployer security group sends HTTPS only', () => {
    const deployer = Object.entries(t.findResources('AWS::EC2::SecurityGroup')).find(([id]) => /^EngineDeployerSecurityGroup/.test(id))!;
    const egress = [
      ...((deployer[1].Properties.SecurityGroupEgress ?? []) as Array<Record<string, unknown>>),
      ...Object.values(t.findResources('AWS::EC2::SecurityGroupEgress')).filter((r) => JSON.stringify(r.Properties.GroupId).includes(deployer[0])).map((r) => r.Properties),
    ];
    // The control plane, any address on 443 (the S3 gateway), and each endpoint the engine added.
    expect(egress.length).toBe(2 + CLUSTER_INTERFACE_ENDPOINTS.length);
    for (const rule of egress) expect(rule).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
    expect(deployer[1].Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('publishes the cluster and deployer security group IDs for the Terraform path', () => {
    expect(names.clusterSecurityGroupId).toBe('/mlops/prod/training/eks/cluster-security-group-id');
    expect(names.deployerSecurityGroupId).toBe('/mlops/prod/training/eks/deployer-security-group-id');
    t.hasResourceProperties('AWS::SSM::Parameter', {
      Name: names.clusterSecurityGroupId, Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EngineCluster'), 'ClusterSecurityGroupId'] },
    });
    t.hasResourceProperties('AWS::SSM::Parameter', {
      Name: names.deployerSecurityGroupId, Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EngineDeployerSecurityGroup'), 'GroupId'] },
    });
  });

  test('the Terraform runner reads those parameters through an SSM endpoint in the VPC', () => {
    expect(engine.addedEndpoints).toContain('ssm');
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.us-east-1.ssm', PrivateDnsEnabled: true });
  });
});

describe('cluster admins must exist when the access entry is created', () => {
  test('an imported admin role warns at synth, naming the rule EKS applies', () => {
    const stack = testStack();
    const admin = iam.Role.fromRoleArn(stack, 'Admin', 'arn:aws:iam::123456789012:role/acme-prod-k8s-deployer');
    clusterEngine(stack, clusterInputs(stack), { admins: [admin], kubectlProvider: false });
    const messages = (stack.node.root as App).synth().getStackArtifact(stack.artifactId).messages.filter((m) => m.level === 'warning');
    expect(messages.map((m) => String(m.entry.data))).toEqual([expect.stringMatching(
      /admins\[0\] \(arn:aws:iam::123456789012:role\/acme-prod-k8s-deployer\) is imported: it must exist before this stack deploys.*existing IAM principal/)]);
  });

  test('a role created in the app does not warn', () => {
    const stack = testStack();
    const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    clusterEngine(stack, clusterInputs(stack), { admins: [admin], kubectlProvider: false });
    expect((stack.node.root as App).synth().getStackArtifact(stack.artifactId).messages.filter((m) => m.level === 'warning')).toEqual([]);
  });
});

describe('network policies are enforced', () => {
  test('the VPC CNI runs as a managed add-on with enableNetworkPolicy, taking over the self-managed one', () => {
    const stack = testStack();
    clusterEngine(stack, clusterInputs(stack));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'vpc-cni', ConfigurationValues: JSON.stringify({ enableNetworkPolicy: 'true' }), ResolveConflicts: 'OVERWRITE',
    });
  });
});
