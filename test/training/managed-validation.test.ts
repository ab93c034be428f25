import { Duration, Size } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { Construct } from 'constructs';
import { ValidationError } from '../../lib';
import { SAGEMAKER_FAMILIES, TrainingCluster, TrainingClusterProps, TrainingEngine, TrainingImage, sagemakerInstanceTypeProblem } from '../../lib/training';
import { testStack } from '../helpers/app';
import { EVALUATE, PREPARE, managedOptions, trainingInputs } from './helpers-training';

type Extra = Omit<TrainingClusterProps, 'lakehouse' | 'registry'> ;

// One lakehouse and registry for every case; failing constructs add only empty nodes, nothing synthesizes.
const stack = testStack();
const { lakehouse, registry } = trainingInputs(stack);
let count = 0;

function errorOf(extra: Partial<Extra>): ValidationError {
  const scope = new Construct(stack, `Case${count++}`);
  try {
    new TrainingCluster(scope, 'Training', { lakehouse, registry, model: 'churn', managed: managedOptions(), ...extra });
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError, but the training cluster was created');
}

describe('TrainingCluster validation', () => {
  test('fails when an instance type is unknown', () => {
    const e = errorOf({ managed: managedOptions({ training: { instanceType: 'ml.x9.huge' }, prepare: { script: PREPARE, instanceType: 'm5.xlarge' } }) });
    expect(e.message).toMatch(/managed\.prepare\.instanceType \("m5\.xlarge"\): must look like ml\.<family>\.<size>/);
    expect(e.message).toMatch(/managed\.training\.instanceType \("ml\.x9\.huge"\): has an unknown family "x9"; allowed: m5, /);
  });

  test('fails when the spot max wait is shorter than the max runtime', () => {
    expect(errorOf({ managed: managedOptions({ training: { maxRuntime: Duration.hours(6), maxWait: Duration.hours(2) } }) }).message)
      .toMatch(/managed\.training\.maxWait \(2 hours\): must be at least maxRuntime \(6 hours\)/);
  });

  test('fails when categoricalFeatures names a column that is not a feature, or repeats one', () => {
    const e = errorOf({ managed: managedOptions({ categoricalFeatures: ['plan', 'tenure', 'tenure'] }) });
    expect(e.message).toMatch(/managed\.categoricalFeatures\[0\] \("plan"\): must be one of managed\.features \(tenure, monthly_charges\)/);
    expect(e.message).toMatch(/managed\.categoricalFeatures \(\["plan","tenure","tenure"\]\): must not repeat a feature \(tenure\)/);
  });

  test('fails when a max wait is given without spot', () => {
    expect(errorOf({ managed: managedOptions({ training: { spot: false, maxWait: Duration.hours(9) } }) }).message)
      .toMatch(/managed\.training\.maxWait \(9 hours\): only applies to spot training/);
  });

  test('fails when the threshold of a fraction metric is outside 0-1, or not finite', () => {
    expect(errorOf({ managed: managedOptions({ evaluate: { script: EVALUATE, metric: 'auc', threshold: 80 } }) }).message)
      .toMatch(/managed\.evaluate\.threshold \(80\): must be between 0 and 1 for auc/);
    expect(errorOf({ managed: managedOptions({ evaluate: { script: EVALUATE, metric: 'rmse', threshold: Number.NaN } }) }).message)
      .toMatch(/managed\.evaluate\.threshold \(NaN\): must be a finite number/);
  });

  test('fails when the model is not in the registry, the source table is unknown or the schedule is invalid', () => {
    const e = errorOf({ model: 'fraud', schedule: 'rate(0 days)', managed: managedOptions({ source: { table: 'nope' } }) });
    expect(e.problems.map((p) => p.property)).toEqual(['model', 'managed.source.table', 'schedule']);
    expect(e.message).toMatch(/model \("fraud"\): is not declared in registry Test\/Registry; declared: churn/);
  });

  test('fails when counts, volumes, image tags or the metric name are invalid', () => {
    const e = errorOf({ managed: managedOptions({
      image: TrainingImage.fromRegistry('-bad'), training: { instanceCount: 0, volumeSize: Size.gibibytes(20000) },
      evaluate: { script: 'missing.py', metric: '1auc', threshold: 0.5 },
    }) });
    expect(e.problems.map((p) => p.property)).toEqual([
      'managed.image', 'managed.evaluate.script', 'managed.evaluate.metric', 'managed.training.instanceCount', 'managed.training.volumeSize',
    ]);
  });

  test('fails when the engine options are missing', () => {
    expect(errorOf({ managed: undefined }).message).toMatch(/managed \(undefined\): is required with the managed engine/);
    expect(errorOf({ engine: TrainingEngine.CLUSTER, managed: undefined }).message).toMatch(/cluster \(undefined\): is required with the cluster engine/);
  });
});

describe('TrainingCluster validation (property-based)', () => {
  const badInstance = fc.oneof(
    fc.stringMatching(/^ml\.[a-z]{1,3}[0-9]{0,2}\.xlarge$/).filter((t) => !SAGEMAKER_FAMILIES.includes(t.split('.')[1])),
    fc.stringMatching(/^[a-z0-9]{1,6}\.[a-z0-9]{1,6}$/),
    fc.constantFrom('ml.m5.huge', 'ml.m5', 'ML.M5.XLARGE', 'ml.p4d.24xlarge.extra'),
  );
  const cases = fc.oneof(
    badInstance.map((t) => ({ extra: { managed: managedOptions({ training: { instanceType: t } }) }, property: /^managed\.training\.instanceType$/ })),
    badInstance.map((t) => ({ extra: { managed: managedOptions({ evaluate: { script: EVALUATE, metric: 'auc', threshold: 0.5, instanceType: t } }) }, property: /^managed\.evaluate\.instanceType$/ })),
    fc.tuple(fc.integer({ min: 2, max: 48 }), fc.integer({ min: 1, max: 100 })).map(([h, pct]) => ({
      extra: { managed: managedOptions({ training: { maxRuntime: Duration.hours(h), maxWait: Duration.minutes(Math.floor(h * 60 * pct / 101)) } }) },
      property: /^managed\.training\.maxWait$/,
    })),
    fc.oneof(fc.double({ min: 1.0001, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: -0.0001, noNaN: true }))
      .map((th) => ({ extra: { managed: managedOptions({ evaluate: { script: EVALUATE, metric: 'accuracy', threshold: th } }) }, property: /^managed\.evaluate\.threshold$/ })),
    fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 101, max: 100000 }))
      .map((n) => ({ extra: { managed: managedOptions({ training: { instanceCount: n } }) }, property: /^managed\.training\.instanceCount$/ })),
  );

  test('random bad props always give a ValidationError naming the property, never a crash or a template', () => {
    fc.assert(fc.property(cases, ({ extra, property }) => {
      const e = errorOf(extra as Partial<Extra>);
      expect(e.problems.some((p) => property.test(p.property))).toBe(true);
    }), { numRuns: 120 });
  });

  test('instance-type check never throws and accepts every family with a known size', () => {
    for (const f of SAGEMAKER_FAMILIES) expect(sagemakerInstanceTypeProblem(`ml.${f}.2xlarge`)).toBeUndefined();
    fc.assert(fc.property(fc.string({ maxLength: 30 }), (s) => {
      const p = sagemakerInstanceTypeProblem(s);
      expect(p === undefined || typeof p === 'string').toBe(true);
    }));
  });
});
