import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
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
      clusterName: engine.clusterName, region: stack.region,
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
    t.resourceCountIs('Custom::AWSCDK-EKS-HelmChart', 7);
    t.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Release: 'kueue', Repository: `${ecr}/k8s/kueue/charts/kueue` });
    const team = Object.entries(t.findResources('Custom::AWSCDK-EKS-KubernetesResource')).find(([id]) => id.includes('MlopsTeamvision'))!;
    expect(team[1].DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/Operatorkueue[0-9A-F]{8}$/), expect.stringMatching(/Operatorkubeflowtrainer/)]));
  });

  test('without a layer there is no kubectl provider, and applying manifests fails clearly', () => {
    const stack = testStack();
    const engine = clusterEngine(stack, clusterInputs(stack));
    expect(() => addWorkloadManifests(engine.cluster, kubernetesWorkloads(EXAMPLE_DECLARATION, stack.node.path))).toThrow(/kubectl/);
  });
});
