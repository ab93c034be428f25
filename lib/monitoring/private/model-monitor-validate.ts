import { Duration, Size, Token } from 'aws-cdk-lib';
import { Validator } from '../../core/errors';
import { MlInstanceType } from '../../core/ml-instance-type';
import {
  DataQualityMonitorOptions, MODEL_MONITOR_DEFAULTS, ModelMonitorProps, ModelQualityMetric, ModelQualityMonitorOptions,
  ModelQualityProblemType, MonitoringJobOptions,
} from '../model-monitor-props';
import { ANALYZER_REGISTRIES, analyzerRegionKnown } from './model-monitor-image';
import { parseMonitorSchedule } from './model-monitor-schedule';

/** Monitoring schedule names: SageMaker's pattern and length. */
export const MAX_SCHEDULE_NAME = 63;
const MONITOR_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const PREFIX = /^([a-zA-Z0-9!_.*'()-]+\/)+$/;
/** Feature names usable in `feature_baseline_drift_<feature>` (CloudWatch metric names are at most 255 characters). */
export const FEATURE_NAME = /^[A-Za-z0-9_.-]{1,232}$/;
const LITERAL_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+$/;
const TOKEN_URI = /^s3:\/\/[^/]+\/\S+$/;
const TOKEN = '(unresolved token)';
/** Longest analysis-window offset accepted, in hours (30 days). */
const MAX_OFFSET_HOURS = 720;

/** The names the constructor derived, for the checks that depend on them. */
export interface MonitorNameCheck {
  /** The longest schedule name this monitor creates. */
  readonly longestScheduleName: string;
  /** The name part the names derive from: monitorName, or the construct id. */
  readonly namePart: string;
  /** True when the name came from the construct id (no monitorName prop). */
  readonly fromId: boolean;
  /** Path of another monitor in the same account and region with the same names, if any. */
  readonly takenBy?: string;
  /** The stack's region (possibly a token). */
  readonly region: string;
}

/** Every check on the props of a ModelMonitor; problems go to `v`. */
export function validateModelMonitorProps(v: Validator, props: ModelMonitorProps, names: MonitorNameCheck): void {
  v.check(props.endpoint?.dataCaptureLocation !== undefined, 'endpoint', props.endpoint?.node.path,
    'must have data capture on (the dataCapture prop of InferenceEndpoint): Model Monitor analyses the captured requests and responses');
  checkNames(v, props.monitorName, names);
  const zone = props.zone ?? MODEL_MONITOR_DEFAULTS.zone;
  v.check(props.lakehouse.hasZone(zone), 'zone', zone, `is not a zone of lakehouse ${props.lakehouse.node.path}; allowed: ${props.lakehouse.zones.join(', ')}`);
  if (props.prefix !== undefined && !Token.isUnresolved(props.prefix)) {
    v.matches(props.prefix, PREFIX, 'prefix', 'must be one or more S3 key segments, each ending with "/", no leading "/"');
  }
  if (props.imageUri === undefined) {
    v.check(analyzerRegionKnown(names.region), 'imageUri', undefined,
      `must be set: the stack's region "${names.region}" has no sagemaker-model-monitor-analyzer registry in this library's table (${Object.keys(ANALYZER_REGISTRIES).join(', ')})`);
  } else {
    v.check(props.imageUri.length >= 1 && props.imageUri.length <= 255 && !/\s/.test(props.imageUri), 'imageUri', props.imageUri,
      'must be an image URI of 1 to 255 characters without whitespace');
  }
  if (props.vpc === undefined) {
    v.check(props.subnets === undefined, 'subnets', 'set', 'must not be set without vpc');
    v.check(props.securityGroups === undefined, 'securityGroups', `${props.securityGroups?.length} groups`, 'must not be set without vpc');
  } else if (props.securityGroups !== undefined) {
    const n = props.securityGroups.length;
    v.check(n >= 1 && n <= 5, 'securityGroups', `${n} groups`, 'must hold 1 to 5 security groups');
  }
  checkDataQuality(v, props.dataQuality ?? ({ driftFeatures: [] } as DataQualityMonitorOptions));
  if (props.modelQuality) checkModelQuality(v, props.modelQuality);
}

function checkNames(v: Validator, monitorName: string | undefined, names: MonitorNameCheck): void {
  if (monitorName !== undefined) {
    if (Token.isUnresolved(monitorName)) {
      v.fail('monitorName', TOKEN, 'must be a literal: schedule and alarm names derive from it at synth');
      return;
    }
    v.matches(monitorName, MONITOR_NAME, 'monitorName', 'must be lowercase letters and digits, words joined by single hyphens');
  }
  const name = names.longestScheduleName;
  const why = names.fromId ? ' (monitorName defaults to the construct id)' : '';
  v.check(name.length <= MAX_SCHEDULE_NAME, 'monitorName', names.namePart,
    `makes the schedule name "${name}" ${name.length} characters long; SageMaker allows at most ${MAX_SCHEDULE_NAME}: set a shorter monitorName${why}`);
  if (names.takenBy) {
    v.fail('monitorName', names.namePart, `makes the schedule name "${name}", already used by ${names.takenBy} in the same account and region${why}`);
  }
}

function checkDataQuality(v: Validator, d: DataQualityMonitorOptions): void {
  const features = d.driftFeatures ?? [];
  const max = MODEL_MONITOR_DEFAULTS.maxDriftFeatures;
  v.check(features.length >= 1 && features.length <= max, 'dataQuality.driftFeatures', `${features.length} features`,
    `must list 1 to ${max} features: the drift alarm is one metric-math alarm, which takes at most ${max} metrics`);
  const seen = new Set<string>();
  features.forEach((f, i) => {
    const property = `dataQuality.driftFeatures[${i}]`;
    if (Token.isUnresolved(f)) {
      v.fail(property, TOKEN, 'must be a literal feature name: it becomes a metric name');
      return;
    }
    v.check(typeof f === 'string' && FEATURE_NAME.test(f), property, f,
      'must be 1 to 232 letters, digits, "_", "-" or "." (a column name of the baseline statistics)');
    v.check(!seen.has(f), property, f, 'must be unique among the drift features');
    seen.add(f);
  });
  if (d.driftThreshold !== undefined) {
    v.check(Number.isFinite(d.driftThreshold) && d.driftThreshold > 0 && d.driftThreshold <= 1, 'dataQuality.driftThreshold', d.driftThreshold,
      'must be a number above 0 and at most 1 (a distance between distributions)');
  }
  checkUri(v, d.baselineConstraintsUri, 'dataQuality.baselineConstraintsUri', 1024, true);
  checkUri(v, d.baselineStatisticsUri, 'dataQuality.baselineStatisticsUri', 1024, true);
  const interval = checkJob(v, d, 'dataQuality');
  const maxSeconds = interval === undefined ? 86400 : Math.min(interval * 3600, 86400);
  checkRuntime(v, d.maxRuntime, 'dataQuality.maxRuntime', maxSeconds, interval);
}

function checkModelQuality(v: Validator, m: ModelQualityMonitorOptions): void {
  const type = m.problemType?.name;
  const typeOk = v.check(ModelQualityProblemType.SUPPORTED.includes(type), 'modelQuality.problemType', type,
    `must be one of ${ModelQualityProblemType.SUPPORTED.join(', ')}`);
  const metric = m.qualityMetric ?? (typeOk ? MODEL_MONITOR_DEFAULTS.qualityMetric[type] : undefined);
  let metricOk = false;
  if (typeOk && metric) {
    const allowed = ModelQualityMetric.ALL.filter((x) => x.problemTypes.includes(type)).map((x) => x.name);
    metricOk = v.check(metric.problemTypes.includes(type), 'modelQuality.qualityMetric', metric.name,
      `is not a ${type} metric; allowed: ${allowed.join(', ')}`);
  }
  if (!Token.isUnresolved(m.qualityThreshold)) {
    const t = m.qualityThreshold;
    const inRange = metricOk && metric ? t >= metric.min && t <= metric.max : true;
    v.check(typeof t === 'number' && Number.isFinite(t) && inRange, 'modelQuality.qualityThreshold', t,
      metricOk && metric ? `must be a finite number ${rangeText(metric)} for ${metric.name}` : 'must be a finite number');
  }
  checkUri(v, m.groundTruthUri, 'modelQuality.groundTruthUri', 512, false);
  checkUri(v, m.baselineConstraintsUri, 'modelQuality.baselineConstraintsUri', 1024, true);
  for (const [property, value] of [['inferenceAttribute', m.inferenceAttribute], ['probabilityAttribute', m.probabilityAttribute]] as const) {
    if (value === undefined || Token.isUnresolved(value)) continue;
    v.check(value.length >= 1 && value.length <= 256, `modelQuality.${property}`, value, 'must be an index or JSONPath of 1 to 256 characters');
  }
  if (m.probabilityAttribute !== undefined && typeOk) {
    v.check(type !== 'Regression', 'modelQuality.probabilityAttribute', m.probabilityAttribute, 'is only for classification problems');
  }
  if (m.probabilityThreshold !== undefined) {
    const t = m.probabilityThreshold;
    v.check(Number.isFinite(t) && t > 0 && t < 1, 'modelQuality.probabilityThreshold', t, 'must be a number above 0 and below 1');
    if (typeOk) v.check(type === 'BinaryClassification', 'modelQuality.probabilityThreshold', t, 'is only for BinaryClassification');
    v.check(m.probabilityAttribute !== undefined, 'modelQuality.probabilityThreshold', t, 'needs probabilityAttribute (the probability it is compared with)');
  }
  const start = checkOffset(v, m.startTimeOffset, 'modelQuality.startTimeOffset');
  const end = checkOffset(v, m.endTimeOffset, 'modelQuality.endTimeOffset');
  if (start !== undefined && end !== undefined) {
    v.check(end < start, 'modelQuality.endTimeOffset', m.endTimeOffset, `must be below startTimeOffset (${m.startTimeOffset!.toHumanString()}): the window ends after it starts`);
  }
  const interval = checkJob(v, m, 'modelQuality');
  const maxSeconds = interval === undefined ? 86400 : interval === 1 ? 1800 : Math.min(interval * 3600, 86400);
  checkRuntime(v, m.maxRuntime, 'modelQuality.maxRuntime', maxSeconds, interval);
}

function rangeText(metric: ModelQualityMetric): string {
  if (metric.min === -Infinity) return `of at most ${metric.max}`;
  if (metric.max === Infinity) return `of at least ${metric.min}`;
  return `from ${metric.min} to ${metric.max}`;
}

/** Checks an `s3://` URI: a literal bucket and key, or a string whose bucket (only) is a token. */
function checkUri(v: Validator, uri: string | undefined, property: string, maxLength: number, object: boolean): void {
  if (uri === undefined) return;
  const what = object ? 's3://<bucket>/<key> URI of an object (not ending with "/")' : 's3://<bucket>/<prefix> URI';
  if (Token.isUnresolved(uri)) {
    v.check(TOKEN_URI.test(uri), property, TOKEN, `must be a string that starts with "s3://<bucket>/" (only the bucket may be a token): the role's permissions are scoped to the key`);
    return;
  }
  v.check(LITERAL_URI.test(uri) && uri.length <= maxLength && !(object && uri.endsWith('/')), property, uri,
    `must be an ${what} of at most ${maxLength} characters`);
}

/** Checks the job options common to both kinds; returns the schedule's interval in hours when known. */
function checkJob(v: Validator, o: MonitoringJobOptions, path: string): number | undefined {
  let interval: number | undefined = 1;
  if (o.scheduleExpression !== undefined) {
    if (Token.isUnresolved(o.scheduleExpression)) {
      interval = undefined;
    } else {
      const parsed = parseMonitorSchedule(o.scheduleExpression);
      v.check(parsed.problem === undefined, `${path}.scheduleExpression`, o.scheduleExpression, parsed.problem ?? '');
      interval = parsed.intervalHours;
    }
  }
  if (v.isInstance(o.instanceType, MlInstanceType, `${path}.instanceType`, 'MlInstanceType.M5_XLARGE or MlInstanceType.of("ml.m5.xlarge")')) {
    const typeProblem = o.instanceType?.problem();
    v.check(typeProblem === undefined, `${path}.instanceType`, o.instanceType?.name, typeProblem ?? '');
  }
  if (o.instanceCount !== undefined) {
    const n = o.instanceCount;
    v.check(Number.isInteger(n) && n >= 1 && n <= 100, `${path}.instanceCount`, n, 'must be a whole number from 1 to 100');
  }
  checkVolume(v, o.volumeSize, `${path}.volumeSize`);
  return interval;
}

function checkVolume(v: Validator, size: Size | undefined, property: string): void {
  if (size === undefined || size.isUnresolved()) return;
  const gib = size.toBytes() / 1024 ** 3;
  v.check(Number.isInteger(gib) && gib >= 1 && gib <= 16384, property, size, 'must be a whole number of GiB from 1 to 16384');
}

function checkRuntime(v: Validator, d: Duration | undefined, property: string, maxSeconds: number, interval: number | undefined): void {
  if (d === undefined || d.isUnresolved()) return;
  const s = d.toSeconds({ integral: false });
  const why = interval === undefined ? '' : ` (the schedule runs every ${interval} hour${interval === 1 ? '' : 's'})`;
  v.check(Number.isInteger(s) && s >= 1 && s <= maxSeconds, property, d, `must be a whole number of seconds from 1 to ${maxSeconds}${why}`);
}

/** Checks an analysis-window offset; returns it in hours when valid. */
function checkOffset(v: Validator, d: Duration | undefined, property: string): number | undefined {
  if (d === undefined || d.isUnresolved()) return undefined;
  const h = d.toHours({ integral: false });
  const ok = v.check(Number.isInteger(h) && h >= 1 && h <= MAX_OFFSET_HOURS, property, d, `must be a whole number of hours from 1 to ${MAX_OFFSET_HOURS}`);
  return ok ? h : undefined;
}
