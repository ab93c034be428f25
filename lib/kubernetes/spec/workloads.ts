import { priorityClasses, teamClusterQueueName, trainingQueues } from './cluster';
import { WorkloadDeclaration } from './declaration';
import { KubernetesManifest, manifestKey } from './manifest';
import { inferenceService, modelClientPolicy, modelDisruptionBudget, storageInitializerContainer } from './serving';
import {
  teamLimitRange, teamLocalQueue, teamNamespaceManifest, teamNetworkPolicies, teamResourceQuota, teamRole, teamRoleBinding,
  teamServiceAccountManifest, teamTrainingRuntime,
} from './team';
import { validateWorkloadDeclaration } from './validate';

/** The manifests of one environment, grouped the way the renderers apply them. */
export interface KubernetesWorkloads {
  /** Cluster-scoped objects: priority classes, Kueue resource flavors and cluster queues, the KServe storage initializer (when models are served). */
  readonly cluster: readonly KubernetesManifest[];
  /** Per team, its namespace first and then every object inside it (served models included). */
  readonly teams: Readonly<Record<string, readonly KubernetesManifest[]>>;
  /** Every manifest, in apply order: cluster-scoped first, then team by team. */
  readonly all: readonly KubernetesManifest[];
}

/**
 * Produces every Kubernetes object of an environment from its declaration, after validating it
 * (one ValidationError lists every problem). Pure: the same declaration always yields the same
 * objects, which both renderers apply unchanged.
 *
 * @param path names the source of a validation error (renderers pass their construct path)
 */
export function kubernetesWorkloads(decl: WorkloadDeclaration, path?: string): KubernetesWorkloads {
  validateWorkloadDeclaration(decl, path);
  const serving = (decl.models ?? []).length > 0 ? [storageInitializerContainer(decl)] : [];
  const cluster = [...priorityClasses(decl), ...trainingQueues(decl), ...serving];
  const teams: Record<string, KubernetesManifest[]> = {};
  for (const t of decl.teams) {
    teams[t.name] = [
      teamNamespaceManifest(decl, t),
      teamResourceQuota(decl, t),
      teamLimitRange(decl, t),
      teamServiceAccountManifest(decl, t),
      teamRole(decl, t),
      teamRoleBinding(decl, t),
      ...teamNetworkPolicies(decl, t),
      teamLocalQueue(decl, t, teamClusterQueueName(decl, t.name)),
      teamTrainingRuntime(decl, t),
    ];
  }
  for (const m of decl.models ?? []) {
    const clients = modelClientPolicy(decl, m);
    teams[m.team].push(inferenceService(decl, m), modelDisruptionBudget(decl, m), ...(clients ? [clients] : []));
  }
  const all = [...cluster, ...Object.values(teams).flat()];
  const keys = new Set(all.map(manifestKey));
  if (keys.size !== all.length) throw new Error('kubernetesWorkloads produced two objects with the same identity; this is a bug');
  return { cluster, teams, all };
}
