import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Validator } from '../../core/errors';
import { IDataLakehouse } from '../../lakehouse/data-lakehouse';
import { ALL_ZONES, isLakehouseZone } from '../../lakehouse/zone';
import {
  CLUSTER_DEFAULTS, ClusterEngineOptions, GPU_INSTANCE_CAPACITY, GPU_INSTANCE_SIZES, GpuInstanceCapacity, GpuNodeGroupOptions, NODE_CAPACITY_TYPES, SYSTEM_INSTANCE_FAMILIES,
  SYSTEM_INSTANCE_SIZES, SystemNodeGroupOptions, TeamOptions, defaultGpuNodeGroups,
} from '../cluster-options';

/** What the checks that need more than the options look at. */
export interface ClusterValidationContext {
  /** Team zones must be zones of this lakehouse; without it, any lakehouse zone name passes. */
  readonly lakehouse?: IDataLakehouse;
  /** The VPC the cluster runs in: it needs private subnets (isolated, else with egress) in at least two AZs. */
  readonly vpc?: ec2.IVpc;
}

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const INSTANCE_TYPE = /^([a-z][a-z0-9-]*)\.([a-z0-9-]+)$/;
const KUBERNETES_VERSION = /^1\.(\d{1,3})$/;
const ARTIFACT_PREFIX = /^(?:[A-Za-z0-9!_.'()=-]+\/)+$/;
const RESERVED_NAMESPACES = ['default'];
const MIN_DISK = 20;
const MAX_DISK = 16384;
const GPU_ALLOWED = Object.entries(GPU_INSTANCE_SIZES).map(([f, sizes]) => `${f}.{${sizes.join(',')}}`).join(', ');

function isInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n);
}

/** Checks an integer prop in [min, max]; undefined and tokens pass. */
function checkInt(v: Validator, value: number | undefined, min: number, max: number, property: string): boolean {
  if (value === undefined || Token.isUnresolved(value)) return true;
  return v.check(isInt(value) && value >= min && value <= max, property, value, `must be an integer from ${min} to ${max}`);
}

function checkInstanceType(v: Validator, type: ec2.InstanceType | undefined, property: string, gpu: boolean): void {
  const name = type === undefined || type === null ? String(type) : type.toString();
  if (Token.isUnresolved(name)) return;
  const m = INSTANCE_TYPE.exec(name);
  if (gpu) {
    const sizes = m && Object.prototype.hasOwnProperty.call(GPU_INSTANCE_SIZES, m[1]) ? GPU_INSTANCE_SIZES[m[1]] : undefined;
    v.check(sizes !== undefined && sizes.includes(m![2]), property, name,
      `must be a GPU instance type <family>.<size>; allowed: ${GPU_ALLOWED}`);
  } else {
    v.check(m !== null && SYSTEM_INSTANCE_FAMILIES.includes(m[1]) && SYSTEM_INSTANCE_SIZES.includes(m[2]), property, name,
      `must be <family>.<size> with family one of ${SYSTEM_INSTANCE_FAMILIES.join(', ')} and size one of ${SYSTEM_INSTANCE_SIZES.join(', ')}`);
  }
}

function describeCapacity(c: GpuInstanceCapacity): string {
  return `${c.vcpus} vCPUs, ${c.memoryGiB} GiB, ${c.gpus} GPU${c.gpus === 1 ? '' : 's'}`;
}

/** min <= desired <= max, each checked once and only when all are plain integers. */
function checkScaling(v: Validator, path: string, min: number, max: number, desired: number): void {
  if (![min, max, desired].every((n) => isInt(n) && !Token.isUnresolved(n))) return;
  if (v.check(min <= max, `${path}.minSize`, min, `must not exceed maxSize (${max})`)) {
    v.check(desired >= min && desired <= max, `${path}.desiredSize`, desired, `must be between minSize (${min}) and maxSize (${max})`);
  }
}

function validateSystem(v: Validator, s: SystemNodeGroupOptions, path: string): void {
  if (s.instanceType !== undefined) checkInstanceType(v, s.instanceType, `${path}.instanceType`, false);
  const max = CLUSTER_DEFAULTS.maxNodesPerGroup;
  const ok = [
    checkInt(v, s.minSize, 1, max, `${path}.minSize`),
    checkInt(v, s.maxSize, 1, max, `${path}.maxSize`),
    checkInt(v, s.desiredSize, 1, max, `${path}.desiredSize`),
  ].every(Boolean);
  checkInt(v, s.diskSize, MIN_DISK, MAX_DISK, `${path}.diskSize`);
  if (ok) {
    const min = s.minSize ?? CLUSTER_DEFAULTS.systemMinSize;
    checkScaling(v, path, min, s.maxSize ?? CLUSTER_DEFAULTS.systemMaxSize, s.desiredSize ?? min);
  }
}

function validateGpu(v: Validator, g: GpuNodeGroupOptions, path: string, names: Set<string>): void {
  if (v.matches(g.name ?? '', DNS_LABEL, `${path}.name`, 'must be a DNS label: 1-63 lowercase letters, digits or hyphens, starting and ending with a letter or digit')) {
    v.check(g.name !== 'system', `${path}.name`, g.name, 'is reserved for the system node group');
    v.check(!names.has(g.name), `${path}.name`, g.name, 'must be unique: another GPU node group has this name');
    names.add(g.name);
  }
  const types = g.instanceTypes ?? [];
  v.check(Array.isArray(types) && types.length > 0, `${path}.instanceTypes`, types, 'must list at least one GPU instance type');
  const seen = new Set<string>();
  let first: { name: string; capacity: GpuInstanceCapacity } | undefined;
  for (const [i, t] of (Array.isArray(types) ? types : []).entries()) {
    checkInstanceType(v, t, `${path}.instanceTypes[${i}]`, true);
    const name = String(t);
    v.check(!seen.has(name), `${path}.instanceTypes[${i}]`, name, 'is listed twice');
    seen.add(name);
    // One capacity per pool: the cluster autoscaler sizes a node group by one of its instance types.
    const capacity = Object.prototype.hasOwnProperty.call(GPU_INSTANCE_CAPACITY, name) ? GPU_INSTANCE_CAPACITY[name] : undefined;
    if (!capacity) continue;
    if (!first) {
      first = { name, capacity };
    } else {
      const same = capacity.vcpus === first.capacity.vcpus && capacity.memoryGiB === first.capacity.memoryGiB && capacity.gpus === first.capacity.gpus;
      v.check(same, `${path}.instanceTypes[${i}]`, `${name} (${describeCapacity(capacity)})`,
        `must have the vCPUs, memory and GPUs of the pool's other types (${first.name}: ${describeCapacity(first.capacity)}): the cluster autoscaler sizes a node group by one instance type, so pods that fit only the larger type never scale it up; use a separate GPU node group per size`);
    }
  }
  const max = CLUSTER_DEFAULTS.maxNodesPerGroup;
  const ok = [
    checkInt(v, g.maxSize, 1, max, `${path}.maxSize`) && v.check(g.maxSize !== undefined, `${path}.maxSize`, g.maxSize, `is required: an integer from 1 to ${max}`),
    checkInt(v, g.minSize, 0, max, `${path}.minSize`),
    checkInt(v, g.desiredSize, 0, max, `${path}.desiredSize`),
  ].every(Boolean);
  checkInt(v, g.diskSize, MIN_DISK, MAX_DISK, `${path}.diskSize`);
  if (ok) {
    const min = g.minSize ?? CLUSTER_DEFAULTS.gpuMinSize;
    checkScaling(v, path, min, g.maxSize, g.desiredSize ?? min);
  }
  if (g.capacityType !== undefined) {
    v.check(NODE_CAPACITY_TYPES.includes(g.capacityType), `${path}.capacityType`, g.capacityType, `must be one of ${NODE_CAPACITY_TYPES.join(', ')}`);
  }
}

function validateTeam(v: Validator, t: TeamOptions, path: string, names: Set<string>, lakehouse?: IDataLakehouse): void {
  const nameOk = v.matches(t.name ?? '', DNS_LABEL, `${path}.name`,
    'must be a DNS-1123 label: 1-63 lowercase letters, digits or hyphens, starting and ending with a letter or digit');
  if (nameOk) {
    v.check(!t.name.startsWith('kube-') && !RESERVED_NAMESPACES.includes(t.name), `${path}.name`, t.name,
      'names the team\'s namespace and must not be "default" or start with "kube-"');
    v.check(!names.has(t.name), `${path}.name`, t.name, 'must be unique: another team has this name');
    names.add(t.name);
  }
  const zones = lakehouse?.zones ?? ALL_ZONES;
  for (const key of ['readZones', 'writeZones'] as const) {
    for (const [i, z] of (t[key] ?? []).entries()) {
      const known = lakehouse ? lakehouse.hasZone(z) : isLakehouseZone(z);
      v.check(known, `${path}.${key}[${i}]`, z, `is not a zone of ${lakehouse ? `lakehouse ${lakehouse.node.path}` : 'a lakehouse'}; allowed: ${zones.join(', ')}`);
    }
  }
  if (t.artifactPrefixes !== undefined) {
    v.check(t.artifactPrefixes.length > 0, `${path}.artifactPrefixes`, t.artifactPrefixes, 'must list at least one prefix (omit it for teams/<name>/)');
    for (const [i, p] of t.artifactPrefixes.entries()) {
      v.matches(p, ARTIFACT_PREFIX, `${path}.artifactPrefixes[${i}]`,
        'must be a key prefix of one or more segments each ending with "/" (letters, digits, !_.\'()=-; no "*" and no leading "/")');
    }
  }
}

/**
 * The subnets the cluster and its nodes use: the VPC's private isolated subnets, else its private
 * subnets with egress; undefined when it has neither (public subnets are never used).
 */
export function clusterSubnetSelection(vpc: ec2.IVpc): ec2.SubnetSelection | undefined {
  if (vpc.isolatedSubnets.length > 0) return { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  if (vpc.privateSubnets.length > 0) return { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
  return undefined;
}

/**
 * Validates the cluster engine's options, recording every problem under `path` (for example
 * `cluster.gpuNodeGroups[0].maxSize`). With a context it also checks team zones against the
 * lakehouse and the VPC's private subnets.
 */
export function validateClusterOptions(v: Validator, o: ClusterEngineOptions, path = 'cluster', context: ClusterValidationContext = {}): void {
  v.matches(o.clusterName, CLUSTER_NAME, `${path}.clusterName`,
    'must be 1-100 letters, digits, hyphens or underscores, starting with a letter or digit');
  const version = o.kubernetesVersion?.version;
  if (version !== undefined && !Token.isUnresolved(version)) {
    const m = KUBERNETES_VERSION.exec(version);
    v.check(m !== null && Number(m[1]) >= CLUSTER_DEFAULTS.minKubernetesMinor, `${path}.kubernetesVersion`, version,
      `must be "1.<minor>" with minor ${CLUSTER_DEFAULTS.minKubernetesMinor} or newer`);
  }
  validateSystem(v, o.systemNodes ?? {}, `${path}.systemNodes`);
  const groups = new Set<string>();
  for (const [i, g] of (o.gpuNodeGroups ?? defaultGpuNodeGroups()).entries()) validateGpu(v, g, `${path}.gpuNodeGroups[${i}]`, groups);
  const teams = new Set<string>();
  for (const [i, t] of (o.teams ?? []).entries()) validateTeam(v, t, `${path}.teams[${i}]`, teams, context.lakehouse);
  if (context.vpc) {
    const subnets = clusterSubnetSelection(context.vpc);
    if (v.check(subnets !== undefined, 'vpc', context.vpc.node.path, 'must have private subnets (isolated or with egress) for the cluster and its nodes')) {
      const azs = new Set(context.vpc.selectSubnets(subnets).availabilityZones);
      const known = [...azs].every((az) => !Token.isUnresolved(az));
      v.check(!known || azs.size >= 2, 'vpc', `private subnets in ${azs.size} Availability Zone${azs.size === 1 ? '' : 's'}`,
        'EKS needs subnets in at least two Availability Zones');
    }
  }
}
