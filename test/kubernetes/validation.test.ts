import * as fc from 'fast-check';
import { ValidationError } from '../../lib/core';
import { WorkloadDeclaration, kubernetesWorkloads, validateWorkloadDeclaration } from '../../lib/kubernetes/spec';
import { twoTeams } from './fixtures';

/** The one ValidationError a declaration gives, or a test failure. */
function problemsOf(decl: WorkloadDeclaration): ValidationError['problems'] {
  try {
    kubernetesWorkloads(decl);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).problems;
  }
  throw new Error('expected a ValidationError');
}
const withTeam = (patch: object, i = 0) => twoTeams({ teams: twoTeams().teams.map((t, j) => (j === i ? { ...t, ...patch } : t)) });
const withModel = (patch: object, i = 0) => twoTeams({ models: twoTeams().models!.map((m, j) => (j === i ? { ...m, ...patch } : m)) });

describe('workload declaration validation', () => {
  test('accepts the two-team fixture', () => {
    expect(() => validateWorkloadDeclaration(twoTeams())).not.toThrow();
  });

  test('fails when a team name is not a DNS label', () => {
    expect(() => kubernetesWorkloads(withTeam({ name: 'Vision_Team' }))).toThrow(/teams\[0\]\.name \("Vision_Team"\): must be a DNS-1123 label/);
    expect(() => kubernetesWorkloads(withTeam({ name: 'kube-ops' }))).toThrow(/teams\[0\]\.name \("kube-ops"\): must not be `default` or start with `kube-`/);
    expect(() => kubernetesWorkloads(withTeam({ name: 'a'.repeat(64) }))).toThrow(/must be at most 63 characters/);
  });

  test('fails when two teams share a name', () => {
    expect(() => kubernetesWorkloads(withTeam({ name: 'vision' }, 1))).toThrow(/teams\[1\]\.name \("vision"\): must be unique/);
  });

  test('fails when a quota is below the limit range default', () => {
    expect(() => kubernetesWorkloads(withTeam({ quota: { cpu: '500m', memory: '1Gi' } }, 1)))
      .toThrow(/teams\[1\]\.quota\.cpu \("500m"\): must be at least the limit range's default limit \(1\)/);
    const p = problemsOf(withTeam({ quota: { cpu: '500m', memory: '1Gi' } }, 1));
    expect(p.map((x) => x.property)).toEqual(expect.arrayContaining(['teams[1].quota.cpu', 'teams[1].quota.memory']));
  });

  test('fails when default requests exceed default limits, or a quantity is malformed', () => {
    expect(() => kubernetesWorkloads(withTeam({ containerLimits: { defaultRequests: { cpu: '2', memory: '512Mi' } } }, 1)))
      .toThrow(/defaultRequests\.cpu \("2"\): must not exceed the default limit \(1\)/);
    expect(() => kubernetesWorkloads(withTeam({ quota: { cpu: 'lots', memory: '64Gi' } }, 1))).toThrow(/teams\[1\]\.quota\.cpu \("lots"\): must be a positive Kubernetes quantity/);
  });

  test('fails when GPUs per container exceed the GPU quota', () => {
    expect(() => kubernetesWorkloads(withTeam({ containerLimits: { maxGpuPerContainer: 16 } })))
      .toThrow(/teams\[0\]\.containerLimits\.maxGpuPerContainer \(16\): must not exceed the team's GPU quota \(8\)/);
  });

  test('fails when a served model requests more GPUs than the team quota', () => {
    expect(() => kubernetesWorkloads(withModel({ maxReplicas: 10 })))
      .toThrow(/models\[0\]\.resources\.gpu \(1\): times maxReplicas plus the rollout surge \(10 \+ 1\) must fit in team vision's nvidia.com\/gpu quota \(8\)/);
    expect(() => kubernetesWorkloads(withModel({ resources: { cpu: '1', memory: '1Gi', gpu: 1 } }, 1)))
      .toThrow(/models\[1\]\.resources\.gpu \(1\): times maxReplicas plus the rollout surge \(3 \+ 1\) must fit in team forecasting's nvidia.com\/gpu quota \(0\)/);
    expect(() => kubernetesWorkloads(withModel({ resources: { cpu: '1', memory: '1Gi', gpu: 6 }, maxReplicas: 1 })))
      .toThrow(/models\[0\]\.resources\.gpu \(6\): must not exceed team vision's GPUs per container \(4\)/);
  });

  test('fails when a team\'s models together need more than its quota at maxReplicas', () => {
    // (4 + 1) + (2 + 1) pods of 1 GPU: 8 fit; (4 + 1) + (3 + 1) do not.
    const second = { name: 'segmenter', team: 'vision', modelFormat: 'pytorch', artifact: 'v1/', maxReplicas: 2, resources: { cpu: '4', memory: '16Gi', gpu: 1 } };
    expect(() => kubernetesWorkloads(twoTeams({ models: [...twoTeams().models!, second] }))).not.toThrow();
    expect(() => kubernetesWorkloads(twoTeams({ models: [...twoTeams().models!, { ...second, maxReplicas: 3 }] })))
      .toThrow(/teams\[0\]\.quota\.gpu \(8\): must hold the models team vision serves at maxReplicas plus the rollout surge \(9 GPUs\)/);
  });

  test('fails when two models share a name, or name an unknown team', () => {
    expect(() => kubernetesWorkloads(withModel({ name: 'defect-detector' }, 1))).toThrow(/models\[1\]\.name \("defect-detector"\): must be unique/);
    expect(() => kubernetesWorkloads(withModel({ team: 'nlp' }))).toThrow(/models\[0\]\.team \("nlp"\): must be one of the declared teams \(vision, forecasting\)/);
  });

  test('fails on replicas, artifact keys, formats, CIDRs and buckets, listing every problem at once', () => {
    const p = problemsOf({
      ...withModel({ minReplicas: 5, maxReplicas: 2, artifact: '/../etc', modelFormat: 'Py Torch' }),
      vpcCidr: '10.0.0.0/33', artifactBucket: 'Bad_Bucket', environment: 'PROD',
    });
    expect(p.map((x) => x.property)).toEqual(['environment', 'vpcCidr', 'artifactBucket', 'models[0].modelFormat', 'models[0].artifact', 'models[0].minReplicas']);
    expect(p.find((x) => x.property === 'models[0].minReplicas')).toEqual({ property: 'models[0].minReplicas', value: '5', allowed: 'must not exceed maxReplicas (2)' });
  });

  test('fails when there is no team', () => {
    expect(() => kubernetesWorkloads(twoTeams({ teams: [], models: [] }))).toThrow(/teams \(\[\]\): must declare at least one team/);
  });

  // Property-based: random bad input always gives a ValidationError naming the property, never a crash or manifests.
  const junk = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constant(null), fc.constant(undefined), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }));
  test('random bad team names, quotas and GPU counts give a ValidationError naming the property', () => {
    const badName = fc.string().filter((s) => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s) || s.length > 63 || s === 'default' || s.startsWith('kube-'));
    fc.assert(fc.property(fc.oneof(badName, junk.filter((j) => typeof j !== 'string')), (name) => {
      expect(problemsOf(withTeam({ name })).some((x) => x.property === 'teams[0].name')).toBe(true);
    }));
    fc.assert(fc.property(junk.filter((j) => typeof j !== 'string' || !/^\d/.test(j)), (cpu) => {
      expect(problemsOf(withTeam({ quota: { cpu, memory: '64Gi' } }, 1)).some((x) => x.property === 'teams[1].quota.cpu')).toBe(true);
    }));
    fc.assert(fc.property(fc.oneof(fc.integer({ min: 9, max: 1 << 30 }), fc.integer({ max: -1 }), fc.double({ noInteger: true })), (gpu) => {
      expect(problemsOf(withTeam({ containerLimits: { maxGpuPerContainer: gpu } })).some((x) => x.property === 'teams[0].containerLimits.maxGpuPerContainer')).toBe(true);
    }));
  });

  test('random junk anywhere in the declaration never crashes: a ValidationError or valid manifests', () => {
    const keys = ['project', 'environment', 'vpcCidr', 'artifactBucket', 'teams', 'models', 'training', 'httpsEgressCidrs'] as const;
    fc.assert(fc.property(fc.constantFrom(...keys), junk, (key, value) => {
      const decl = { ...twoTeams(), [key]: value } as WorkloadDeclaration;
      try {
        kubernetesWorkloads(decl);
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        expect((e as ValidationError).problems.length).toBeGreaterThan(0);
      }
    }));
    fc.assert(fc.property(fc.constantFrom('name', 'team', 'modelFormat', 'artifact', 'minReplicas', 'maxReplicas', 'resources'), junk, (key, value) => {
      try {
        kubernetesWorkloads(withModel({ [key]: value }));
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        expect((e as ValidationError).problems.map((p) => p.property).join(' ')).toMatch(/models\[0\]|teams/);
      }
    }));
  });
});
