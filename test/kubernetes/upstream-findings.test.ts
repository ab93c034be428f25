/**
 * Object findings 1-8 of issue 17: what the spec renders, checked against the pinned operator
 * releases (KServe v0.20.0, Kueue v0.19.2, Kubeflow Trainer v2.3.0) and the EKS documentation.
 * Each test failed on the spec before the fix; the comment names the defect it guards.
 */
import {
  KubernetesManifest, NON_PUBLIC_IPV4, POD_IDENTITY_AGENT, PREDICTOR_ROLLOUT, STORAGE_INITIALIZER_RESOURCES, canonicalQuantity,
  kubernetesWorkloads, parseQuantity, podTemplatesOf, restrictedPodSecurityViolations, servingReservation, storageContainerName, teamTrainingBudget,
} from '../../lib/kubernetes/spec';
import { GPU_NODE_TAINT } from '../../lib/training/cluster-options';
import { twoTeams } from './fixtures';
import { loadVendoredSchemas, validateCustomResource } from './schema-validator';

const decl = twoTeams();
const w = kubernetesWorkloads(decl);
const schemas = loadVendoredSchemas();
const of = (kind: string) => w.all.filter((m) => m.kind === kind) as Array<KubernetesManifest & { spec: Record<string, never> }>;
type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('finding 1: TrainingRuntime torch policy (Trainer v2.3.0)', () => {
  test('has no numProcPerNode (removed in Trainer v2.2.0), and validates against the v2.3.0 schema', () => {
    for (const rt of of('TrainingRuntime')) {
      expect((rt.spec as Any).mlPolicy.torch).toEqual({});
      expect(validateCustomResource(rt, schemas)).toEqual([]);
    }
  });

  test('the v2.3.0 schema rejects the removed field (the check is not vacuous)', () => {
    const rt = structuredClone(of('TrainingRuntime')[0]) as Any;
    rt.spec.mlPolicy.torch = { numProcPerNode: 'auto' };
    expect(validateCustomResource(rt, schemas)).toEqual([expect.stringContaining('spec.mlPolicy.torch.numProcPerNode: unknown field')]);
  });
});

describe('finding 2: KServe storage-initializer under the restricted Pod Security Standard', () => {
  test('every predictor names the spec\'s restricted ClusterStorageContainer, which serves s3:// as an init container', () => {
    const csc = w.cluster.find((m) => m.kind === 'ClusterStorageContainer')!;
    expect(csc).toMatchObject({ apiVersion: 'serving.kserve.io/v1alpha1', metadata: { name: storageContainerName(decl) }, spec: {
      workloadType: 'initContainer', supportedUriFormats: [{ prefix: 's3://' }],
      container: {
        name: 'storage-initializer',
        securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
        resources: STORAGE_INITIALIZER_RESOURCES,
      },
    } });
    expect(csc.metadata.namespace).toBeUndefined();
    expect(validateCustomResource(csc, schemas)).toEqual([]);
    expect(restrictedPodSecurityViolations(csc)).toEqual([]);
    for (const isvc of of('InferenceService')) expect((isvc.spec as Any).predictor.storageContainerName).toBe(csc.metadata.name);
  });

  test('the pod-security check now sees the injected init container: a predictor without a storage container is a violation', () => {
    const isvc = structuredClone(of('InferenceService')[0]) as Any;
    delete isvc.spec.predictor.storageContainerName;
    expect(restrictedPodSecurityViolations(isvc)).toEqual([expect.stringContaining('KServe injects its storage-initializer without a security context')]);
    expect(podTemplatesOf(w.cluster.find((m) => m.kind === 'ClusterStorageContainer')!)).toHaveLength(1);
  });

  test('no model, no storage container', () => {
    expect(kubernetesWorkloads(twoTeams({ models: [] })).all.some((m) => m.kind === 'ClusterStorageContainer')).toBe(false);
  });
});

describe('finding 3: Kueue v1beta2 (v1beta1 deprecated in Kueue v0.19.2)', () => {
  test('every Kueue object is kueue.x-k8s.io/v1beta2, the storage version of the pinned release', () => {
    const kueue = w.all.filter((m) => m.apiVersion.startsWith('kueue.x-k8s.io/'));
    expect(kueue.length).toBe(2 + 2 + 2); // flavors, cluster queues, local queues
    for (const m of kueue) {
      expect(m.apiVersion).toBe('kueue.x-k8s.io/v1beta2');
      expect(schemas.get(`${m.apiVersion}/${m.kind}`)).toMatchObject({ storage: true, deprecated: false });
    }
  });
});

describe('finding 4: KServe deploymentMode Standard (RawDeployment is a deprecated alias)', () => {
  test('every InferenceService asks for Standard', () => {
    for (const isvc of of('InferenceService')) expect(isvc.metadata.annotations).toEqual({ 'serving.kserve.io/deploymentMode': 'Standard' });
  });
});

describe('finding 5: team egress reaches S3 through the gateway endpoint and the Pod Identity agent', () => {
  const policy = (name: string) => w.teams.vision.find((m) => m.kind === 'NetworkPolicy' && m.metadata.name === name)!.spec as Any;

  test('HTTPS to public addresses (S3 gateway endpoint), never to other private networks', () => {
    expect(policy('allow-https-aws').egress).toEqual([{
      to: [{ ipBlock: { cidr: '10.80.0.0/16' } }, { ipBlock: { cidr: '0.0.0.0/0', except: [...NON_PUBLIC_IPV4] } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    }]);
  });

  test('HTTP to the Pod Identity agent at 169.254.170.23 (EKS User Guide), which the public rule excludes as link-local', () => {
    expect(POD_IDENTITY_AGENT).toEqual({ cidr: '169.254.170.23/32', port: 80 });
    expect(policy('allow-pod-identity-agent')).toEqual({
      podSelector: {}, policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] }],
    });
    expect(NON_PUBLIC_IPV4).toContain('169.254.0.0/16');
  });
});

describe('finding 6: only GPU jobs tolerate the GPU taint', () => {
  test('the training runtime adds no toleration; the GPU flavor carries it, and Kueue adds it only to jobs admitted with GPUs', () => {
    for (const rt of of('TrainingRuntime')) {
      for (const t of podTemplatesOf(rt)) expect(t.pod.tolerations).toBeUndefined();
    }
    const gpu = w.cluster.find((m) => m.kind === 'ResourceFlavor' && m.metadata.name === 'acme-gpu')!.spec as Any;
    expect(gpu.tolerations).toEqual([{ key: GPU_NODE_TAINT.key, operator: 'Equal', value: GPU_NODE_TAINT.value, effect: GPU_NODE_TAINT.effect }]);
    // The GPU flavor covers nvidia.com/gpu only: a job that requests no GPU is never assigned it.
    for (const cq of of('ClusterQueue')) {
      const groups = (cq.spec as Any).resourceGroups as Array<{ coveredResources: string[]; flavors: Array<{ name: string }> }>;
      expect(groups.find((g) => g.flavors.some((f) => f.name === 'acme-gpu'))!.coveredResources).toEqual(['nvidia.com/gpu']);
    }
  });
});

describe('finding 7: quota headroom for a predictor rollout while training is busy', () => {
  test('predictors roll out one surge pod at a time, and the ClusterQueue leaves that pod room in the namespace quota', () => {
    for (const isvc of of('InferenceService')) {
      expect((isvc.spec as Any).predictor.deploymentStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    }
    for (const t of decl.teams) {
      const budget = teamTrainingBudget(decl, t);
      const served = (decl.models ?? []).filter((m) => m.team === t.name).map(servingReservation);
      const sum = (k: 'cpu' | 'memory' | 'gpu') => served.reduce((n, r) => n + r[k], 0);
      // Training at its full budget + every model at maxReplicas + 1 surge pod fits the quota exactly or below.
      expect(parseQuantity(budget.cpu)! + sum('cpu')).toBeLessThanOrEqual(parseQuantity(t.quota.cpu)!);
      expect(parseQuantity(budget.memory)! + sum('memory')).toBeLessThanOrEqual(parseQuantity(t.quota.memory)!);
      expect(Number(budget.gpu) + sum('gpu')).toBeLessThanOrEqual(t.quota.gpu ?? 0);
    }
    // vision: 8 GPUs, defect-detector at 4 replicas + 1 surge of 1 GPU leaves 3 for training (4 before).
    expect(teamTrainingBudget(decl, decl.teams[0]).gpu).toBe('3');
    expect(servingReservation(decl.models![0]).pods).toBe(4 + PREDICTOR_ROLLOUT.maxSurge);
  });

  test('each predictor pod counts at least the storage initializer\'s limits (its init container)', () => {
    const tiny = { name: 'tiny', team: 'forecasting', modelFormat: 'sklearn', artifact: 'v1/', maxReplicas: 1, resources: { cpu: '250m', memory: '256Mi' } };
    expect(servingReservation(tiny)).toEqual({ cpu: 2, memory: 2 * 1024 ** 3, gpu: 0, pods: 2 });
  });

  test('fails when a model fits at maxReplicas but not with the rollout surge', () => {
    // 8 GPUs, 8 replicas of 1 GPU: fitted before, leaves no room for the surge pod now.
    expect(() => kubernetesWorkloads(twoTeams({ models: [{ ...decl.models![0], maxReplicas: 8 }] })))
      .toThrow(/models\[0\]\.resources\.gpu \(1\): times maxReplicas plus the rollout surge \(8 \+ 1\)/);
  });
});

describe('finding 8: canonical Kueue quantities (what Kueue\'s webhooks return)', () => {
  test('canonicalQuantity gives the forms resource.Quantity serializes to', () => {
    expect(canonicalQuantity('14000m')).toBe('14');
    expect(canonicalQuantity('61440Mi')).toBe('60Gi');
    expect(canonicalQuantity('1500m')).toBe('1500m');
    expect(canonicalQuantity('1536Mi')).toBe('1536Mi');
    expect(canonicalQuantity('0.5')).toBe('500m');
    expect(canonicalQuantity('2000')).toBe('2k');
    expect(canonicalQuantity('0')).toBe('0');
  });

  test('every nominalQuota is a canonical string', () => {
    const quotas = of('ClusterQueue').flatMap((cq) => ((cq.spec as Any).resourceGroups as Any[])
      .flatMap((g) => g.flavors.flatMap((f: Any) => f.resources.map((r: Any) => r.nominalQuota))));
    expect(quotas).toEqual(['44', '432Gi', '3', '12', '56Gi', '0']);
    for (const q of quotas) expect(canonicalQuantity(q)).toBe(q);
  });

  test('quantities in the other custom resources are canonical too', () => {
    const custom = w.all.filter((m) => /kserve|kubeflow/.test(m.apiVersion));
    const found: string[] = [];
    const visit = (v: unknown, key?: string): void => {
      if (Array.isArray(v)) v.forEach((x) => visit(x));
      else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => visit(x, k));
      else if (typeof v === 'string' && (key === 'cpu' || key === 'memory')) found.push(v);
    };
    custom.forEach((m) => visit(m));
    expect(found.length).toBeGreaterThan(0);
    for (const q of found) expect(canonicalQuantity(q)).toBe(q);
  });
});
