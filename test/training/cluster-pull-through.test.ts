import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DataLakehouse, ModelRegistry, TrainingCluster, TrainingEngine } from '../../lib';
import { EcrPullThroughCache } from '../../lib/kubernetes';
import { testStack } from '../helpers/app';
import { clusterEngine, clusterInputs } from './cluster-fixtures';

/**
 * A first pull through a rule needs ecr:BatchImportUpstreamImage and ecr:CreateRepository "in
 * addition to the Amazon ECR API permissions needed to authenticate to a private registry and to
 * push and pull images" (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html).
 */
const PULL_THROUGH = ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'];

/** The pull-through statements of the policies attached to a role (by logical ID prefix). */
function pullThroughResources(t: Template, stack: Stack, role: RegExp): string[] {
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => role.test(r.Ref)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
    .filter((s) => JSON.stringify(s.Action) === JSON.stringify(PULL_THROUGH))
    .flatMap((s) => ([] as unknown[]).concat(s.Resource).map((r) => JSON.stringify(stack.resolve(r))));
}

describe('cluster engine with an ECR pull-through cache', () => {
  test('the node role and the kubectl provider\'s role may pull through the rules\' prefixes, with zero nag findings', () => {
    const stack = testStack({ nag: true });
    const cache = new EcrPullThroughCache(stack, 'Cache');
    const kubectlLayer = lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', 'arn:aws:lambda:us-east-1:123456789012:layer:kubectl-v35:1');
    const engine = clusterEngine(stack, clusterInputs(stack), { kubectlLayer, pullThroughCache: cache });
    expect(engine.pullThroughCache).toBe(cache);
    expect(() => (stack.node.root as App).synth()).not.toThrow();
    const t = Template.fromStack(stack);
    const nodes = pullThroughResources(t, stack, /^EngineNodeRole/);
    expect(nodes).toHaveLength(3);
    for (const prefix of ['kubernetes', 'quay', 'ecr-public']) expect(nodes.some((r) => r.includes(`:repository/${prefix}/*`))).toBe(true);
    // Helm in the kubectl provider pulls OCI charts (kueue, kserve) through the cache too.
    const kubectlRole = engine.cluster.kubectlProvider!.role!;
    const kubectlStack = Stack.of(kubectlRole);
    const kubectlRoleId = kubectlStack.resolve((kubectlRole.node.defaultChild as iam.CfnRole).logicalId) as string;
    expect(pullThroughResources(Template.fromStack(kubectlStack), kubectlStack, new RegExp(`^${kubectlRoleId}$`))).toHaveLength(3);
  });

  test('without a cache nothing may import upstream images', () => {
    const stack = testStack();
    clusterEngine(stack, clusterInputs(stack));
    expect(pullThroughResources(Template.fromStack(stack), stack, /./)).toEqual([]);
  });

  test('TrainingCluster exposes the node role that the cache was granted to', () => {
    const stack = testStack();
    const lakehouse = new DataLakehouse(stack, 'Lake');
    const registry = new ModelRegistry(stack, 'Registry', { models: [{ name: 'm', description: 'm' }] });
    const cache = new EcrPullThroughCache(stack, 'Cache');
    const training = new TrainingCluster(stack, 'Training', { lakehouse, registry, model: 'm', engine: TrainingEngine.CLUSTER, cluster: { pullThroughCache: cache } });
    const t = Template.fromStack(stack);
    const nodeRoleId = stack.resolve((training.nodeRole!.node.defaultChild as iam.CfnRole).logicalId) as string;
    // It is the role every node group runs with.
    for (const g of Object.values(t.findResources('AWS::EKS::Nodegroup'))) expect(g.Properties.NodeRole).toEqual({ 'Fn::GetAtt': [nodeRoleId, 'Arn'] });
    expect(pullThroughResources(t, stack, new RegExp(`^${nodeRoleId}$`))).toHaveLength(3);
  });
});
