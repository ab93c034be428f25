import { CLUSTER_DEFAULTS, GPU_NODE_TAINT, teamServiceAccount } from '../../lib/training/cluster-options';
import {
  KubernetesManifest, WORKLOAD_DEFAULTS, kubernetesWorkloads, manifestKey, podTemplatesOf, restrictedPodSecurityViolations,
} from '../../lib/kubernetes/spec';
import { twoTeams } from './fixtures';

const w = kubernetesWorkloads(twoTeams());
const find = (kind: string, name: string, namespace?: string): KubernetesManifest => {
  const m = w.all.find((x) => x.kind === kind && x.metadata.name === name && x.metadata.namespace === namespace);
  if (!m) throw new Error(`no ${kind} ${namespace ?? ''}/${name}`);
  return m;
};

describe('workload spec', () => {
  test('is pure: the same declaration gives the same manifests, each identity once', () => {
    expect(kubernetesWorkloads(twoTeams())).toEqual(w);
    expect(new Set(w.all.map(manifestKey)).size).toBe(w.all.length);
    expect(w.all).toEqual([...w.cluster, ...w.teams.vision, ...w.teams.forecasting]);
  });

  test('per team: kinds and API versions, namespace first', () => {
    expect(w.teams.vision.map((m) => `${m.apiVersion} ${m.kind} ${m.metadata.name}`)).toEqual([
      'v1 Namespace vision',
      'v1 ResourceQuota team-quota',
      'v1 LimitRange container-limits',
      'v1 ServiceAccount vision-training',
      'rbac.authorization.k8s.io/v1 Role vision-workloads',
      'rbac.authorization.k8s.io/v1 RoleBinding vision-workloads',
      'networking.k8s.io/v1 NetworkPolicy default-deny',
      'networking.k8s.io/v1 NetworkPolicy allow-same-namespace',
      'networking.k8s.io/v1 NetworkPolicy allow-dns',
      'networking.k8s.io/v1 NetworkPolicy allow-pod-identity-agent',
      'networking.k8s.io/v1 NetworkPolicy allow-https-aws',
      'kueue.x-k8s.io/v1beta2 LocalQueue training',
      'trainer.kubeflow.org/v1alpha1 TrainingRuntime torch-distributed',
      'serving.kserve.io/v1beta1 InferenceService defect-detector',
      'policy/v1 PodDisruptionBudget defect-detector-predictor',
    ]);
    for (const m of w.teams.vision.slice(1)) expect(m.metadata.namespace).toBe('vision');
  });

  test('the service account is the one the EKS Pod Identity association names', () => {
    expect(find('ServiceAccount', teamServiceAccount('vision'), 'vision').metadata.name).toBe(`vision${CLUSTER_DEFAULTS.serviceAccountSuffix}`);
    expect(find('RoleBinding', 'vision-workloads', 'vision')).toMatchObject({
      roleRef: { kind: 'Role', name: 'vision-workloads' },
      subjects: [{ kind: 'ServiceAccount', name: 'vision-training', namespace: 'vision' }, { kind: 'Group', name: 'vision-developers' }],
    });
    expect(find('RoleBinding', 'forecasting-workloads', 'forecasting')).toMatchObject({ subjects: [{ kind: 'ServiceAccount', name: 'forecasting-training' }] });
  });

  test('namespaces enforce, audit and warn the restricted Pod Security Standard', () => {
    expect(find('Namespace', 'vision').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted',
      'mlops/team': 'vision', 'mlops/environment': 'prod',
    });
  });

  test('quota and limit range: CPU, memory, GPUs; defaults documented', () => {
    expect(find('ResourceQuota', 'team-quota', 'vision')).toMatchObject({ spec: { hard: {
      'requests.cpu': '64', 'limits.cpu': '64', 'requests.memory': '512Gi', 'limits.memory': '512Gi', 'requests.nvidia.com/gpu': '8', 'pods': '100',
    } } });
    expect(find('ResourceQuota', 'team-quota', 'forecasting')).toMatchObject({ spec: { hard: { 'requests.nvidia.com/gpu': '0' } } });
    expect(find('LimitRange', 'container-limits', 'vision')).toMatchObject({ spec: { limits: [{
      type: 'Container',
      default: { 'cpu': WORKLOAD_DEFAULTS.defaultLimits.cpu, 'memory': WORKLOAD_DEFAULTS.defaultLimits.memory, 'nvidia.com/gpu': '0' },
      defaultRequest: { cpu: '250m', memory: '512Mi' },
      max: { 'nvidia.com/gpu': '4' },
    }] } });
    expect(find('LimitRange', 'container-limits', 'forecasting')).toMatchObject({ spec: { limits: [{ max: { 'nvidia.com/gpu': '0' } }] } });
  });

  test('network policies: default deny, in-namespace, DNS to kube-system, the Pod Identity agent, HTTPS to the VPC and S3', () => {
    expect(find('NetworkPolicy', 'default-deny', 'vision').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(find('NetworkPolicy', 'allow-dns', 'vision').spec).toMatchObject({ egress: [{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
    }] });
    expect(find('NetworkPolicy', 'allow-https-aws', 'vision').spec).toMatchObject({ egress: [{ to: [{ ipBlock: { cidr: '10.80.0.0/16' } }, { ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] }] });
    // Declared CIDRs replace the public range: pinned S3 ranges only.
    const extra = kubernetesWorkloads(twoTeams({ httpsEgressCidrs: ['52.216.0.0/15'] }));
    expect((extra.teams.vision.find((m) => m.metadata.name === 'allow-https-aws')!.spec as { egress: unknown }).egress).toEqual([{
      to: [{ ipBlock: { cidr: '10.80.0.0/16' } }, { ipBlock: { cidr: '52.216.0.0/15' } }], ports: [{ protocol: 'TCP', port: 443 }],
    }]);
  });

  test('priority classes: preemptible training below serving', () => {
    const serving = find('PriorityClass', 'acme-serving');
    const training = find('PriorityClass', 'acme-training');
    expect(serving.value as number).toBeGreaterThan(training.value as number);
    expect(training).toMatchObject({ apiVersion: 'scheduling.k8s.io/v1', preemptionPolicy: 'Never', globalDefault: false });
    expect(serving).toMatchObject({ preemptionPolicy: 'PreemptLowerPriority' });
  });

  test('Kueue: GPU flavor with the GPU node label and taint, one ClusterQueue per team fed by its LocalQueue', () => {
    // vision: quota 64 CPU / 512Gi / 8 GPUs minus defect-detector at 4 replicas + 1 surge of 4 CPU / 16Gi / 1 GPU.
    expect(find('ResourceFlavor', 'acme-gpu')).toMatchObject({ apiVersion: 'kueue.x-k8s.io/v1beta2', spec: { tolerations: [{ key: GPU_NODE_TAINT.key, effect: 'NoSchedule' }] } });
    expect(find('ClusterQueue', 'acme-vision')).toMatchObject({ spec: {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'vision' } },
      resourceGroups: [
        { coveredResources: ['cpu', 'memory'], flavors: [{ name: 'acme-standard', resources: [{ name: 'cpu', nominalQuota: '44' }, { name: 'memory', nominalQuota: '432Gi' }] }] },
        { flavors: [{ name: 'acme-gpu', resources: [{ name: 'nvidia.com/gpu', nominalQuota: '3' }] }] },
      ],
    } });
    expect(find('LocalQueue', 'training', 'vision')).toMatchObject({ spec: { clusterQueue: 'acme-vision' } });
  });

  test('training runtime: the team service account, training priority, no GPU toleration of its own', () => {
    const rt = find('TrainingRuntime', 'torch-distributed', 'vision');
    const [pod] = podTemplatesOf(rt);
    expect(pod.path).toBe('spec.template.spec.replicatedJobs[0].template.spec.template.spec');
    expect(pod.pod).toMatchObject({ serviceAccountName: 'vision-training', priorityClassName: 'acme-training' });
    expect(pod.pod.tolerations).toBeUndefined();
    expect(pod.containers[0]).toMatchObject({ name: 'node', image: WORKLOAD_DEFAULTS.trainingImage });
  });

  test('serving: InferenceService in Standard deployment mode from the registry bucket, and a PDB', () => {
    const isvc = find('InferenceService', 'defect-detector', 'vision');
    expect(isvc.metadata.annotations).toEqual({ 'serving.kserve.io/deploymentMode': 'Standard' });
    expect(isvc.spec).toMatchObject({ predictor: {
      minReplicas: 2, maxReplicas: 4, serviceAccountName: 'vision-training', priorityClassName: 'acme-serving',
      nodeSelector: { 'nvidia.com/gpu.present': 'true' },
      model: {
        modelFormat: { name: 'pytorch' },
        storageUri: 's3://acme-prod-model-artifacts/models/defect-detector/v3/',
        resources: { requests: { 'cpu': '4', 'memory': '16Gi', 'nvidia.com/gpu': '1' }, limits: { 'cpu': '4', 'memory': '16Gi', 'nvidia.com/gpu': '1' } },
      },
    } });
    const cpu = find('InferenceService', 'demand', 'forecasting');
    expect(cpu.spec).toMatchObject({ predictor: { minReplicas: WORKLOAD_DEFAULTS.minReplicas, maxReplicas: WORKLOAD_DEFAULTS.maxReplicas } });
    expect((cpu.spec as { predictor: Record<string, unknown> }).predictor.tolerations).toBeUndefined();
    expect(find('PodDisruptionBudget', 'defect-detector-predictor', 'vision').spec).toEqual({
      maxUnavailable: 1, selector: { matchLabels: { 'serving.kserve.io/inferenceservice': 'defect-detector', 'component': 'predictor' } },
    });
  });

  test('a model\'s client namespaces may reach its predictor port; without any, no policy is added', () => {
    const withClients = kubernetesWorkloads(twoTeams({ models: [{ ...twoTeams().models![0], clientNamespaces: ['storefront', 'batch-scoring'] }] }));
    expect(withClients.teams.vision.find((m) => m.metadata.name === 'allow-defect-detector-clients')!.spec).toEqual({
      podSelector: { matchLabels: { 'serving.kserve.io/inferenceservice': 'defect-detector', 'component': 'predictor' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storefront' } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'batch-scoring' } } }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      }],
    });
    expect(w.all.filter((m) => m.metadata.name.endsWith('-clients'))).toEqual([]);
    expect(() => kubernetesWorkloads(twoTeams({ models: [{ ...twoTeams().models![0], clientNamespaces: ['Store Front'] }] })))
      .toThrow(/models\[0\]\.clientNamespaces\[0\] \("Store Front"\): must be a DNS-1123 label/);
  });

  test('every pod template meets the restricted Pod Security Standard and has limits', () => {
    const templates = w.all.flatMap(podTemplatesOf);
    expect(templates.length).toBe(5); // two training runtimes, two predictors, the storage initializer
    expect(w.all.flatMap(restrictedPodSecurityViolations)).toEqual([]);
    for (const t of templates) {
      for (const c of t.containers) {
        expect(c.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
        expect(c.resources).toMatchObject({ limits: { cpu: expect.any(String), memory: expect.any(String) } });
      }
    }
  });

  test('the restricted check catches a non-compliant pod', () => {
    const bad: KubernetesManifest = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ name: 'c', securityContext: { runAsUser: 0 } }] } };
    expect(restrictedPodSecurityViolations(bad)).toEqual([
      'Pod/x spec container c: runAsNonRoot is not true',
      'Pod/x spec container c: runs as UID 0',
      'Pod/x spec container c: allowPrivilegeEscalation is not false',
      'Pod/x spec container c: does not drop ALL capabilities',
      'Pod/x spec container c: seccompProfile is not RuntimeDefault',
      'Pod/x spec container c: has no CPU and memory limits',
    ]);
  });
});
