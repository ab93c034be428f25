import { App } from 'aws-cdk-lib';
import { buildTrainingExample } from '../../examples/training';
import { Template } from 'aws-cdk-lib/assertions';
import { TRAINING_DEFAULTS, TrainingCluster } from '../../lib/training';
import { normalizedTemplate, testApp, testStack } from '../helpers/app';
import { documentedDefaults } from '../helpers/docs';
import { stateMachineDefinition } from '../helpers/etl';
import { managedOptions, trainingInputs } from './helpers-training';

function trainingStack(nag: boolean) {
  const stack = testStack({ nag });
  const { lakehouse, registry } = trainingInputs(stack);
  new TrainingCluster(stack, 'Training', { lakehouse, registry, model: 'churn', managed: managedOptions(), schedule: 'cron(0 4 ? * SUN *)' });
  return stack;
}

describe('TrainingCluster (managed) cdk-nag AwsSolutions', () => {
  test('zero unacknowledged findings', () => {
    const stack = trainingStack(true);
    expect(() => (stack.node.root as App).synth()).not.toThrow();
  });
});

describe('TrainingCluster (managed) snapshot', () => {
  test('defaults, normalized', () => {
    expect(normalizedTemplate(trainingStack(false))).toMatchSnapshot();
  });
});

describe('TrainingCluster documented defaults are the ones used', () => {
  const DOCS = documentedDefaults('lib/training/training-cluster-props.ts');

  test('the docs state the values in TRAINING_DEFAULTS', () => {
    expect(DOCS.get('TrainingClusterProps.engine')).toBe('TrainingEngine.MANAGED');
    expect(DOCS.get('ProcessingStepOptions.instanceType')).toBe(`'${TRAINING_DEFAULTS.instanceType}'`);
    expect(DOCS.get('ProcessingStepOptions.instanceCount')).toBe(String(TRAINING_DEFAULTS.instanceCount));
    expect(DOCS.get('ProcessingStepOptions.volumeSize')).toBe(`${TRAINING_DEFAULTS.processingVolume.toGibibytes()} GiB`);
    expect(DOCS.get('ProcessingStepOptions.maxRuntime')).toBe(`${TRAINING_DEFAULTS.processingMaxRuntime.toHours()} hour`);
    expect(DOCS.get('TrainingStepOptions.instanceType')).toBe(`'${TRAINING_DEFAULTS.instanceType}'`);
    expect(DOCS.get('TrainingStepOptions.volumeSize')).toBe(`${TRAINING_DEFAULTS.trainingVolume.toGibibytes()} GiB`);
    expect(DOCS.get('TrainingStepOptions.maxRuntime')).toBe(`${TRAINING_DEFAULTS.trainingMaxRuntime.toHours()} hours`);
    expect(DOCS.get('TrainingStepOptions.spot')).toBe(String(TRAINING_DEFAULTS.spot));
    expect(DOCS.get('TrainingStepOptions.maxWait')).toBe(TRAINING_DEFAULTS.maxWaitFactor === 2 ? 'twice maxRuntime' : 'unexpected');
    expect(DOCS.get('EvaluationOptions.goal')).toBe('MetricGoal.MAXIMIZE');
    expect(DOCS.get('ManagedTrainingOptions.runTimeout')).toBe(`${TRAINING_DEFAULTS.runTimeout.toHours()} hours`);
    expect(DOCS.get('TrainingClusterProps.vpc')).toMatch(new RegExp(`private isolated subnets in ${TRAINING_DEFAULTS.maxAzs === 2 ? 'two' : 'n'} AZs`));
  });

  test('a cluster with only required props synthesizes exactly those defaults', () => {
    const t = Template.fromStack(trainingStack(false));
    const states = stateMachineDefinition(t).States as Record<string, { Parameters: Record<string, Record<string, unknown>> }>;
    expect(states.Train.Parameters.ResourceConfig).toMatchObject({
      InstanceType: TRAINING_DEFAULTS.instanceType, InstanceCount: TRAINING_DEFAULTS.instanceCount, VolumeSizeInGB: TRAINING_DEFAULTS.trainingVolume.toGibibytes(),
    });
    expect(states.Train.Parameters.StoppingCondition).toEqual({
      MaxRuntimeInSeconds: TRAINING_DEFAULTS.trainingMaxRuntime.toSeconds(),
      MaxWaitTimeInSeconds: TRAINING_DEFAULTS.trainingMaxRuntime.toSeconds() * TRAINING_DEFAULTS.maxWaitFactor,
    });
    expect(states.Train.Parameters.EnableManagedSpotTraining).toBe(TRAINING_DEFAULTS.spot);
    expect(states.Prepare.Parameters.ProcessingResources).toEqual({ ClusterConfig: expect.objectContaining({
      InstanceType: TRAINING_DEFAULTS.instanceType, VolumeSizeInGB: TRAINING_DEFAULTS.processingVolume.toGibibytes(),
    }) });
    expect(states.Prepare.Parameters.StoppingCondition).toEqual({ MaxRuntimeInSeconds: TRAINING_DEFAULTS.processingMaxRuntime.toSeconds() });
    expect(JSON.stringify(states.Export.Parameters)).toMatch(/FROM \\"[a-z0-9_]*curated\\"\.\\"samples\\"/); // TRAINING_DEFAULTS.sourceZone
    expect(stateMachineDefinition(t).TimeoutSeconds).toBe(TRAINING_DEFAULTS.runTimeout.toSeconds());
    t.resourceCountIs('AWS::EC2::Subnet', TRAINING_DEFAULTS.maxAzs);
  });
});

describe('examples/training.ts', () => {
  // Validated and nag-checked with every example in test/app.test.ts; here, what it builds.
  test('trains on two spot GPU instances with encrypted inter-container traffic', () => {
    const stack = buildTrainingExample(testApp());
    const states = Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine');
    expect(Object.keys(states)).toHaveLength(2); // the curation pipeline and the retraining workflow
    const def = stateMachineDefinition(Template.fromStack(stack), /TrainingWorkflow/);
    const train = (def.States as Record<string, { Parameters: Record<string, unknown> }>).Train.Parameters;
    expect(train).toMatchObject({ EnableInterContainerTrafficEncryption: true, ResourceConfig: { InstanceType: 'ml.g5.2xlarge', InstanceCount: 2, VolumeSizeInGB: 100 } });
    expect(train.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 3 * 3600, MaxWaitTimeInSeconds: 9 * 3600 });
  });
});
