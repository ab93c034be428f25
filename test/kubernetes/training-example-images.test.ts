/**
 * The training-cluster example runs in subnets without NAT: every image its nodes pull and every
 * chart its kubectl provider pulls must be in the account's ECR in the cluster's region.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildTrainingEks } from '../../examples/training-eks';
import { OPERATOR_IMAGES, activeChartImages } from '../../lib/kubernetes';
import { testApp } from '../helpers/app';

/** The stack's account and region as CloudFormation resolves them (the example's stack is environment-agnostic). */
const ECR_HOST = '${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}';
const PUBLIC = /docker\.io|ghcr\.io|quay\.io|registry\.k8s\.io|nvcr\.io|gcr\.io|pkg\.dev|https?:\/\//;

/** A resolved value with every Fn::Join flattened and every pseudo-parameter written `${AWS::...}`. */
function flatten(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(flatten);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('Ref' in o && typeof o.Ref === 'string') return `\${${o.Ref}}`;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => { const f = flatten(p); return typeof f === 'string' ? f : JSON.stringify(f); }).join(sep);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, flatten(x)]));
  }
  return v;
}

/** Every image reference in a tree: container `image`s, Helm image keys (a `registry` joined with its sibling `repository`). */
function imageReferences(node: unknown, path: string[] = [], out: Array<{ path: string; ref: string }> = []): Array<{ path: string; ref: string }> {
  if (Array.isArray(node)) node.forEach((x, i) => imageReferences(x, [...path, String(i)], out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
      if (typeof v !== 'string') { imageReferences(v, [...path, k], out); continue; }
      if (k === 'registry') out.push({ path: [...path, k].join('.'), ref: `${v}/${String(o.repository ?? '')}` });
      else if (k === 'repository' && typeof o.registry === 'string') continue;
      else if (/image$|^repository$/i.test(k)) out.push({ path: [...path, k].join('.'), ref: v });
    }
  }
  return out;
}

describe('examples/training-eks.ts with a kubectl layer pulls everything from the account\'s ECR', () => {
  let app: App;
  let stack: Stack;
  let charts: Array<Record<string, unknown>>;
  let manifests: unknown[];
  beforeAll(() => {
    app = testApp();
    const probe = new Stack(new App(), 'Probe');
    const built = buildTrainingEks(app, { kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(probe, 'Layer', 'arn:aws:lambda:eu-west-1:111111111111:layer:kubectl-v35:1') });
    stack = built.stack;
    const t = Template.fromStack(stack);
    charts = Object.values(t.findResources('Custom::AWSCDK-EKS-HelmChart')).map((c) => flatten(stack.resolve(c.Properties)) as Record<string, unknown>);
    manifests = Object.values(t.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .flatMap((r) => JSON.parse(flatten(stack.resolve(r.Properties.Manifest)) as string) as unknown[]);
  });

  test('every chart comes from an ECR repository of the stack\'s account and region', () => {
    expect(charts).toHaveLength(Object.keys(OPERATOR_IMAGES).length);
    for (const c of charts) expect([c.Release, c.Repository]).toEqual([c.Release, expect.stringMatching(new RegExp(`^oci://${escape(ECR_HOST)}/`))]);
  });

  test('every image in the Helm values and the rendered manifests is an ECR URI of the stack\'s account and region', () => {
    const refs = [
      ...charts.flatMap((c) => imageReferences(JSON.parse(c.Values as string), [String(c.Release)])),
      ...imageReferences(manifests, ['manifests']),
    ];
    // Every image key of every chart was given a value, and the workloads name images (training runtime, storage initializer).
    // (A ClusterServingRuntime the chart creates disabled runs no image: only the enabled ones count.)
    const keys = charts.flatMap((c) => activeChartImages(String(c.Release), JSON.parse(c.Values as string)).map((i) => [c.Release, ...i.path].join('.')));
    expect(keys).toEqual(expect.arrayContaining(Object.entries(OPERATOR_IMAGES).flatMap(([release, images]) => images.filter((i) => !i.disabledBy).map((i) => [release, ...i.path].join('.')))));
    // The example serves a pytorch model: the torchserve runtime is enabled and its image comes from ECR; the others stay disabled.
    expect(keys).toContain('kserve-runtime-configs.kserve.servingruntime.torchserve.image');
    expect(keys.filter((k) => k.startsWith('kserve-runtime-configs.'))).toEqual(['kserve-runtime-configs.kserve.servingruntime.torchserve.image']);
    expect(refs.map((r) => r.path)).toEqual(expect.arrayContaining(keys));
    expect(refs.filter((r) => r.path.startsWith('manifests')).length).toBeGreaterThan(0);
    for (const r of refs) expect(r).toEqual({ path: r.path, ref: expect.stringMatching(new RegExp(`^${escape(ECR_HOST)}/([a-z0-9]|\\$\\{[A-Za-z0-9]+\\})`)) });
    expect(JSON.stringify([charts, manifests])).not.toMatch(PUBLIC);
  });

  test('the node role pulls the account\'s repositories (the device plugin\'s copy) and through the cache', () => {
    const t = Template.fromStack(stack);
    const nodeRole = Object.entries(t.findResources('AWS::IAM::Role')).find(([id]) => /^TrainingClusterNodeRole/.test(id))!;
    expect(JSON.stringify(nodeRole[1].Properties.ManagedPolicyArns)).toContain(':iam::aws:policy/AmazonEC2ContainerRegistryPullOnly');
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes(nodeRole[0]));
    expect(JSON.stringify(policies)).toContain('ecr:BatchImportUpstreamImage');
  });
});

test('the kubectl-provider path of the example synthesizes with zero unacknowledged cdk-nag findings', () => {
  const app = testApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  buildTrainingEks(app, { kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(new Stack(new App(), 'Probe'), 'Layer', 'arn:aws:lambda:eu-west-1:111111111111:layer:kubectl-v35:1') });
  expect(() => app.synth()).not.toThrow();
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
