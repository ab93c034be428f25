import { ServingModelOptions, WORKLOAD_DEFAULTS } from './declaration';
import { parseQuantity } from './quantity';

/**
 * The rollout strategy every predictor Deployment gets: one extra pod at a time, none taken down
 * before its replacement is ready. KServe's own default in Standard mode is 25% surge and 25%
 * unavailable (kserve/kserve v0.20.0,
 * pkg/controller/v1beta1/inferenceservice/reconcilers/deployment/deployment_reconciler.go,
 * `setDefaultDeploymentSpec`), which rounds up to a whole pod; stating it makes the surge exact,
 * so the quota can hold it.
 */
export const PREDICTOR_ROLLOUT = { maxSurge: 1, maxUnavailable: 0 } as const;

/**
 * Requests and limits of KServe's storage-initializer init container, as the default
 * ClusterStorageContainer of KServe v0.20.0 sets them (kserve/kserve v0.20.0,
 * charts/kserve-resources/files/common/storagecontainer.yaml). The spec's own
 * ClusterStorageContainer states them too, so that the quota arithmetic below holds.
 */
export const STORAGE_INITIALIZER_RESOURCES = {
  requests: { cpu: '100m', memory: '100Mi' },
  limits: { cpu: '1', memory: '1Gi' },
} as const;

/** What one served model holds of its team's quota at most, in base units (cores, bytes, GPUs). */
export interface ServingReservation {
  readonly cpu: number;
  readonly memory: number;
  readonly gpu: number;
  /** Pods counted: maxReplicas plus the rolling-update surge. */
  readonly pods: number;
}

/**
 * A served model's share of the team quota: (maxReplicas + surge) pods, each counted at the larger
 * of its model container and its storage-initializer init container, because a pod's effective
 * request and limit is the larger of its largest init container and the sum of its app containers
 * (Kubernetes, "Init Containers: Resource sharing within containers"), and the namespace quota
 * limits requests and limits alike. Without the surge, training at its full budget leaves no room
 * for the one extra pod a rollout creates, and the rollout stalls.
 */
export function servingReservation(m: ServingModelOptions): ServingReservation {
  const r = m.resources ?? WORKLOAD_DEFAULTS.servingResources;
  const pods = (m.maxReplicas ?? WORKLOAD_DEFAULTS.maxReplicas) + PREDICTOR_ROLLOUT.maxSurge;
  const init = STORAGE_INITIALIZER_RESOURCES.limits;
  const perPod = (given: string, initLimit: string) => Math.max(parseQuantity(given) ?? 0, parseQuantity(initLimit)!);
  return {
    cpu: perPod(r.cpu, init.cpu) * pods,
    memory: perPod(r.memory, init.memory) * pods,
    gpu: (r.gpu ?? 0) * pods,
    pods,
  };
}
