import { ValidationError, ValidationProblem, bucketNameProblem, describeValue } from '../../core';
import { ResourceAmounts, TeamWorkloadOptions, WORKLOAD_DEFAULTS, WorkloadDeclaration } from './declaration';
import { DEFAULT_PULL_THROUGH_PREFIXES, ECR_REGISTRY, mirroredImage } from './images';
import { QUANTITY_FORMAT, parseQuantity } from './quantity';
import { PREDICTOR_ROLLOUT, STORAGE_INITIALIZER_RESOURCES } from './serving-budget';

/** A DNS-1123 label: what namespaces, team and model names must be. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_LABEL_RULE = 'must be a DNS-1123 label: lowercase letters, digits and \'-\', starting and ending with a letter or digit';
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
/**
 * KServe derives `<name>-predictor` Deployments, Services and HPAs from a model's name, and
 * Services are DNS labels: 63 - '-predictor'.length - a margin for KServe's own suffixes.
 */
const MAX_MODEL_NAME = 45;

function isCidr(value: unknown, minPrefix: number, maxPrefix = 32): boolean {
  const m = typeof value === 'string' ? CIDR.exec(value) : null;
  return m !== null && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) >= minPrefix && Number(m[5]) <= maxPrefix;
}

class Problems {
  public readonly list: ValidationProblem[] = [];
  public check(ok: boolean, property: string, value: unknown, allowed: string): boolean {
    if (!ok) this.list.push({ property, value: describeValue(value), allowed });
    return ok;
  }
}

const isInt = (n: unknown, min: number, max = Number.MAX_SAFE_INTEGER): n is number =>
  typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;

function label(p: Problems, value: unknown, property: string, maxLength: number): boolean {
  if (!p.check(typeof value === 'string' && DNS_LABEL.test(value), property, value, DNS_LABEL_RULE)) return false;
  return p.check((value as string).length <= maxLength, property, value, `must be at most ${maxLength} characters`);
}

/** Parsed amounts, or undefined for any that is not valid (already reported). */
function amounts(p: Problems, a: ResourceAmounts | undefined, property: string): { cpu?: number; memory?: number; gpu?: number } {
  if (!p.check(typeof a === 'object' && a !== null, property, a, 'must be an object with cpu, memory and optionally gpu')) return {};
  const cpu = parseQuantity(a!.cpu);
  const memory = parseQuantity(a!.memory);
  p.check(cpu !== undefined && cpu > 0, `${property}.cpu`, a!.cpu, `must be ${QUANTITY_FORMAT}`);
  p.check(memory !== undefined && memory > 0, `${property}.memory`, a!.memory, `must be ${QUANTITY_FORMAT}`);
  const gpu = a!.gpu ?? 0;
  const gpuOk = p.check(isInt(gpu, 0, 1024), `${property}.gpu`, a!.gpu, 'must be a whole number of GPUs between 0 and 1024');
  return { cpu: cpu && cpu > 0 ? cpu : undefined, memory: memory && memory > 0 ? memory : undefined, gpu: gpuOk ? gpu : undefined };
}

interface TeamBudget { cpu?: number; memory?: number; gpu?: number; maxGpuPerContainer?: number }

function validateTeam(p: Problems, t: TeamWorkloadOptions, at: string): TeamBudget {
  if (!p.check(typeof t === 'object' && t !== null, at, t, 'must be a team declaration')) return {};
  if (label(p, t.name, `${at}.name`, 63)) {
    p.check(t.name !== 'default' && !t.name.startsWith('kube-'), `${at}.name`, t.name, 'must not be `default` or start with `kube-` (reserved namespaces)');
  }
  const quota = amounts(p, t.quota, `${at}.quota`);
  if (t.quota && typeof t.quota === 'object' && t.quota.pods !== undefined) {
    p.check(isInt(t.quota.pods, 1, 100000), `${at}.quota.pods`, t.quota.pods, 'must be a whole number between 1 and 100000');
  }
  const limits = t.containerLimits ?? {};
  const defLimits = amounts(p, limits.defaultLimits ?? WORKLOAD_DEFAULTS.defaultLimits, `${at}.containerLimits.defaultLimits`);
  const defRequests = amounts(p, limits.defaultRequests ?? WORKLOAD_DEFAULTS.defaultRequests, `${at}.containerLimits.defaultRequests`);
  for (const r of ['cpu', 'memory'] as const) {
    const lim = (limits.defaultLimits ?? WORKLOAD_DEFAULTS.defaultLimits)[r];
    const req = (limits.defaultRequests ?? WORKLOAD_DEFAULTS.defaultRequests)[r];
    if (defLimits[r] !== undefined && defRequests[r] !== undefined) {
      p.check(defRequests[r]! <= defLimits[r]!, `${at}.containerLimits.defaultRequests.${r}`, req, `must not exceed the default limit (${lim})`);
    }
    if (quota[r] !== undefined && defLimits[r] !== undefined) {
      p.check(quota[r]! >= defLimits[r]!, `${at}.quota.${r}`, t.quota[r], `must be at least the limit range's default limit (${lim}), or no default container fits in the quota`);
    }
  }
  let maxGpu = quota.gpu;
  if (limits.maxGpuPerContainer !== undefined) {
    if (p.check(isInt(limits.maxGpuPerContainer, 0, 1024), `${at}.containerLimits.maxGpuPerContainer`, limits.maxGpuPerContainer, 'must be a whole number between 0 and 1024')
      && quota.gpu !== undefined) {
      p.check(limits.maxGpuPerContainer <= quota.gpu, `${at}.containerLimits.maxGpuPerContainer`, limits.maxGpuPerContainer,
        `must not exceed the team's GPU quota (${quota.gpu})`);
    }
    maxGpu = limits.maxGpuPerContainer;
  }
  if (t.developersGroup !== undefined) {
    p.check(typeof t.developersGroup === 'string' && /^[A-Za-z0-9][A-Za-z0-9:._@-]{0,127}$/.test(t.developersGroup) && !t.developersGroup.startsWith('system:'),
      `${at}.developersGroup`, t.developersGroup, 'must be a Kubernetes group name (letters, digits, ":._@-", at most 128) not starting with `system:`');
  }
  return { ...quota, maxGpuPerContainer: maxGpu };
}

/**
 * Validates a declaration and throws one {@link ValidationError} listing every problem.
 * Every spec function calls it first, so no renderer ever sees a bad declaration.
 *
 * @param path what to name as the source of the error (a construct path when a renderer calls it)
 */
export function validateWorkloadDeclaration(decl: WorkloadDeclaration, path = 'WorkloadDeclaration'): void {
  const p = new Problems();
  if (!p.check(typeof decl === 'object' && decl !== null, 'declaration', decl, 'must be an object')) throw new ValidationError(path, p.list);
  label(p, decl.project, 'project', 30);
  label(p, decl.environment, 'environment', 20);
  p.check(isCidr(decl.vpcCidr, 8, 28), 'vpcCidr', decl.vpcCidr, 'must be an IPv4 CIDR block with a prefix length between /8 and /28, for example 10.0.0.0/16');
  if (decl.httpsEgressCidrs !== undefined) {
    if (p.check(Array.isArray(decl.httpsEgressCidrs), 'httpsEgressCidrs', decl.httpsEgressCidrs, 'must be a list of IPv4 CIDR blocks')) {
      decl.httpsEgressCidrs.forEach((c, i) => p.check(isCidr(c, 0), `httpsEgressCidrs[${i}]`, c, 'must be an IPv4 CIDR block, for example 52.216.0.0/15'));
    }
  }
  // A token of either engine (the cdktf stack passes the SSM value) is resolved at deploy time.
  const bucketIsToken = typeof decl.artifactBucket === 'string' && /\$\{(Tf)?Token\[/.test(decl.artifactBucket);
  if (decl.artifactBucket === undefined) {
    p.check(!Array.isArray(decl.models) || decl.models.length === 0, 'artifactBucket', decl.artifactBucket,
      'is required to serve models (KubernetesStack reads it from the registry\'s SSM parameter when absent)');
  } else if (!bucketIsToken) {
    const bucketProblem = typeof decl.artifactBucket === 'string' ? bucketNameProblem(decl.artifactBucket) : 'must be a bucket name';
    p.check(bucketProblem === undefined, 'artifactBucket', decl.artifactBucket, bucketProblem ?? '');
  }

  const budgets = new Map<string, TeamBudget>();
  if (p.check(Array.isArray(decl.teams) && decl.teams.length > 0, 'teams', decl.teams, 'must declare at least one team')) {
    decl.teams.forEach((t, i) => {
      const budget = validateTeam(p, t, `teams[${i}]`);
      if (t && typeof t.name === 'string') {
        p.check(!budgets.has(t.name), `teams[${i}].name`, t.name, 'must be unique: each team is one namespace');
        budgets.set(t.name, budget);
      }
    });
  }

  const models = decl.models ?? [];
  if (p.check(Array.isArray(models), 'models', models, 'must be a list of models')) {
    const seen = new Set<string>();
    const used = new Map<string, { cpu: number; memory: number; gpu: number }>();
    models.forEach((m, i) => {
      const at = `models[${i}]`;
      if (!p.check(typeof m === 'object' && m !== null, at, m, 'must be a model declaration')) return;
      if (label(p, m.name, `${at}.name`, MAX_MODEL_NAME)) {
        p.check(!seen.has(m.name), `${at}.name`, m.name, 'must be unique: a model is served once per environment');
        seen.add(m.name);
      }
      const budget = budgets.get(m.team);
      p.check(budget !== undefined, `${at}.team`, m.team, `must be one of the declared teams (${[...budgets.keys()].join(', ') || 'none'})`);
      p.check(typeof m.modelFormat === 'string' && /^[a-z][a-z0-9-]{0,62}$/.test(m.modelFormat), `${at}.modelFormat`, m.modelFormat,
        'must be a KServe model format name such as sklearn, xgboost, pytorch or huggingface');
      p.check(typeof m.artifact === 'string' && /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/?$/.test(m.artifact) && !m.artifact.split('/').includes('..'),
        `${at}.artifact`, m.artifact, 'must be an S3 key relative to models/<name>/ (no leading \'/\', no \'..\'), for example v3/');
      if (m.clientNamespaces !== undefined) {
        if (p.check(Array.isArray(m.clientNamespaces), `${at}.clientNamespaces`, m.clientNamespaces, 'must be a list of namespace names')) {
          m.clientNamespaces.forEach((ns, j) => label(p, ns, `${at}.clientNamespaces[${j}]`, 63));
        }
      }
      const min = m.minReplicas ?? WORKLOAD_DEFAULTS.minReplicas;
      const max = m.maxReplicas ?? WORKLOAD_DEFAULTS.maxReplicas;
      const minOk = p.check(isInt(min, 1, 100), `${at}.minReplicas`, m.minReplicas, 'must be a whole number between 1 and 100 (raw deployment mode cannot scale to zero)');
      const maxOk = p.check(isInt(max, 1, 100), `${at}.maxReplicas`, m.maxReplicas, 'must be a whole number between 1 and 100');
      if (minOk && maxOk) p.check(min <= max, `${at}.minReplicas`, min, `must not exceed maxReplicas (${max})`);
      const r = amounts(p, m.resources ?? WORKLOAD_DEFAULTS.servingResources, `${at}.resources`);
      if (!budget || !maxOk) return;
      // Each pod counts at the larger of its model container and its storage-initializer init
      // container; a rollout adds PREDICTOR_ROLLOUT.maxSurge pods (see servingReservation).
      const pods = max + PREDICTOR_ROLLOUT.maxSurge;
      const init = STORAGE_INITIALIZER_RESOURCES.limits;
      const perPod = {
        cpu: r.cpu === undefined ? undefined : Math.max(r.cpu, parseQuantity(init.cpu)!),
        memory: r.memory === undefined ? undefined : Math.max(r.memory, parseQuantity(init.memory)!),
        gpu: r.gpu,
      };
      const u = used.get(m.team) ?? { cpu: 0, memory: 0, gpu: 0 };
      used.set(m.team, { cpu: u.cpu + (perPod.cpu ?? 0) * pods, memory: u.memory + (perPod.memory ?? 0) * pods, gpu: u.gpu + (perPod.gpu ?? 0) * pods });
      // At full scale, during a rollout, the model's pods count against the team's quota: they must fit.
      for (const k of ['cpu', 'memory', 'gpu'] as const) {
        if (perPod[k] === undefined || budget[k] === undefined) continue;
        const given = (m.resources ?? WORKLOAD_DEFAULTS.servingResources)[k] ?? 0;
        p.check(perPod[k]! * pods <= budget[k]! * (1 + 1e-9), `${at}.resources.${k}`, given,
          `times maxReplicas plus the rollout surge (${max} + ${PREDICTOR_ROLLOUT.maxSurge})${k === 'gpu' ? '' : ` (at least the storage initializer's ${init[k]} per pod)`} must fit in team ${m.team}'s ${k === 'gpu' ? 'nvidia.com/gpu' : k} quota (${k === 'gpu' ? budget[k] : findQuota(decl, m.team, k)})`);
      }
      if (r.gpu !== undefined && budget.maxGpuPerContainer !== undefined) {
        p.check(r.gpu <= budget.maxGpuPerContainer, `${at}.resources.gpu`, r.gpu, `must not exceed team ${m.team}'s GPUs per container (${budget.maxGpuPerContainer})`);
      }
    });
    // Together, too: a team's served models at full scale must fit in its quota (the rest is its training budget).
    (Array.isArray(decl.teams) ? decl.teams : []).forEach((t, i) => {
      const u = t && used.get(t.name);
      const b = t && budgets.get(t.name);
      if (!u || !b || models.filter((m) => m && m.team === t.name).length < 2) return;
      for (const k of ['cpu', 'memory', 'gpu'] as const) {
        if (b[k] === undefined || u[k] <= b[k]! * (1 + 1e-9)) continue;
        p.check(false, `teams[${i}].quota.${k}`, k === 'gpu' ? (t.quota.gpu ?? 0) : t.quota[k],
          `must hold the models team ${t.name} serves at maxReplicas plus the rollout surge (${k === 'memory' ? `${Math.ceil(u[k] / 1024 ** 2)}Mi` : u[k]} ${k === 'gpu' ? 'GPUs' : k})`);
      }
    });
  }

  const tr = decl.training ?? {};
  if (!p.check(typeof tr === 'object' && tr !== null && !Array.isArray(tr), 'training', decl.training, 'must be an object with image and numNodes')) throw new ValidationError(path, p.list);
  const imageOk = tr.image === undefined || p.check(typeof tr.image === 'string' && /^[^\s]{1,255}$/.test(tr.image), 'training.image', tr.image, 'must be a container image reference without spaces');
  if (decl.imageRegistry !== undefined) {
    const registryIsToken = typeof decl.imageRegistry === 'string' && /\$\{(Tf)?Token\[/.test(decl.imageRegistry);
    const registryOk = registryIsToken || p.check(typeof decl.imageRegistry === 'string' && ECR_REGISTRY.test(decl.imageRegistry), 'imageRegistry', decl.imageRegistry,
      'must be a private ECR registry host, <account>.dkr.ecr.<region>.amazonaws.com');
    const prefixes = decl.pullThroughPrefixes ?? DEFAULT_PULL_THROUGH_PREFIXES;
    if (registryOk && imageOk) {
      const image = tr.image ?? WORKLOAD_DEFAULTS.trainingImage;
      p.check(mirroredImage(image, decl.imageRegistry, prefixes) !== undefined, tr.image === undefined ? 'training.image (default)' : 'training.image', image,
        `must be in ${decl.imageRegistry} or in a registry with a pull-through cache prefix (${Object.keys(prefixes).join(', ')}); mirror other registries (nvcr.io) into ECR and use that reference`);
    }
  }
  if (tr.numNodes !== undefined) p.check(isInt(tr.numNodes, 1, 1000), 'training.numNodes', tr.numNodes, 'must be a whole number between 1 and 1000');
  if (p.list.length > 0) throw new ValidationError(path, p.list);
}

function findQuota(decl: WorkloadDeclaration, team: string, k: 'cpu' | 'memory'): string {
  return decl.teams.find((t) => t && t.name === team)?.quota[k] ?? '?';
}
