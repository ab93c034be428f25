import { GPU_NODE_LABEL, GPU_NODE_TAINT } from '../../training/cluster-options';
import { TeamWorkloadOptions, WORKLOAD_DEFAULTS, WorkloadDeclaration } from './declaration';
import { commonLabels } from './labels';
import { KubernetesManifest } from './manifest';
import { formatCpu, formatMemory, parseQuantity } from './quantity';
import { servingReservation } from './serving-budget';

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
 * The Kueue API version every Kueue object of the spec uses. Kueue v0.19.2 serves v1beta1 as
 * `deprecated: true` ("This version is deprecated. Use v1beta2 instead.") and stores v1beta2
 * (kubernetes-sigs/kueue v0.19.2, config/components/crd/bases/kueue.x-k8s.io_clusterqueues.yaml,
 * _localqueues.yaml, _resourceflavors.yaml: `storage: true` on v1beta2).
 */
export const KUEUE_API_VERSION = 'kueue.x-k8s.io/v1beta2';

/**
 * Kueue queues training jobs per team, admitting them within the team's quota: two
 * ResourceFlavors (standard nodes; GPU nodes with their label and a toleration of their taint)
 * and one ClusterQueue per team that only the team's namespace may use. Each team namespace holds
 * the LocalQueue that TrainJobs name. Only workloads admitted with the GPU flavor (those that
 * request `nvidia.com/gpu`, the one resource it covers) get its node label and toleration: Kueue
 * "adds the tolerations to the underlying Workload Pod templates" of the flavor it assigned
 * (kubernetes-sigs/kueue v0.19.2, site/content/en/docs/concepts/resource_flavor.md, "ResourceFlavor
 * tolerations for automatic scheduling"), so CPU jobs never land on GPU nodes. A team's queue
 * admits its quota minus what its served models take at maxReplicas plus a rolling update's surge
 * (see {@link servingReservation}), so that an admitted training job is never refused by the
 * namespace's ResourceQuota and a model rollout never stalls behind training.
 */
export function trainingQueues(decl: WorkloadDeclaration): KubernetesManifest[] {
  const flavors = resourceFlavorNames(decl);
  const api = KUEUE_API_VERSION;
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

/**
 * What a team's training jobs may use, as canonical quantities: its quota minus its served models
 * at maxReplicas plus a rolling update's surge (validation keeps it non-negative).
 */
export function teamTrainingBudget(decl: WorkloadDeclaration, t: TeamWorkloadOptions): { cpu: string; memory: string; gpu: string } {
  let cpu = parseQuantity(t.quota.cpu)!;
  let memory = parseQuantity(t.quota.memory)!;
  let gpu = t.quota.gpu ?? 0;
  for (const m of (decl.models ?? []).filter((x) => x.team === t.name)) {
    const r = servingReservation(m);
    cpu -= r.cpu;
    memory -= r.memory;
    gpu -= r.gpu;
  }
  return { cpu: formatCpu(cpu), memory: formatMemory(memory), gpu: String(Math.max(0, gpu)) };
}

function teamClusterQueue(decl: WorkloadDeclaration, t: TeamWorkloadOptions): KubernetesManifest {
  const flavors = resourceFlavorNames(decl);
  const budget = teamTrainingBudget(decl, t);
  return {
    apiVersion: KUEUE_API_VERSION, kind: 'ClusterQueue',
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
