import * as fs from 'fs';
import { Duration, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import { Validator } from '../../core/errors';
import { scheduleProblem } from '../../core/schedule';
import { sagemakerInstanceTypeProblem } from '../instance-types';
import {
  EvaluationOptions, ManagedTrainingOptions, ProcessingStepOptions, TRAINING_DEFAULTS, TrainingClusterProps, TrainingEngine,
} from '../training-cluster-props';

/** Metrics that are fractions, so their thresholds must lie in [0, 1]. */
const FRACTION_METRICS = ['accuracy', 'auc', 'roc_auc', 'pr_auc', 'f1', 'f1_score', 'precision', 'recall', 'balanced_accuracy'];
const METRIC_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
const IMAGE_TAG = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}$/;
const MAX_TRAINING_S = 28 * 24 * 3600;

function seconds(d: Duration | undefined): number | undefined {
  return d === undefined || d.isUnresolved() ? undefined : d.toSeconds({ integral: false });
}

function checkInstance(v: Validator, type: string | undefined, property: string): void {
  if (type === undefined || Token.isUnresolved(type)) return;
  const p = sagemakerInstanceTypeProblem(type);
  v.check(p === undefined, property, type, p ?? '');
}

function checkCount(v: Validator, n: number | undefined, property: string): void {
  if (n === undefined || Token.isUnresolved(n)) return;
  v.check(Number.isInteger(n) && n >= 1 && n <= 100, property, n, 'must be an integer from 1 to 100');
}

function checkVolume(v: Validator, gib: number | undefined, property: string, value: unknown): void {
  if (gib === undefined) return;
  v.check(Number.isInteger(gib) && gib >= 1 && gib <= 16384, property, value, 'must be a whole number of GiB from 1 to 16384');
}

function checkStep(v: Validator, s: ProcessingStepOptions, path: string): void {
  v.check(typeof s.script === 'string' && fs.existsSync(s.script) && fs.statSync(s.script).isFile(), `${path}.script`, s.script,
    'must be the path of an existing Python script');
  checkInstance(v, s.instanceType, `${path}.instanceType`);
  checkCount(v, s.instanceCount, `${path}.instanceCount`);
  if (s.volumeSize && !s.volumeSize.isUnresolved()) checkVolume(v, s.volumeSize.toGibibytes({ rounding: SizeRoundingBehavior.NONE }), `${path}.volumeSize`, s.volumeSize);
  const rt = seconds(s.maxRuntime);
  if (rt !== undefined) v.check(rt >= 60 && rt <= 5 * 24 * 3600, `${path}.maxRuntime`, s.maxRuntime, 'must be between 1 minute and 5 days');
}

function checkEvaluation(v: Validator, e: EvaluationOptions): void {
  checkStep(v, e, 'managed.evaluate');
  v.matches(e.metric, METRIC_NAME, 'managed.evaluate.metric', 'must be 1-64 letters, digits or underscores, starting with a letter');
  if (!Token.isUnresolved(e.threshold)) {
    const finite = v.check(typeof e.threshold === 'number' && Number.isFinite(e.threshold), 'managed.evaluate.threshold', e.threshold, 'must be a finite number');
    if (finite && FRACTION_METRICS.includes(e.metric?.toLowerCase())) {
      v.check(e.threshold >= 0 && e.threshold <= 1, 'managed.evaluate.threshold', e.threshold,
        `must be between 0 and 1 for ${e.metric}, which is a fraction`);
    }
  }
}

function checkManaged(v: Validator, props: TrainingClusterProps, o: ManagedTrainingOptions): void {
  const zone = o.source?.zone ?? TRAINING_DEFAULTS.sourceZone;
  if (v.check(props.lakehouse.hasZone(zone), 'managed.source.zone', zone, `is not a zone of lakehouse ${props.lakehouse.node.path}`)) {
    v.check(props.lakehouse.findTable(zone, o.source?.table) !== undefined, 'managed.source.table', o.source?.table,
      `is not a table declared in the ${zone} zone of lakehouse ${props.lakehouse.node.path}`);
  }
  v.matches(o.imageTag, IMAGE_TAG, 'managed.imageTag', 'must be an ECR image tag (1-128 letters, digits, "_", "." or "-", not starting with "." or "-")');
  v.matches(o.inferenceImageTag, IMAGE_TAG, 'managed.inferenceImageTag', 'must be an ECR image tag');
  checkStep(v, o.prepare, 'managed.prepare');
  checkEvaluation(v, o.evaluate);
  const t = o.training ?? {};
  checkInstance(v, t.instanceType, 'managed.training.instanceType');
  checkCount(v, t.instanceCount, 'managed.training.instanceCount');
  if (t.volumeSize && !t.volumeSize.isUnresolved()) checkVolume(v, t.volumeSize.toGibibytes({ rounding: SizeRoundingBehavior.NONE }), 'managed.training.volumeSize', t.volumeSize);
  const runtime = seconds(t.maxRuntime) ?? TRAINING_DEFAULTS.trainingMaxRuntime.toSeconds();
  v.check(runtime >= 60 && runtime <= MAX_TRAINING_S, 'managed.training.maxRuntime', t.maxRuntime, 'must be between 1 minute and 28 days');
  const maxWait = seconds(t.maxWait);
  if (maxWait !== undefined) {
    v.check(t.spot !== false, 'managed.training.maxWait', t.maxWait, 'only applies to spot training (spot: true)');
    v.check(maxWait >= runtime, 'managed.training.maxWait', t.maxWait,
      `must be at least maxRuntime (${Duration.seconds(runtime).toHumanString()}): spot training waits for capacity and then trains`);
    v.check(maxWait <= MAX_TRAINING_S, 'managed.training.maxWait', t.maxWait, 'must be at most 28 days');
  }
  for (const [k, val] of Object.entries(t.hyperparameters ?? {})) {
    v.check(k.length <= 256 && val.length <= 2500, `managed.training.hyperparameters.${k}`, val, 'keys may have 256 and values 2500 characters at most');
  }
  const rt = seconds(o.runTimeout);
  if (rt !== undefined) v.check(rt >= 300 && rt <= 7 * 24 * 3600, 'managed.runTimeout', o.runTimeout, 'must be between 5 minutes and 7 days');
}

/** Validates TrainingCluster props, including the registry model and the engine options. */
export function validateTrainingProps(v: Validator, props: TrainingClusterProps): void {
  v.check(props.registry.hasModel(props.model), 'model', props.model,
    `is not declared in registry ${props.registry.node.path}; declared: ${props.registry.models.join(', ') || 'none'}`);
  const engine = props.engine ?? TRAINING_DEFAULTS.engine;
  v.check(Object.values(TrainingEngine).includes(engine), 'engine', engine, `must be one of ${Object.values(TrainingEngine).join(', ')}`);
  if (engine === TrainingEngine.MANAGED) {
    if (v.check(props.managed !== undefined, 'managed', undefined, 'is required with the managed engine')) checkManaged(v, props, props.managed!);
  }
  if (engine === TrainingEngine.CLUSTER) {
    v.check(props.cluster !== undefined, 'cluster', undefined, 'is required with the cluster engine');
    v.check(props.schedule === undefined, 'schedule', props.schedule, 'only applies to the managed engine (the cluster engine runs what teams schedule in Kubernetes)');
  }
  if (props.schedule !== undefined && !Token.isUnresolved(props.schedule)) {
    const p = scheduleProblem(props.schedule);
    v.check(p === undefined, 'schedule', props.schedule, p ?? '');
  }
}
