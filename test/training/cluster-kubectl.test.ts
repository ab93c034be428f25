import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DataLakehouse, ModelRegistry, TrainingCluster, TrainingEngine } from '../../lib';
import { CLUSTER_DEFAULTS } from '../../lib/training/cluster-options';
import { NO_KUBECTL_PROVIDER_WARNING } from '../../lib/training/private/cluster-engine';
import { addWorkloadManifests, installOperators, kubernetesWorkloads } from '../../lib/kubernetes';
import { EXAMPLE_DECLARATION } from '../../examples/kubernetes';
import { testStack } from '../helpers/app';
import { clusterEngine, clusterInputs } from './cluster-fixtures';

describe('cluster engine with a kubectl layer', () => {
  test('gets a kubectl provider in its private subnets, so the Kubernetes layer applies in the same deploy, with zero nag findings', () => {
    const stack = testStack({ nag: true });
    const kubectlLayer = lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', 'arn:aws:lambda:us-east-1:123456789012:layer:kubectl-v33:1');
    const engine = clusterEngine(stack, clusterInputs(stack), { kubectlLayer });
    // The VPC has no internet egress: charts come from the account's ECR pull-through caches.
    const ecr = `oci://${stack.account}.dkr.ecr.${stack.region}.amazonaws.com`;
    const operators = installOperators(engine.cluster, {
      clusterName: engine.clusterName, region: stack.region, kubernetesVersion: CLUSTER_DEFAULTS.kubernetesVersion.version,
      repositories: { 'kueue': `${ecr}/k8s/kueue/charts/kueue`, 'kserve-crd': `${ecr}/github/kserve/charts/kserve-crd` },
    });
    const applied = addWorkloadManifests(engine.cluster, kubernetesWorkloads(EXAMPLE_DECLARATION, stack.node.path), operators);
    expect(applied.length).toBeGreaterThan(0);
    expect(() => (stack.node.root as App).synth()).not.toThrow();
    const t = Template.fromStack(stack);
    const functions = Object.values(t.findResources('AWS::Lambda::Function'));
    const kubectl = functions.filter((f) => JSON.stringify(f.Properties.Layers ?? []).includes('kubectl-v33'));
    expect(kubectl).toHaveLength(1);
    expect(kubectl[0].Properties.VpcConfig.SubnetIds.length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(t.findResources('Custom::AWSCDK-EKS-KubernetesResource')).length).toBe(applied.length);
    // The add-ons (VPC CNI with network policies, Pod Identity agent) and the charts are in the same deploy.
    t.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'vpc-cni' });
    t.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'eks-pod-identity-agent' });
    t.resourceCountIs('Custom::AWSCDK-EKS-HelmChart', 8);
    t.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Release: 'kueue', Repository: `${ecr}/k8s/kueue/charts/kueue` });
    const team = Object.entries(t.findResources('Custom::AWSCDK-EKS-KubernetesResource')).find(([id]) => id.includes('MlopsTeamvision'))!;
    expect(team[1].DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/Operatorkueue[0-9A-F]{8}$/), expect.stringMatching(/Operatorkubeflowtrainer/)]));
  });

  test('without a layer there is no kubectl provider, and applying manifests fails clearly', () => {
    const stack = testStack();
    const engine = clusterEngine(stack, clusterInputs(stack));
    expect(() => addWorkloadManifests(engine.cluster, kubernetesWorkloads(EXAMPLE_DECLARATION, stack.node.path))).toThrow(/kubectl/);
  });

  test('the kubectl provider runs in the deployer security group, which the control plane admits on 443 and the cluster endpoints admit', () => {
    const stack = testStack();
    const kubectlLayer = lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', 'arn:aws:lambda:us-east-1:123456789012:layer:kubectl-v35:1');
    clusterEngine(stack, clusterInputs(stack), { kubectlLayer });
    (stack.node.root as App).synth();
    const t = Template.fromStack(stack);
    const kubectl = Object.values(t.findResources('AWS::Lambda::Function')).find((f) => JSON.stringify(f.Properties.Layers ?? []).includes('kubectl-v35'))!;
    // aws-eks-v2 otherwise puts the provider in the cluster security group, which also opens every node to it.
    expect(kubectl.Properties.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^EngineDeployerSecurityGroup/), 'GroupId'] }]);
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp', FromPort: 443, ToPort: 443,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EngineClusterControlPlaneSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EngineDeployerSecurityGroup'), 'GroupId'] },
    });
    // The provider calls eks:DescribeCluster and the Terraform runner reads SSM: the cluster's endpoints admit the deployer group.
    for (const endpoint of ['Eks', 'Ssm']) {
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: 443, GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^EngineEndpoints${endpoint}SecurityGroup`), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EngineDeployerSecurityGroup'), 'GroupId'] },
      });
    }
    const warnings = (stack.node.root as App).synth().getStackArtifact(stack.artifactId).messages.filter((m) => m.level === 'warning');
    expect(warnings.map((m) => String(m.entry.data))).not.toContainEqual(expect.stringContaining(NO_KUBECTL_PROVIDER_WARNING));
  });

  test('without a layer the cluster warns, naming the kubectl layer package of its Kubernetes minor and the Terraform alternative', () => {
    const stack = testStack();
    clusterEngine(stack, clusterInputs(stack), { kubernetesVersion: eks.KubernetesVersion.V1_34 });
    const warnings = (stack.node.root as App).synth().getStackArtifact(stack.artifactId).messages.filter((m) => m.level === 'warning').map((m) => String(m.entry.data));
    expect(warnings).toEqual([expect.stringMatching(/No kubectlLayer: .*@aws-cdk\/lambda-layer-kubectl-v34 .*deployerSecurityGroup.*mlops:noKubectlProvider/)]);
  });

  test('TrainingCluster publishes the deployer security group for the Terraform path', () => {
    const stack = testStack();
    const lakehouse = new DataLakehouse(stack, 'Lake');
    const registry = new ModelRegistry(stack, 'Registry', { models: [{ name: 'm', description: 'm' }] });
    const training = new TrainingCluster(stack, 'Training', { lakehouse, registry, model: 'm', engine: TrainingEngine.CLUSTER, cluster: {} });
    expect(training.deployerSecurityGroup).toBeDefined();
    expect(stack.resolve(training.deployerSecurityGroup!.securityGroupId)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TrainingClusterDeployerSecurityGroup/), 'GroupId'] });
  });
});
