import { WorkloadDeclaration } from '../../lib/kubernetes/spec';

/** A two-team environment: a GPU team that serves a GPU model, a CPU team that serves a CPU model. */
export function twoTeams(overrides: Partial<WorkloadDeclaration> = {}): WorkloadDeclaration {
  return {
    project: 'acme',
    environment: 'prod',
    vpcCidr: '10.80.0.0/16',
    artifactBucket: 'acme-prod-model-artifacts',
    teams: [
      { name: 'vision', quota: { cpu: '64', memory: '512Gi', gpu: 8 }, containerLimits: { maxGpuPerContainer: 4 }, developersGroup: 'vision-developers' },
      { name: 'forecasting', quota: { cpu: '16', memory: '64Gi' } },
    ],
    models: [
      { name: 'defect-detector', team: 'vision', modelFormat: 'pytorch', artifact: 'v3/', minReplicas: 2, maxReplicas: 4, resources: { cpu: '4', memory: '16Gi', gpu: 1 } },
      { name: 'demand', team: 'forecasting', modelFormat: 'xgboost', artifact: 'v12/model.bst' },
    ],
    ...overrides,
  };
}
