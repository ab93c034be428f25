import { createRequire } from 'module';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DataLakehouse, ModelRegistry, TrainingCluster, TrainingEngine } from '../../lib';
import { CLUSTER_DEFAULTS } from '../../lib/training/cluster-options';
import { ValidationError } from '../../lib/core/errors';
import { NO_KUBECTL_PROVIDER_WARNING } from '../../lib/training/private/cluster-engine';
import { DEFAULT_KUBECTL_LAYER, kubectlLayerLoader } from '../../lib/training/private/kubectl-layer';
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

/**
 * Node's own require from a directory with no node_modules above it (under the filesystem root, not
 * the temp dir: CI's TMPDIR lies inside the checkout, whose node_modules Node would find walking up):
 * what a consumer without the optional package gets.
 */
const requireWithoutPackages = createRequire(path.join(path.parse(process.cwd()).root, 'mlops-no-packages', 'index.js'));
const warningsOf = (stack: Stack) => (stack.node.root as App).synth().getStackArtifact(stack.artifactId).messages
  .filter((m) => m.level === 'warning').map((m) => String(m.entry.data));
/** Layers other than the AWS CLI layer aws-eks-v2 adds to every kubectl provider. */
const kubectlLayers = (t: Template) => Object.fromEntries(Object.entries(t.findResources('AWS::Lambda::LayerVersion'))
  .filter(([id]) => !id.includes('AwsCliLayer')));
const kubectlFunctions = (t: Template) => Object.values(t.findResources('AWS::Lambda::Function'))
  .filter((f) => JSON.stringify(f.Properties.Layers ?? []).includes('KubectlLayer') || JSON.stringify(f.Properties.Layers ?? []).includes('layer:kubectl'));

describe('the default kubectl layer (optional peer dependency @aws-cdk/lambda-layer-kubectl-v35)', () => {
  afterEach(() => jest.restoreAllMocks());

  test('when installed, a Kubernetes 1.35 cluster gets its layer and a kubectl provider by default: operators and workloads apply in the same deploy, with zero nag findings', () => {
    const load = jest.spyOn(kubectlLayerLoader, 'load');
    const stack = testStack({ nag: true });
    const engine = clusterEngine(stack, clusterInputs(stack));
    expect(load).toHaveBeenCalledWith('@aws-cdk/lambda-layer-kubectl-v35');
    expect(engine.cluster.kubectlProvider).toBeDefined();
    const ecr = `oci://${stack.account}.dkr.ecr.${stack.region}.amazonaws.com`;
    const operators = installOperators(engine.cluster, {
      clusterName: engine.clusterName, region: stack.region, kubernetesVersion: CLUSTER_DEFAULTS.kubernetesVersion.version,
      repositories: { 'kueue': `${ecr}/k8s/kueue/charts/kueue`, 'kserve-crd': `${ecr}/github/kserve/charts/kserve-crd` },
    });
    const applied = addWorkloadManifests(engine.cluster, kubernetesWorkloads(EXAMPLE_DECLARATION, stack.node.path), operators);
    expect(warningsOf(stack)).toEqual([]);
    const t = Template.fromStack(stack);
    // KubectlV35Layer: kubectl 1.35 and helm, a zip shipped in the package (an asset: no network at synth).
    const layers = kubectlLayers(t);
    expect(Object.keys(layers)).toEqual([expect.stringMatching(/^EngineKubectlLayer[0-9A-F]{8}$/)]);
    expect(Object.values(layers)[0].Properties.Description).toMatch(/^\/opt\/kubectl\/kubectl 1\.35\.\d+; \/opt\/helm\/helm /);
    const kubectl = kubectlFunctions(t);
    expect(kubectl).toHaveLength(1);
    expect(kubectl[0].Properties.Layers).toContainEqual({ Ref: Object.keys(layers)[0] });
    expect(kubectl[0].Properties.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^EngineDeployerSecurityGroup/), 'GroupId'] }]);
    expect(Object.keys(t.findResources('Custom::AWSCDK-EKS-KubernetesResource')).length).toBe(applied.length);
    t.resourceCountIs('Custom::AWSCDK-EKS-HelmChart', 8);
  });

  test('when not installed, there is no kubectl provider and the warning names the package and version to install', () => {
    jest.spyOn(kubectlLayerLoader, 'load').mockImplementation((name) => requireWithoutPackages(name));
    const stack = testStack();
    const engine = clusterEngine(stack, clusterInputs(stack));
    expect(engine.cluster.kubectlProvider).toBeUndefined();
    expect(warningsOf(stack)).toEqual([expect.stringContaining(
      `npm install ${DEFAULT_KUBECTL_LAYER.packageName}@${DEFAULT_KUBECTL_LAYER.versionRange}`)]);
    expect(`${DEFAULT_KUBECTL_LAYER.packageName}@${DEFAULT_KUBECTL_LAYER.versionRange}`).toBe('@aws-cdk/lambda-layer-kubectl-v35@^2.2.2');
    expect(warningsOf(stack)[0]).toMatch(/kubectlProvider: false.*mlops:noKubectlProvider/);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Lambda::LayerVersion', 0);
    t.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('fails when the package is installed but broken (a module it needs is missing, or it does not load), instead of silently dropping the provider', () => {
    jest.spyOn(kubectlLayerLoader, 'load').mockImplementation(() => requireWithoutPackages('aws-cdk-lib/aws-lambda'));
    expect(() => { const stack = testStack(); clusterEngine(stack, clusterInputs(stack)); }).toThrow(/Cannot find module 'aws-cdk-lib\/aws-lambda'/);
    jest.spyOn(kubectlLayerLoader, 'load').mockImplementation(() => { throw new SyntaxError('Unexpected token'); });
    expect(() => { const stack = testStack(); clusterEngine(stack, clusterInputs(stack)); }).toThrow(SyntaxError);
    jest.spyOn(kubectlLayerLoader, 'load').mockImplementation(() => ({}));
    expect(() => { const stack = testStack(); clusterEngine(stack, clusterInputs(stack)); }).toThrow(/does not export KubectlV35Layer: install @aws-cdk\/lambda-layer-kubectl-v35@\^2\.2\.2/);
  });

  test('another Kubernetes minor does not load the 1.35 layer: the warning names @aws-cdk/lambda-layer-kubectl-v<minor>', () => {
    const load = jest.spyOn(kubectlLayerLoader, 'load');
    const stack = testStack();
    clusterEngine(stack, clusterInputs(stack), { kubernetesVersion: eks.KubernetesVersion.V1_33 });
    expect(load).not.toHaveBeenCalled();
    expect(warningsOf(stack)).toEqual([expect.stringContaining('@aws-cdk/lambda-layer-kubectl-v33 ')]);
    expect(warningsOf(stack)[0]).not.toContain('lambda-layer-kubectl-v35');
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::LayerVersion', 0);
  });

  test('an explicit kubectlLayer wins over the default layer', () => {
    const load = jest.spyOn(kubectlLayerLoader, 'load');
    const stack = testStack();
    const kubectlLayer = lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', 'arn:aws:lambda:us-east-1:123456789012:layer:kubectl-v35:7');
    clusterEngine(stack, clusterInputs(stack), { kubectlLayer });
    expect(load).not.toHaveBeenCalled();
    expect(warningsOf(stack)).toEqual([]);
    const t = Template.fromStack(stack);
    expect(kubectlLayers(t)).toEqual({});
    expect(kubectlFunctions(t).map((f) => f.Properties.Layers)).toEqual([expect.arrayContaining(['arn:aws:lambda:us-east-1:123456789012:layer:kubectl-v35:7'])]);
  });

  test('kubectlProvider: false opts out (the Terraform path): no layer, no provider, no warning, and applying manifests fails clearly', () => {
    const load = jest.spyOn(kubectlLayerLoader, 'load');
    const stack = testStack();
    const engine = clusterEngine(stack, clusterInputs(stack), { kubectlProvider: false });
    expect(load).not.toHaveBeenCalled();
    expect(engine.cluster.kubectlProvider).toBeUndefined();
    expect(warningsOf(stack)).toEqual([]);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Lambda::LayerVersion', 0);
    t.resourceCountIs('AWS::Lambda::Function', 0);
    expect(() => addWorkloadManifests(engine.cluster, kubernetesWorkloads(EXAMPLE_DECLARATION, stack.node.path))).toThrow(/kubectl/);
  });

  test('fails when kubectlProvider is false and a kubectlLayer is given', () => {
    const stack = testStack();
    const kubectlLayer = lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', 'arn:aws:lambda:us-east-1:123456789012:layer:kubectl-v35:1');
    const inputs = clusterInputs(stack);
    let error: unknown;
    try {
      clusterEngine(stack, inputs, { kubectlProvider: false, kubectlLayer });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/cluster\.kubectlProvider \(false\): must not be false with a kubectlLayer/);
  });
});
