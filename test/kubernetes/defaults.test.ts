import { WORKLOAD_DEFAULTS, kubernetesWorkloads } from '../../lib/kubernetes/spec';
import { documentedDefaults } from '../helpers/docs';
import { twoTeams } from './fixtures';

// The @default of every optional declaration property names the value WORKLOAD_DEFAULTS holds, and the spec applies it.
describe('documented defaults of the workload declaration', () => {
  const docs = documentedDefaults('lib/kubernetes/spec/declaration.ts');
  const minimal = kubernetesWorkloads({ ...twoTeams(), models: [{ name: 'm', team: 'forecasting', modelFormat: 'sklearn', artifact: 'v1/' }], training: undefined });
  const find = (kind: string, ns?: string) => minimal.all.find((m) => m.kind === kind && m.metadata.namespace === ns)! as unknown as { spec: Record<string, never> };

  test.each([
    ['TeamQuota.pods', `${WORKLOAD_DEFAULTS.pods}`],
    ['TeamContainerLimits.defaultLimits', `{ cpu: '${WORKLOAD_DEFAULTS.defaultLimits.cpu}', memory: '${WORKLOAD_DEFAULTS.defaultLimits.memory}' }`],
    ['TeamContainerLimits.defaultRequests', `{ cpu: '${WORKLOAD_DEFAULTS.defaultRequests.cpu}', memory: '${WORKLOAD_DEFAULTS.defaultRequests.memory}' }`],
    ['ServingModelOptions.minReplicas', `${WORKLOAD_DEFAULTS.minReplicas}`],
    ['ServingModelOptions.maxReplicas', `${WORKLOAD_DEFAULTS.maxReplicas}`],
    ['ServingModelOptions.resources', `{ cpu: '${WORKLOAD_DEFAULTS.servingResources.cpu}', memory: '${WORKLOAD_DEFAULTS.servingResources.memory}', gpu: 0 }`],
    ['TrainingRuntimeOptions.image', WORKLOAD_DEFAULTS.trainingImage],
    ['TrainingRuntimeOptions.numNodes', `${WORKLOAD_DEFAULTS.numNodes}`],
  ])('%s is documented as %s', (prop, text) => {
    expect(docs.get(prop)).toBe(text);
  });

  test('the spec applies them', () => {
    expect(find('ResourceQuota', 'forecasting').spec.hard).toMatchObject({ pods: String(WORKLOAD_DEFAULTS.pods) });
    expect(find('InferenceService', 'forecasting').spec).toMatchObject({ predictor: {
      minReplicas: WORKLOAD_DEFAULTS.minReplicas, maxReplicas: WORKLOAD_DEFAULTS.maxReplicas,
      model: { resources: { limits: { cpu: WORKLOAD_DEFAULTS.servingResources.cpu, memory: WORKLOAD_DEFAULTS.servingResources.memory } } },
    } });
    expect(find('TrainingRuntime', 'forecasting').spec).toMatchObject({ mlPolicy: { numNodes: WORKLOAD_DEFAULTS.numNodes } });
    expect(JSON.stringify(find('TrainingRuntime', 'forecasting'))).toContain(WORKLOAD_DEFAULTS.trainingImage);
  });
});
