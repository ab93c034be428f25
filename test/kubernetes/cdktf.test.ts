import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { App as CdkApp, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { KubernetesStack, addWorkloadManifests, apiGroupOf, crdName, kubernetesWorkloads, manifestConstructId, terraformResourceType } from '../../lib/kubernetes';
import { renderManifest } from '../../lib/kubernetes/cdktf/typed-resources';
import { KubernetesManifest } from '../../lib/kubernetes/spec';
import { twoTeams } from './fixtures';

const workloads = kubernetesWorkloads(twoTeams());
const one = (kind: string, name: string): KubernetesManifest => workloads.all.find((m) => m.kind === kind && m.metadata.name === name)!;
/** Synthesizes one manifest as the cdktf renderer renders it. */
const synthOne = (m: KubernetesManifest) => Testing.synthScope((scope) => { renderManifest(scope, manifestConstructId(m), m, []); });
// The cdktf matchers compare objects partially (and arrays in full), and take no asymmetric matchers.
const labels = { 'app.kubernetes.io/managed-by': 'mlops-cdk', 'mlops/environment': 'prod' };
const EDIT = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

describe('cdktf renderer: one typed *_v1 resource per core kind, kubernetes_manifest for custom resources', () => {
  test.each<[string, string, string, Record<string, unknown>]>([
    ['Namespace', 'vision', 'kubernetes_namespace_v1', { metadata: { name: 'vision', labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' } } }],
    ['ResourceQuota', 'team-quota', 'kubernetes_resource_quota_v1', { metadata: { name: 'team-quota', namespace: 'vision', labels }, spec: { hard: { 'requests.nvidia.com/gpu': '8', 'limits.cpu': '64', 'requests.memory': '512Gi' } } }],
    ['LimitRange', 'container-limits', 'kubernetes_limit_range_v1', { spec: { limit: [{ type: 'Container', default: { cpu: '1', memory: '2Gi' }, default_request: { cpu: '250m', memory: '512Mi' }, max: { 'nvidia.com/gpu': '4' } }] } }],
    ['ServiceAccount', 'vision-training', 'kubernetes_service_account_v1', { metadata: { name: 'vision-training', namespace: 'vision', labels }, automount_service_account_token: false }],
    ['Role', 'vision-workloads', 'kubernetes_role_v1', { rule: [
      { api_groups: ['trainer.kubeflow.org'], resources: ['trainjobs'], verbs: EDIT },
      { api_groups: ['serving.kserve.io'], resources: ['inferenceservices'], verbs: EDIT },
      { api_groups: [''], resources: ['configmaps'], verbs: EDIT },
      { api_groups: [''], resources: ['pods', 'pods/log', 'events', 'services'], verbs: ['get', 'list', 'watch'] },
      { api_groups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] },
      { api_groups: ['kueue.x-k8s.io'], resources: ['workloads', 'localqueues'], verbs: ['get', 'list', 'watch'] },
    ] }],
    ['RoleBinding', 'vision-workloads', 'kubernetes_role_binding_v1', {
      role_ref: { api_group: 'rbac.authorization.k8s.io', kind: 'Role', name: 'vision-workloads' },
      subject: [{ kind: 'ServiceAccount', name: 'vision-training', namespace: 'vision' }, { kind: 'Group', api_group: 'rbac.authorization.k8s.io', name: 'vision-developers' }],
    }],
    ['NetworkPolicy', 'allow-dns', 'kubernetes_network_policy_v1', { spec: { pod_selector: {}, policy_types: ['Egress'], egress: [{
      to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'kube-system' } }, pod_selector: { match_labels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ protocol: 'UDP', port: '53' }, { protocol: 'TCP', port: '53' }],
    }] } }],
    ['PriorityClass', 'acme-training', 'kubernetes_priority_class_v1', { metadata: { name: 'acme-training', labels }, value: 1000, preemption_policy: 'Never', global_default: false }],
    ['PodDisruptionBudget', 'defect-detector-predictor', 'kubernetes_pod_disruption_budget_v1', { spec: { max_unavailable: '1', selector: { match_labels: { 'serving.kserve.io/inferenceservice': 'defect-detector', 'component': 'predictor' } } } }],
  ])('%s %s -> %s', (kind, name, type, properties) => {
    const m = one(kind, name);
    expect(terraformResourceType(m)).toBe(type);
    const synthesized = synthOne(m);
    expect(Testing.toHaveResourceWithProperties(synthesized, type, properties)).toBe(true);
  });

  test('the matcher is not vacuous: a wrong value does not match', () => {
    expect(Testing.toHaveResourceWithProperties(synthOne(one('Namespace', 'vision')), 'kubernetes_namespace_v1', { metadata: { name: 'forecasting' } })).toBe(false);
  });

  test.each([
    ['InferenceService', 'defect-detector'], ['TrainingRuntime', 'torch-distributed'], ['ClusterQueue', 'acme-vision'],
    ['LocalQueue', 'training'], ['ResourceFlavor', 'acme-gpu'],
  ])('%s %s -> kubernetes_manifest carrying the manifest unchanged', (kind, name) => {
    const m = one(kind, name);
    expect(terraformResourceType(m)).toBe('kubernetes_manifest');
    expect(Testing.toHaveResourceWithProperties(synthOne(m), 'kubernetes_manifest', { manifest: JSON.parse(JSON.stringify(m)) })).toBe(true);
  });
});

describe('KubernetesStack', () => {
  const app = Testing.app();
  const stack = new KubernetesStack(app, 'acme-prod-kubernetes', { declaration: twoTeams(), region: 'eu-west-1', stateBucket: 'acme-prod-terraform-state' });
  const synthesized = Testing.synth(stack);
  const tf = JSON.parse(synthesized);

  test('configures the kubernetes provider from the SSM parameters TrainingCluster publishes, with an EKS token', () => {
    expect(Testing.toHaveDataSourceWithProperties(synthesized, 'aws_ssm_parameter', { name: '/acme/prod/training/eks/endpoint' })).toBe(true);
    expect(Testing.toHaveDataSourceWithProperties(synthesized, 'aws_ssm_parameter', { name: '/acme/prod/training/eks/certificate-authority' })).toBe(true);
    expect(Testing.toHaveDataSourceWithProperties(synthesized, 'aws_ssm_parameter', { name: '/acme/prod/training/eks/cluster-name' })).toBe(true);
    expect(Testing.toHaveDataSourceWithProperties(synthesized, 'aws_eks_cluster_auth', { name: '${data.aws_ssm_parameter.ClusterName.value}' })).toBe(true);
    expect(Testing.toHaveProviderWithProperties(synthesized, 'kubernetes', {
      host: '${data.aws_ssm_parameter.ClusterEndpoint.value}',
      cluster_ca_certificate: '${base64decode(data.aws_ssm_parameter.ClusterCertificateAuthority.value)}',
      token: '${data.aws_eks_cluster_auth.ClusterAuth.token}',
    })).toBe(true);
    expect(Testing.toHaveProviderWithProperties(synthesized, 'aws', { region: 'eu-west-1' })).toBe(true);
  });

  test('keeps its state in S3, encrypted, with S3-native locking', () => {
    expect(tf.terraform.backend).toEqual({ s3: { bucket: 'acme-prod-terraform-state', key: 'acme/prod/kubernetes.tfstate', region: 'eu-west-1', encrypt: true, use_lockfile: true } });
  });

  test('renders every manifest once, namespaced ones after their namespace', () => {
    expect(stack.rendered.map((r) => r.manifest)).toEqual(workloads.all);
    const count = Object.values(tf.resource as Record<string, object>).reduce((n, rs) => n + Object.keys(rs).length, 0);
    expect(count).toBe(workloads.all.length);
    expect(tf.resource.kubernetes_manifest['InferenceService-vision-defect-detector'].depends_on)
      .toEqual(['kubernetes_namespace_v1.Namespace-vision', 'data.kubernetes_resource.Crd-inferenceservices-serving-kserve-io', 'data.kubernetes_resource.ServingRuntime-kserve-torchserve']);
    expect(tf.resource.kubernetes_priority_class_v1['PriorityClass-acme-serving'].depends_on).toBeUndefined();
  });

  test('every custom resource depends on a read of its CRD, which fails the run when the operator chart has not installed it', () => {
    const custom = stack.rendered.filter((r) => terraformResourceType(r.manifest) === 'kubernetes_manifest');
    expect(custom.length).toBeGreaterThan(0);
    for (const r of custom) {
      const name = crdName(r.manifest);
      const dependsOn = tf.resource.kubernetes_manifest[manifestConstructId(r.manifest)].depends_on as string[];
      expect(dependsOn).toContain(`data.kubernetes_resource.Crd-${name.replace(/\./g, '-')}`);
    }
    const reads = tf.data.kubernetes_resource as Record<string, { api_version: string; kind: string; metadata: { name: string }; lifecycle: { postcondition: Array<{ condition: string }> } }>;
    const crds = Object.fromEntries(Object.entries(reads).filter(([id]) => id.startsWith('Crd-')));
    expect(Object.values(crds).map((d) => d.metadata.name).sort()).toEqual([
      'clusterqueues.kueue.x-k8s.io', 'clusterstoragecontainers.serving.kserve.io', 'inferenceservices.serving.kserve.io',
      'localqueues.kueue.x-k8s.io', 'resourceflavors.kueue.x-k8s.io', 'trainingruntimes.trainer.kubeflow.org',
    ]);
    for (const d of Object.values(crds)) {
      expect(d).toMatchObject({ api_version: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' });
      expect(d.lifecycle.postcondition[0].condition).toBe('${self.object != null}');
    }
    // Each InferenceService also waits for the ClusterServingRuntime of its format (kserve-runtime-configs), enabled.
    const runtimes = Object.entries(reads).filter(([id]) => !id.startsWith('Crd-'));
    expect(runtimes.map(([, d]) => [d.kind, d.api_version, d.metadata.name]).sort()).toEqual([
      ['ClusterServingRuntime', 'serving.kserve.io/v1alpha1', 'kserve-torchserve'], ['ClusterServingRuntime', 'serving.kserve.io/v1alpha1', 'kserve-xgbserver'],
    ]);
    for (const [, d] of runtimes) expect(d.lifecycle.postcondition[0].condition).toBe('${self.object != null && !try(self.object.spec.disabled, false)}');
    expect(tf.resource.kubernetes_manifest['InferenceService-forecasting-demand'].depends_on).toContain('data.kubernetes_resource.ServingRuntime-kserve-xgbserver');
    // Core kinds wait only for their namespace.
    expect(tf.resource.kubernetes_resource_quota_v1['ResourceQuota-vision-team-quota'].depends_on).toEqual(['kubernetes_namespace_v1.Namespace-vision']);
  });

  test('the CRD names are those of the pinned releases\' CRD files (<group>_<plural>.yaml, test/kubernetes/schemas/README.md)', () => {
    const readme = fs.readFileSync(path.join(__dirname, 'schemas', 'README.md'), 'utf8');
    const sources = new Map([...readme.matchAll(/^\| `([^`]+)\.json` \|[^|]+\|[^|]+\| `[^`]*\/([a-z0-9.-]+)_([a-z]+)\.yaml` \|$/gm)].map((m) => [m[1], `${m[3]}.${m[2]}`]));
    const custom = stack.rendered.filter((x) => terraformResourceType(x.manifest) === 'kubernetes_manifest');
    for (const r of custom) {
      const [group, version] = [apiGroupOf(r.manifest.apiVersion), r.manifest.apiVersion.split('/')[1]];
      expect(sources.get(`${group}_${r.manifest.kind}_${version}`)).toBe(crdName(r.manifest));
    }
  });

  test('fails synth with the ValidationError of a bad declaration, naming the stack', () => {
    expect(() => new KubernetesStack(Testing.app(), 'bad', { declaration: twoTeams({ project: 'Acme' }), region: 'eu-west-1', stateBucket: 'b-state' }))
      .toThrow(/Invalid configuration for bad[\s\S]*project \("Acme"\)/);
  });

  test('snapshot of a two-team environment', () => {
    expect(tf).toMatchSnapshot();
  });
});

describe('aws-eks-v2 renderer', () => {
  function cdkCluster(withProvider = true) {
    const stack = new Stack(new CdkApp(), 'Kubernetes', { env: { account: '111111111111', region: 'eu-west-1' } });
    const kubectlProvider = withProvider
      ? eks.KubectlProvider.fromKubectlProviderAttributes(stack, 'Kubectl', { serviceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:kubectl' })
      : undefined;
    return { stack, cluster: eks.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'acme-prod-training', kubectlProvider }) };
  }
  const withoutPruneLabel = (m: Record<string, unknown>) => {
    const meta = m.metadata as { labels: Record<string, string> };
    const labelsLeft = Object.fromEntries(Object.entries(meta.labels).filter(([k]) => !k.startsWith('aws.cdk.eks/prune-')));
    return { ...m, metadata: { ...meta, labels: labelsLeft } };
  };

  test('both renderers apply the same manifests: what kubectl receives equals what Terraform receives', () => {
    const { stack, cluster } = cdkCluster();
    const applied = addWorkloadManifests(cluster, workloads);
    expect(applied.map((a) => a.manifests.length)).toEqual([workloads.cluster.length, workloads.teams.vision.length, workloads.teams.forecasting.length]);
    const resources = Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-KubernetesResource');
    const sentToKubectl = Object.values(resources).flatMap((r) => (JSON.parse(r.Properties.Manifest as string) as Array<Record<string, unknown>>).map(withoutPruneLabel));
    const tfStack = new KubernetesStack(Testing.app(), 'acme-prod-kubernetes', { declaration: twoTeams(), region: 'eu-west-1', stateBucket: 'acme-prod-terraform-state' });
    expect(sentToKubectl).toEqual(JSON.parse(JSON.stringify(tfStack.rendered.map((r) => r.manifest))));
    expect(sentToKubectl).toEqual(JSON.parse(JSON.stringify(workloads.all)));
    // The spec objects were handed over as copies: aws-eks-v2's prune label did not leak into them.
    expect(Object.keys(workloads.all[0].metadata.labels!).some((k) => k.startsWith('aws.cdk.eks/'))).toBe(false);
    // Team objects wait for the cluster-scoped ones (priority classes, cluster queues).
    const clusterWide = Object.keys(resources).find((id) => id.includes('MlopsClusterObjects'))!;
    const team = Object.entries(resources).find(([id]) => id.includes('MlopsTeamvision'))!;
    expect(team[1].DependsOn).toEqual([clusterWide]);
  });

  test('fails when the cluster has no kubectl provider', () => {
    const { cluster } = cdkCluster(false);
    expect(() => addWorkloadManifests(cluster, workloads)).toThrow(/cluster\.kubectlProvider \(undefined\): the cluster must be created with kubectlProviderOptions/);
  });
});
