import * as fs from 'fs';
import { Duration, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Validator } from '../../core/errors';
import { scheduleProblem } from '../../core/schedule';
import { MlInstanceType } from '../../core/ml-instance-type';
import { sagemakerInstanceTypeProblem } from '../instance-types';
import { TrainingImage } from '../training-image';
import {
  EvaluationOptions, ManagedTrainingOptions, ProcessingStepOptions, TRAINING_DEFAULTS, TrainingClusterProps, TrainingEngine,
} from '../training-cluster-props';

/** Metrics that are fractions, so their thresholds must lie in [0, 1]. */
const FRACTION_METRICS = ['accuracy', 'auc', 'roc_auc', 'pr_auc', 'f1', 'f1_score', 'precision', 'recall', 'balanced_accuracy'];
const METRIC_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
const MAX_TRAINING_S = 28 * 24 * 3600;

function seconds(d: Duration | undefined): number | undefined {
  return d === undefined || d.isUnresolved() ? undefined : d.toSeconds({ integral: false });
}

function checkInstance(v: Validator, type: MlInstanceType | string | undefined, property: string): void {
  if (type === undefined) return;
  if (typeof type !== 'string' && !v.isInstance(type, MlInstanceType, property, 'MlInstanceType.M5_XLARGE or MlInstanceType.of("ml.m5.xlarge")')) return;
  const name = MlInstanceType.from(type).name;
  if (Token.isUnresolved(name)) return;
  const p = sagemakerInstanceTypeProblem(name);
  v.check(p === undefined, property, name, p ?? '');
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

function checkManaged(v: Validator, scope: IConstruct, props: TrainingClusterProps, o: ManagedTrainingOptions): void {
  const zone = o.source?.zone ?? TRAINING_DEFAULTS.sourceZone;
  if (v.check(props.lakehouse.hasZone(zone), 'managed.source.zone', zone, `is not a zone of lakehouse ${props.lakehouse.node.path}`)) {
    v.check(props.lakehouse.findTable(zone, o.source?.table) !== undefined, 'managed.source.table', o.source?.table,
      `is not a table declared in the ${zone} zone of lakehouse ${props.lakehouse.node.path}`);
  }
  const image = o.image ?? TrainingImage.xgboost();
  for (const [property, img] of [['managed.image', image], ['managed.inferenceImage', o.inferenceImage]] as const) {
    const p = img?.problem(scope);
    if (img && p) v.fail(property, img.tag, p);
  }
  checkDataContract(v, props, o, image);
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
  if (image.isBuiltInXgboost && t.hyperparameters && 'num_round' in t.hyperparameters) {
    // XGBoost hyperparameters (SageMaker developer guide): num_round is required, a positive integer.
    v.matches(t.hyperparameters.num_round, /^[1-9][0-9]*$/, 'managed.training.hyperparameters.num_round', 'must be a positive integer (required by the built-in XGBoost algorithm)');
  }
  const rt = seconds(o.runTimeout);
  if (rt !== undefined) v.check(rt >= 300 && rt <= 7 * 24 * 3600, 'managed.runTimeout', o.runTimeout, 'must be between 5 minutes and 7 days');
}

/** Column types a built-in XGBoost CSV can carry as numbers (Hive notation, lib/lakehouse/column-type.ts). */
const NUMERIC_TYPE = /^(tinyint|smallint|int|integer|bigint|float|double|decimal\(\d+,\d+\))$/;
const COLUMN_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * The model's data contract: features, label and sample id are distinct columns of the source
 * table; with the built-in XGBoost image, features and label are numeric (it reads CSV numbers).
 */
function checkDataContract(v: Validator, props: TrainingClusterProps, o: ManagedTrainingOptions, image: TrainingImage): void {
  const zone = o.source?.zone ?? TRAINING_DEFAULTS.sourceZone;
  const table = props.lakehouse.hasZone(zone) ? props.lakehouse.findTable(zone, o.source?.table) : undefined;
  const columns = new Map((table?.columns ?? []).map((c) => [c.name, c.type.typeString.trim().toLowerCase()]));
  const where = table ? `the columns of ${zone}.${table.tableName} (${[...columns.keys()].join(', ')})` : undefined;
  const column = (name: unknown, property: string, numeric: boolean): void => {
    if (!v.check(typeof name === 'string' && COLUMN_NAME.test(name), property, name, 'must be a column name (lower-case letters, digits and "_")')) return;
    if (!where) return; // the unknown table is reported once, as managed.source.table
    const type = columns.get(name as string);
    if (!v.check(type !== undefined, property, name, `must be one of ${where}`)) return;
    if (numeric && image.isBuiltInXgboost) {
      v.check(NUMERIC_TYPE.test(type!), property, name, `has type ${type}; the built-in XGBoost image needs a numeric column (tinyint, smallint, int, bigint, float, double or decimal)`);
    }
  };
  const features = o.features ?? [];
  if (v.check(Array.isArray(o.features) && features.length >= 1, 'managed.features', o.features, 'must list at least one feature column')) {
    features.forEach((f, i) => column(f, `managed.features[${i}]`, true));
    const dupes = features.filter((f, i) => features.indexOf(f) !== i);
    v.check(dupes.length === 0, 'managed.features', features, `must not repeat a column (${[...new Set(dupes)].join(', ')})`);
    // The registered version records the list in its metadata, whose values hold at most 256 characters.
    v.check(features.join(' ').length <= 256, 'managed.features', `${features.length} features, ${features.join(' ').length} characters`,
      'must join (space-separated) to at most 256 characters: the model package records them in its metadata');
  }
  // Categorical features are features (the baseline bins them by category): the same list, no repeats.
  const categorical = o.categoricalFeatures ?? [];
  if (v.check(Array.isArray(categorical), 'managed.categoricalFeatures', o.categoricalFeatures, 'must be a list of feature names')) {
    categorical.forEach((c, i) => v.check(features.includes(c), `managed.categoricalFeatures[${i}]`, c,
      `must be one of managed.features (${features.join(', ')})`));
    const repeated = categorical.filter((c, i) => categorical.indexOf(c) !== i);
    v.check(repeated.length === 0, 'managed.categoricalFeatures', categorical, `must not repeat a feature (${[...new Set(repeated)].join(', ')})`);
  }
  column(o.label, 'managed.label', true);
  const sampleId = o.sampleId ?? TRAINING_DEFAULTS.sampleId;
  column(sampleId, 'managed.sampleId', false);
  v.check(!features.includes(o.label), 'managed.label', o.label, 'must not also be a feature');
  v.check(!features.includes(sampleId), 'managed.sampleId', sampleId, 'must not also be a feature');
  v.check(sampleId !== o.label, 'managed.sampleId', sampleId, 'must not be the label');
}

/** Validates TrainingCluster props, including the registry model and the engine options. */
export function validateTrainingProps(v: Validator, scope: IConstruct, props: TrainingClusterProps): void {
  v.check(props.registry.hasModel(props.model), 'model', props.model,
    `is not declared in registry ${props.registry.node.path}; declared: ${props.registry.models.join(', ') || 'none'}`);
  const engine = props.engine ?? TRAINING_DEFAULTS.engine;
  v.check(Object.values(TrainingEngine).includes(engine), 'engine', engine, `must be one of ${Object.values(TrainingEngine).join(', ')}`);
  if (engine === TrainingEngine.MANAGED) {
    if (v.check(props.managed !== undefined, 'managed', undefined, 'is required with the managed engine')) checkManaged(v, scope, props, props.managed!);
  }
  if (engine === TrainingEngine.CLUSTER) {
    v.check(props.cluster !== undefined, 'cluster', undefined, 'is required with the cluster engine');
    v.check(props.schedule === undefined, 'schedule', props.schedule, 'only applies to the managed engine (the cluster engine runs what teams schedule in Kubernetes)');
    v.check(props.jobNetwork === undefined || props.jobNetwork === 'vpc', 'jobNetwork', props.jobNetwork, 'only \'vpc\' applies to the cluster engine (its nodes run in the VPC)');
  }
  v.check(props.jobNetwork === undefined || props.jobNetwork === 'vpc' || props.jobNetwork === 'managed', 'jobNetwork', props.jobNetwork, 'must be \'vpc\' or \'managed\'');
  if (props.schedule !== undefined && !Token.isUnresolved(props.schedule)) {
    const p = scheduleProblem(props.schedule);
    v.check(p === undefined, 'schedule', props.schedule, p ?? '');
  }
}
