import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { LakehouseZone, ValidationError, Validator } from '../../lib';
import { ClusterEngineOptions, GPU_INSTANCE_SIZES, GpuNodeGroupOptions, SYSTEM_INSTANCE_FAMILIES } from '../../lib/training/cluster-options';
import { validateClusterOptions } from '../../lib/training/private/validate-cluster';
import { testStack } from '../helpers/app';
import { clusterEngine, clusterInputs } from './cluster-fixtures';

// One stack and one set of inputs for every case: an engine that fails validation adds nothing but
// its own empty node, and no test here synthesizes.
const stack = testStack();
const inputs = clusterInputs(stack);
let count = 0;

function errorOf(options: ClusterEngineOptions, vpc?: ec2.IVpc): ValidationError {
  const scope = new Construct(stack, `Case${count++}`);
  try {
    clusterEngine(scope, vpc ? { ...inputs, vpc: vpc as ec2.Vpc } : inputs, options);
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError, but the engine was created');
}

const type = (name: string) => new ec2.InstanceType(name);
const gpu = (extra: Partial<GpuNodeGroupOptions> = {}): ClusterEngineOptions => ({
  gpuNodeGroups: [{ name: 'train', instanceTypes: [type('g5.xlarge')], maxSize: 2, ...extra }],
});

describe('ClusterEngine validation', () => {
  test('fails when an instance type is unknown, listing what is allowed', () => {
    const e = errorOf({
      systemNodes: { instanceType: type('t3.medium') },
      gpuNodeGroups: [{ name: 'train', instanceTypes: [type('g5.xlarg'), type('m5.large'), type('g9.xlarge'), type('p5.2xlarge'), type('constructor.xlarge')], maxSize: 2 }],
    });
    expect(e.problems.map((p) => p.property)).toEqual([
      'cluster.systemNodes.instanceType',
      'cluster.gpuNodeGroups[0].instanceTypes[0]', 'cluster.gpuNodeGroups[0].instanceTypes[1]',
      'cluster.gpuNodeGroups[0].instanceTypes[2]', 'cluster.gpuNodeGroups[0].instanceTypes[3]', 'cluster.gpuNodeGroups[0].instanceTypes[4]',
    ]);
    expect(e.message).toMatch(/cluster\.systemNodes\.instanceType \("t3\.medium"\): must be <family>\.<size> with family one of m5, m5a, .* and size one of large, xlarge, 2xlarge, 4xlarge/);
    expect(e.message).toMatch(/cluster\.gpuNodeGroups\[0\]\.instanceTypes\[0\] \("g5\.xlarg"\): must be a GPU instance type <family>\.<size>; allowed: g4dn\.\{xlarge,.*\}, g5\.\{/);
    expect(e.message).toMatch(/instanceTypes\[3\] \("p5\.2xlarge"\): .*p5\.\{4xlarge,48xlarge\}/);
  });

  test('fails when GPU node group sizes are inconsistent: min > max, desired outside [min, max], max 0', () => {
    expect(errorOf(gpu({ minSize: 3, maxSize: 2 })).message).toMatch(/cluster\.gpuNodeGroups\[0\]\.minSize \(3\): must not exceed maxSize \(2\)/);
    expect(errorOf(gpu({ minSize: 1, desiredSize: 5, maxSize: 4 })).message)
      .toMatch(/cluster\.gpuNodeGroups\[0\]\.desiredSize \(5\): must be between minSize \(1\) and maxSize \(4\)/);
    expect(errorOf(gpu({ maxSize: 0 })).message).toMatch(/cluster\.gpuNodeGroups\[0\]\.maxSize \(0\): must be an integer from 1 to 450/);
    expect(errorOf(gpu({ maxSize: 2.5, minSize: -1 })).problems.map((p) => p.property)).toEqual(['cluster.gpuNodeGroups[0].maxSize', 'cluster.gpuNodeGroups[0].minSize']);
    expect(errorOf(gpu({ maxSize: undefined as unknown as number })).message).toMatch(/maxSize \(undefined\): is required: an integer from 1 to 450/);
    expect(errorOf(gpu({ instanceTypes: [] })).message).toMatch(/instanceTypes \(\[\]\): must list at least one GPU instance type/);
    expect(errorOf(gpu({ diskSize: 10, capacityType: eks.CapacityType.CAPACITY_BLOCK })).problems.map((p) => `${p.property}=${p.value}`))
      .toEqual(['cluster.gpuNodeGroups[0].diskSize=10', 'cluster.gpuNodeGroups[0].capacityType="CAPACITY_BLOCK"']);
  });

  test('fails when the system node group could scale to zero or is inconsistent', () => {
    const e = errorOf({ systemNodes: { minSize: 0, maxSize: 1 } });
    expect(e.message).toMatch(/cluster\.systemNodes\.minSize \(0\): must be an integer from 1 to 450/);
    expect(errorOf({ systemNodes: { minSize: 4 } }).message).toMatch(/cluster\.systemNodes\.minSize \(4\): must not exceed maxSize \(3\)/);
  });

  test('fails when node group names are not DNS labels, duplicated or "system"', () => {
    const e = errorOf({ gpuNodeGroups: [
      { name: 'A100', instanceTypes: [type('p4d.24xlarge')], maxSize: 1 },
      { name: 'train', instanceTypes: [type('g5.xlarge')], maxSize: 1 },
      { name: 'train', instanceTypes: [type('g5.xlarge'), type('g5.xlarge')], maxSize: 1 },
      { name: 'system', instanceTypes: [type('g5.xlarge')], maxSize: 1 },
    ] });
    expect(e.problems.map((p) => `${p.property}: ${p.allowed}`)).toEqual([
      'cluster.gpuNodeGroups[0].name: must be a DNS label: 1-63 lowercase letters, digits or hyphens, starting and ending with a letter or digit',
      'cluster.gpuNodeGroups[2].name: must be unique: another GPU node group has this name',
      'cluster.gpuNodeGroups[2].instanceTypes[1]: is listed twice',
      'cluster.gpuNodeGroups[3].name: is reserved for the system node group',
    ]);
  });

  test('fails when team names are not DNS-1123 labels, duplicated or reserved namespaces', () => {
    const e = errorOf({ teams: [
      { name: 'Vision' }, { name: 'nlp_team' }, { name: '-x' }, { name: 'a'.repeat(64) }, { name: 'nlp' }, { name: 'nlp' }, { name: 'kube-system' }, { name: 'default' },
    ] });
    expect(e.problems.map((p) => `${p.property} ${p.value}`)).toEqual([
      'cluster.teams[0].name "Vision"', 'cluster.teams[1].name "nlp_team"', 'cluster.teams[2].name "-x"', `cluster.teams[3].name "${'a'.repeat(64)}"`,
      'cluster.teams[5].name "nlp"', 'cluster.teams[6].name "kube-system"', 'cluster.teams[7].name "default"',
    ]);
    expect(e.message).toMatch(/teams\[0\]\.name \("Vision"\): must be a DNS-1123 label: 1-63 lowercase letters, digits or hyphens/);
    expect(e.message).toMatch(/teams\[5\]\.name \("nlp"\): must be unique/);
    expect(e.message).toMatch(/teams\[6\]\.name \("kube-system"\): names the team's namespace and must not be "default" or start with "kube-"/);
  });

  test('fails when a team names a zone the lakehouse does not have or a bad artifact prefix', () => {
    const e = errorOf({ teams: [{ name: 'vision', readZones: ['gold' as LakehouseZone], writeZones: [LakehouseZone.RAW, 'bronze' as LakehouseZone],
      artifactPrefixes: ['models/churn/', 'models/*', '/abs/', 'no-slash'] }] });
    expect(e.problems.map((p) => `${p.property} ${p.value}`)).toEqual([
      'cluster.teams[0].readZones[0] "gold"', 'cluster.teams[0].writeZones[1] "bronze"',
      'cluster.teams[0].artifactPrefixes[1] "models/*"', 'cluster.teams[0].artifactPrefixes[2] "/abs/"', 'cluster.teams[0].artifactPrefixes[3] "no-slash"',
    ]);
    expect(e.message).toMatch(/readZones\[0\] \("gold"\): is not a zone of lakehouse Test\/Lake; allowed: raw, curated, analytics/);
    expect(errorOf({ teams: [{ name: 'x', artifactPrefixes: [] }] }).message).toMatch(/artifactPrefixes \(\[\]\): must list at least one prefix/);
  });

  test('fails when the cluster name or Kubernetes version is not allowed', () => {
    const e = errorOf({ clusterName: '-bad name', kubernetesVersion: eks.KubernetesVersion.V1_29 });
    expect(e.message).toMatch(/cluster\.clusterName \("-bad name"\): must be 1-100 letters, digits, hyphens or underscores/);
    expect(e.message).toMatch(/cluster\.kubernetesVersion \("1\.29"\): must be "1\.<minor>" with minor 30 or newer/);
    expect(errorOf({ kubernetesVersion: eks.KubernetesVersion.of('latest') }).message).toMatch(/kubernetesVersion \("latest"\)/);
  });

  test('fails when the VPC has private subnets in one AZ only, or none', () => {
    const oneAz = new ec2.Vpc(stack, 'OneAz', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    expect(errorOf({}, oneAz).message).toMatch(/vpc \("private subnets in 1 Availability Zone"\): EKS needs subnets in at least two Availability Zones/);
    const publicOnly = new ec2.Vpc(stack, 'PublicOnly', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PUBLIC }] });
    expect(errorOf({}, publicOnly).message).toMatch(/vpc \("Test\/PublicOnly"\): must have private subnets \(isolated or with egress\)/);
  });

  test('reports every problem in one error', () => {
    const e = errorOf({ clusterName: '_', ...gpu({ minSize: 3, maxSize: 1 }), teams: [{ name: 'Bad' }] });
    expect(e.problems).toHaveLength(3);
    expect(e.constructPath).toMatch(/^Test\/Case\d+\/Engine$/);
  });

  test('validateClusterOptions works on its own, for callers that collect problems first', () => {
    const v = new Validator(stack);
    validateClusterOptions(v, { teams: [{ name: 'ok', readZones: ['gold' as LakehouseZone] }] }, 'props.cluster');
    expect(() => v.throwIfAny()).toThrow(/props\.cluster\.teams\[0\]\.readZones\[0\] \("gold"\): is not a zone of a lakehouse; allowed: raw, curated, analytics/);
  });
});

describe('ClusterEngine validation (property-based)', () => {
  type Case = { options: ClusterEngineOptions; property: RegExp };
  const families = Object.keys(GPU_INSTANCE_SIZES);
  const notDnsLabel = fc.oneof(
    fc.stringMatching(/^[a-z0-9-]{1,20}$/).filter((s) => s.startsWith('-') || s.endsWith('-')),
    fc.stringMatching(/^[a-z0-9]{0,5}[A-Z_.][a-z0-9]{0,5}$/),
    fc.stringMatching(/^[a-z]{64,80}$/),
    fc.constant(''),
  );
  const unknownGpuType = fc.oneof(
    fc.stringMatching(/^[a-z][a-z0-9]{1,4}\.[0-9]{0,2}x?large$/).filter((s) => !GPU_INSTANCE_SIZES[s.split('.')[0]]?.includes(s.split('.')[1])),
    fc.tuple(fc.constantFrom(...families), fc.constantFrom('nano', 'micro', 'large', '3xlarge', '64xlarge'))
      .map(([f, size]) => `${f}.${size}`).filter((s) => !GPU_INSTANCE_SIZES[s.split('.')[0]].includes(s.split('.')[1])),
    fc.constantFrom(...SYSTEM_INSTANCE_FAMILIES).map((f) => `${f}.xlarge`),
  );
  const cases: fc.Arbitrary<Case> = fc.oneof(
    unknownGpuType.map((t) => ({ options: gpu({ instanceTypes: [type(t)] }), property: /^cluster\.gpuNodeGroups\[0\]\.instanceTypes\[0\]$/ })),
    fc.stringMatching(/^[a-z][a-z0-9]{0,4}\.[a-z0-9]{1,8}$/).filter((t) => !SYSTEM_INSTANCE_FAMILIES.includes(t.split('.')[0]) || t.split('.')[1] === 'medium')
      .map((t) => ({ options: { systemNodes: { instanceType: type(t) } }, property: /^cluster\.systemNodes\.instanceType$/ })),
    fc.tuple(fc.integer({ min: 1, max: 450 }), fc.integer({ min: 1, max: 450 })).filter(([min, max]) => min > max)
      .map(([minSize, maxSize]) => ({ options: gpu({ minSize, maxSize }), property: /^cluster\.gpuNodeGroups\[0\]\.minSize$/ })),
    fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 450 }))
      .filter(([min, max, desired]) => min <= max && (desired < min || desired > max))
      .map(([minSize, maxSize, desiredSize]) => ({ options: gpu({ minSize, maxSize, desiredSize }), property: /^cluster\.gpuNodeGroups\[0\]\.desiredSize$/ })),
    fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 451 }), fc.double({ min: 1.01, max: 449.99, noInteger: true }))
      .map((maxSize) => ({ options: gpu({ maxSize }), property: /^cluster\.gpuNodeGroups\[0\]\.maxSize$/ })),
    notDnsLabel.map((name) => ({ options: { teams: [{ name }] }, property: /^cluster\.teams\[0\]\.name$/ })),
    notDnsLabel.map((name) => ({ options: gpu({ name }), property: /^cluster\.gpuNodeGroups\[0\]\.name$/ })),
    fc.stringMatching(/^[a-z]{2,10}$/).filter((z) => !['raw', 'curated', 'analytics'].includes(z))
      .map((z) => ({ options: { teams: [{ name: 'team', writeZones: [z as LakehouseZone] }] }, property: /^cluster\.teams\[0\]\.writeZones\[0\]$/ })),
  );

  test('random bad options always give a ValidationError naming the property, never a crash or a template', () => {
    fc.assert(fc.property(cases, ({ options, property }) => {
      const e = errorOf(options);
      expect(e.problems.some((p) => property.test(p.property))).toBe(true);
      expect(e.constructPath).toMatch(/^Test\/Case\d+\/Engine$/);
    }), { numRuns: 100 });
  });
});
