import { GPU_NODE_LABEL, GPU_NODE_TAINT } from '../../training/cluster-options';
import { TeamWorkloadOptions, WORKLOAD_DEFAULTS, WorkloadDeclaration } from './declaration';
import { commonLabels } from './labels';
import { KubernetesManifest } from './manifest';
import { formatCpu, formatMemory, parseQuantity } from './quantity';

/** Names of the cluster-scoped objects, prefixed with the project so that two platforms can share a cluster. */
export function priorityClassNames(decl: WorkloadDeclaration) {
  return { serving: `${decl.project}-serving`, training: `${decl.project}-training` } as const;
}

/** Kueue ResourceFlavor names: CPU/memory anywhere, GPUs on the GPU node pools. */
export function resourceFlavorNames(decl: WorkloadDeclaration) {
  return { standard: `${decl.project}-standard`, gpu: `${decl.project}-gpu` } as const;
}

/** The Kueue ClusterQueue of a team. */
export function teamClusterQueueName(decl: WorkloadDeclaration, team: string): string {
  return `${decl.project}-${team}`;
}

/**
 * Serving above training. Training is preemptible and never preempts (preemptionPolicy Never),
 * so a burst of training jobs cannot evict model servers, while serving pods evict training pods
 * when the cluster is full.
 */
export function priorityClasses(decl: WorkloadDeclaration): KubernetesManifest[] {
  const names = priorityClassNames(decl);
  const api = 'scheduling.k8s.io/v1';
  return [
    {
      apiVersion: api, kind: 'PriorityClass', metadata: { name: names.serving, labels: commonLabels(decl) },
      value: WORKLOAD_DEFAULTS.servingPriority, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority',
      description: 'Model servers (KServe): preempt training pods when the cluster is full.',
    },
    {
      apiVersion: api, kind: 'PriorityClass', metadata: { name: names.training, labels: commonLabels(decl) },
      value: WORKLOAD_DEFAULTS.trainingPriority, globalDefault: false, preemptionPolicy: 'Never',
      description: 'Training jobs (Kubeflow Trainer): preemptible by serving, never preempt others.',
    },
  ];
}

/**
 * Kueue (kueue.x-k8s.io/v1beta1, the API Kueue has served since v0.3 and still serves) queues
 * training jobs per team, admitting them within the team's quota: two ResourceFlavors (standard
 * nodes; GPU nodes with their label and taint) and one ClusterQueue per team that only the team's
 * namespace may use. Each team namespace holds the LocalQueue that TrainJobs name. A team's
 * queue admits its quota minus what its served models take at maxReplicas, so that an admitted
 * training job is never refused by the namespace's ResourceQuota for lack of room.
 */
export function trainingQueues(decl: WorkloadDeclaration): KubernetesManifest[] {
  const flavors = resourceFlavorNames(decl);
  const api = 'kueue.x-k8s.io/v1beta1';
  const out: KubernetesManifest[] = [
    { apiVersion: api, kind: 'ResourceFlavor', metadata: { name: flavors.standard, labels: commonLabels(decl) }, spec: {} },
    {
      apiVersion: api, kind: 'ResourceFlavor', metadata: { name: flavors.gpu, labels: commonLabels(decl) },
      spec: {
        nodeLabels: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value },
        tolerations: [{ key: GPU_NODE_TAINT.key, operator: 'Equal', value: GPU_NODE_TAINT.value, effect: GPU_NODE_TAINT.effect }],
      },
    },
  ];
  for (const t of decl.teams) out.push(teamClusterQueue(decl, t));
  return out;
}

/** What a team's training jobs may use: its quota minus its served models at full scale (validation keeps it non-negative). */
export function teamTrainingBudget(decl: WorkloadDeclaration, t: TeamWorkloadOptions): { cpu: string; memory: string; gpu: number } {
  let cpu = parseQuantity(t.quota.cpu)!;
  let memory = parseQuantity(t.quota.memory)!;
  let gpu = t.quota.gpu ?? 0;
  for (const m of (decl.models ?? []).filter((x) => x.team === t.name)) {
    const r = m.resources ?? WORKLOAD_DEFAULTS.servingResources;
    const n = m.maxReplicas ?? WORKLOAD_DEFAULTS.maxReplicas;
    cpu -= parseQuantity(r.cpu)! * n;
    memory -= parseQuantity(r.memory)! * n;
    gpu -= (r.gpu ?? 0) * n;
  }
  return { cpu: formatCpu(cpu), memory: formatMemory(memory), gpu: Math.max(0, gpu) };
}

function teamClusterQueue(decl: WorkloadDeclaration, t: TeamWorkloadOptions): KubernetesManifest {
  const flavors = resourceFlavorNames(decl);
  const budget = teamTrainingBudget(decl, t);
  return {
    apiVersion: 'kueue.x-k8s.io/v1beta1', kind: 'ClusterQueue',
    metadata: { name: teamClusterQueueName(decl, t.name), labels: commonLabels(decl, t.name) },
    spec: {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': t.name } },
      queueingStrategy: 'BestEffortFIFO',
      preemption: { withinClusterQueue: 'LowerPriority', reclaimWithinCohort: 'Never' },
      resourceGroups: [
        {
          coveredResources: ['cpu', 'memory'],
          flavors: [{ name: flavors.standard, resources: [{ name: 'cpu', nominalQuota: budget.cpu }, { name: 'memory', nominalQuota: budget.memory }] }],
        },
        {
          coveredResources: ['nvidia.com/gpu'],
          flavors: [{ name: flavors.gpu, resources: [{ name: 'nvidia.com/gpu', nominalQuota: budget.gpu }] }],
        },
      ],
    },
  };
}
