/**
 * Every custom resource both renderers produce, validated against the CRD schemas of the pinned
 * operator releases (vendored in ./schemas, see its README), with unknown fields as errors; and
 * the two renderers shown to hand the cluster the same objects for one declaration.
 */
import { Testing } from 'cdktf';
import { App as CdkApp, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { EXAMPLE_DECLARATION } from '../../examples/kubernetes';
import { kubernetesDeclaration } from '../../bin/kubernetes';
import { KubernetesStack, TYPED_RESOURCE_TYPES, WorkloadDeclaration, addWorkloadManifests, kubernetesWorkloads, manifestKey } from '../../lib/kubernetes';
import { twoTeams } from './fixtures';
import { Schema, loadVendoredSchemas, validateAgainstSchema, validateCustomResource } from './schema-validator';

type Obj = Record<string, unknown>;
type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const schemas = loadVendoredSchemas();
/** API groups built into Kubernetes: the rest are custom resources and need a vendored schema. */
const BUILT_IN = /^(v1|(rbac\.authorization|networking|scheduling)\.k8s\.io\/v1|policy\/v1)$/;
const isCustom = (m: { apiVersion: string }) => !BUILT_IN.test(m.apiVersion);

/** What the cdktf renderer writes, from the synthesized Terraform JSON. */
function terraformJson(decl: WorkloadDeclaration): { tf: Any; stack: KubernetesStack } {
  const stack = new KubernetesStack(Testing.app(), 'K8s', { declaration: decl, region: 'eu-west-1', stateBucket: 'state' });
  return { tf: JSON.parse(Testing.synth(stack)), stack };
}

/** What aws-eks-v2 sends to kubectl, from the synthesized template, without the prune label it adds. */
function kubectlManifests(decl: WorkloadDeclaration): Obj[] {
  const stack = new Stack(new CdkApp(), 'Kubernetes', { env: { account: '111111111111', region: 'eu-west-1' } });
  const kubectlProvider = eks.KubectlProvider.fromKubectlProviderAttributes(stack, 'Kubectl', { serviceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:kubectl' });
  const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'training', kubectlProvider });
  addWorkloadManifests(cluster, kubernetesWorkloads(decl, stack.node.path));
  const resources = Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-KubernetesResource');
  return Object.values(resources).flatMap((r) => (JSON.parse(r.Properties.Manifest as string) as Obj[]).map((m) => {
    const meta = m.metadata as { labels: Record<string, string> };
    const labels = Object.fromEntries(Object.entries(meta.labels).filter(([k]) => !k.startsWith('aws.cdk.eks/prune-')));
    return { ...m, metadata: { ...meta, labels } };
  }));
}

const DECLARATIONS: Array<[string, WorkloadDeclaration]> = [
  ['the two-team fixture', twoTeams()],
  ['the two-team fixture with pinned S3 CIDRs, one node per job, no models', twoTeams({ httpsEgressCidrs: ['52.216.0.0/15'], models: [], training: { numNodes: 2 } })],
  ['the two-team fixture pulling from ECR pull-through caches', twoTeams({ imageRegistry: '111111111111.dkr.ecr.eu-west-1.amazonaws.com' })],
  ['examples/kubernetes.ts', EXAMPLE_DECLARATION],
  ...(['dev', 'staging', 'prod'] as const).map((env): [string, WorkloadDeclaration] => [`bin/kubernetes.ts ${env}`, { ...kubernetesDeclaration(env), artifactBucket: 'mlops-artifacts' }]),
];

describe('the schema validator (a minimal structural checker)', () => {
  const schema: Schema = {
    type: 'object', required: ['spec'],
    properties: {
      spec: {
        type: 'object',
        properties: {
          mode: { type: 'string', enum: ['A', 'B'] },
          quota: { 'x-kubernetes-int-or-string': true, 'anyOf': [{ type: 'integer' }, { type: 'string' }], 'pattern': '^[0-9]+[a-zA-Z]*$' },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          free: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true },
          list: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
          empty: { type: 'object' },
        },
      },
    },
  };

  test('accepts a conforming object', () => {
    expect(validateAgainstSchema({ spec: { mode: 'A', quota: '14', labels: { a: 'b' }, free: { any: { thing: 1 } }, list: [{ name: 'x' }], empty: {} } }, schema)).toEqual([]);
    expect(validateAgainstSchema({ spec: { quota: 3 } }, schema)).toEqual([]);
  });

  test('reports unknown fields, types, enums, required fields, patterns and additionalProperties', () => {
    expect(validateAgainstSchema({ spec: { mode: 'C', quota: true, labels: { a: 1 }, list: [{}], extra: 1, empty: { x: 1 } } }, schema)).toEqual([
      'spec.mode: "C" is not one of ["A","B"]',
      'spec.quota: must be an integer or a string, got boolean',
      'spec.labels.a: must be string, got integer (1)',
      'spec.list[0]: missing required field name',
      'spec.extra: unknown field (the API server would prune it)',
      'spec.empty.x: unknown field (the schema declares no fields here)',
    ]);
    expect(validateAgainstSchema({}, schema)).toEqual(['<root>: missing required field spec']);
    expect(validateAgainstSchema({ spec: { quota: '1.5 cores' } }, schema)).toEqual(['spec.quota: "1.5 cores" does not match ^[0-9]+[a-zA-Z]*$']);
  });

  test('reports kinds with no vendored schema, deprecated versions and wrong scope', () => {
    const meta = { name: 'x' };
    expect(validateCustomResource({ apiVersion: 'kueue.x-k8s.io/v1beta1', kind: 'ClusterQueue', metadata: meta }, schemas))
      .toEqual(['kueue.x-k8s.io/v1beta1 ClusterQueue x: no vendored schema for kueue.x-k8s.io/v1beta1/ClusterQueue']);
    expect(validateCustomResource({ apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'LocalQueue', metadata: meta, spec: { clusterQueue: 'q' } } as Any, schemas))
      .toEqual(['kueue.x-k8s.io/v1beta2 LocalQueue x: LocalQueue is namespaced but has no namespace']);
  });

  test('the vendored schemas are the pinned releases, one file per rendered kind', () => {
    expect([...schemas.values()].map((s) => `${s.source.repository}@${s.source.tag} ${s.group}/${s.version}/${s.kind}`).sort()).toEqual([
      'kserve/kserve@v0.20.0 serving.kserve.io/v1alpha1/ClusterStorageContainer',
      'kserve/kserve@v0.20.0 serving.kserve.io/v1beta1/InferenceService',
      'kubeflow/trainer@v2.3.0 trainer.kubeflow.org/v1alpha1/TrainingRuntime',
      'kubernetes-sigs/kueue@v0.19.2 kueue.x-k8s.io/v1beta2/ClusterQueue',
      'kubernetes-sigs/kueue@v0.19.2 kueue.x-k8s.io/v1beta2/LocalQueue',
      'kubernetes-sigs/kueue@v0.19.2 kueue.x-k8s.io/v1beta2/ResourceFlavor',
    ]);
  });
});

describe.each(DECLARATIONS)('custom resources of %s validate against the vendored schemas', (_name, decl) => {
  test('as the cdktf renderer writes them (kubernetes_manifest)', () => {
    const { tf } = terraformJson(decl);
    const manifests = Object.values(tf.resource.kubernetes_manifest as Record<string, { manifest: Any }>).map((r) => r.manifest);
    expect(manifests.length).toBeGreaterThan(0);
    expect(manifests.filter((m) => !isCustom(m))).toEqual([]);
    expect(manifests.flatMap((m) => validateCustomResource(m, schemas))).toEqual([]);
  });

  test('as aws-eks-v2 sends them to kubectl', () => {
    const custom = kubectlManifests(decl).filter((m) => isCustom(m as Any));
    expect(custom.length).toBeGreaterThan(0);
    expect(custom.flatMap((m) => validateCustomResource(m as Any, schemas))).toEqual([]);
  });
});

/** The cdktf typed resources (`kubernetes_*_v1`) read back as Kubernetes objects, to compare them with what kubectl receives. */
function typedResourceAsManifest(type: string, r: Any): Obj {
  const apiKind = Object.entries(TYPED_RESOURCE_TYPES).find(([, t]) => t === type)![0];
  const apiVersion = apiKind.slice(0, apiKind.lastIndexOf('/'));
  const kind = apiKind.slice(apiKind.lastIndexOf('/') + 1);
  // Field names go from snake_case to camelCase; map keys (labels, resource names) have no '_' but '.', '/' or '-'.
  const camel = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(camel);
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [/^[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(k) ? k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) : k, camel(x)]));
  };
  const o = camel(Object.fromEntries(Object.entries(r as Obj).filter(([k]) => k !== 'depends_on'))) as Any;
  switch (kind) {
    case 'LimitRange': o.spec = { limits: o.spec.limit }; break;
    case 'Role': o.rules = o.rule; delete o.rule; break;
    case 'RoleBinding': o.subjects = o.subject; delete o.subject; break;
    case 'NetworkPolicy':
      for (const rule of [...(o.spec.ingress ?? []), ...(o.spec.egress ?? [])]) for (const p of rule.ports ?? []) p.port = Number(p.port);
      break;
    case 'PodDisruptionBudget': o.spec.maxUnavailable = Number(o.spec.maxUnavailable); break;
    default: break;
  }
  return { apiVersion, kind, ...o };
}

describe('both renderers produce the same objects for one declaration', () => {
  test.each(DECLARATIONS)('%s: Terraform JSON (typed resources and kubernetes_manifest) equals what kubectl receives, object by object', (_name, decl) => {
    const { tf } = terraformJson(decl);
    const fromTerraform: Obj[] = Object.entries(tf.resource as Record<string, Record<string, Any>>).flatMap(([type, byId]) => Object.values(byId)
      .map((r) => (type === 'kubernetes_manifest' ? r.manifest : typedResourceAsManifest(type, r))));
    const fromKubectl = kubectlManifests(decl);
    const byKey = (list: Obj[]) => new Map(list.map((m) => [manifestKey(m as Any), JSON.parse(JSON.stringify(m))]));
    const tfByKey = byKey(fromTerraform);
    const kubectlByKey = byKey(fromKubectl);
    expect([...tfByKey.keys()].sort()).toEqual([...kubectlByKey.keys()].sort());
    for (const [key, m] of kubectlByKey) expect({ key, m: tfByKey.get(key) }).toEqual({ key, m });
  });
});
