import { Token } from 'aws-cdk-lib';
import { Validator } from '../../core/errors';
import { scheduleProblem } from '../../core/schedule';
import { DRIFT_MONITOR_DEFAULTS, DriftMonitorProps, DriftProblemType, QUALITY_METRIC_GOALS } from '../drift-monitor-props';

/** Feature names the job publishes as the `Feature` dimension value (CloudWatch: 1 to 1024 characters). */
export const DRIFT_FEATURE = /^[A-Za-z_][A-Za-z0-9_.-]{0,254}$/;
const SSM_NAME = /^\/[a-zA-Z0-9_.\-/]{1,1010}$/;
const KEY_PREFIX = /^([A-Za-z0-9_.=-]+\/)+$/;
const NAME_PART = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const isWhole = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

/** Records every problem of DriftMonitor props on `v` (unresolved tokens are skipped). */
export function validateDriftProps(v: Validator, props: DriftMonitorProps, fromId: boolean): void {
  const d = DRIFT_MONITOR_DEFAULTS;
  v.check(props.endpoint.dataCaptureLocation !== undefined, 'endpoint', props.endpoint.node.path,
    'must capture data (InferenceEndpoint dataCapture): the drift job reads the captured requests');
  if (!Token.isUnresolved(props.model)) {
    v.check(props.registry.hasModel(props.model), 'model', props.model,
      `must be a model of registry ${props.registry.node.path}; declared: ${props.registry.models.join(', ')}`);
  }
  v.matches(props.parameterName, SSM_NAME, 'parameterName', 'must be an SSM parameter path: "/" followed by letters, digits, "_", ".", "-" or "/"');
  const seen = new Set<string>();
  (props.features ?? []).forEach((f, i) => {
    v.matches(f, DRIFT_FEATURE, `features[${i}]`, 'must be a column name: a letter or "_", then up to 254 letters, digits, "_", "." or "-"');
    v.check(!seen.has(f), `features[${i}]`, f, 'must be unique');
    seen.add(f);
  });
  if (props.schedule !== undefined && !Token.isUnresolved(props.schedule)) {
    const problem = props.schedule.startsWith('cron(') ? scheduleProblem(props.schedule) : 'Glue triggers take cron(...) expressions only';
    v.check(problem === undefined, 'schedule', props.schedule, `must be a Glue cron expression such as ${d.schedule}: ${problem}`);
    const minutes = /^cron\((\S+)/.exec(props.schedule)?.[1] ?? '';
    v.check(!(minutes === '*' || /^(\*|\d+)\/[1-4]$/.test(minutes)), 'schedule', props.schedule,
      'must not fire more often than every 5 minutes (the minimum precision of a Glue schedule)');
  }
  const numbers: Array<[string, number | undefined, boolean, string]> = [
    ['windowHours', props.windowHours, props.windowHours === undefined || isWhole(props.windowHours, 1, d.maxWindowHours), `must be a whole number of hours from 1 to ${d.maxWindowHours}`],
    ['minRecords', props.minRecords, props.minRecords === undefined || isWhole(props.minRecords, 1, d.maxMinRecords), `must be a whole number from 1 to ${d.maxMinRecords}`],
    ['driftThreshold', props.driftThreshold, props.driftThreshold === undefined
      || (Number.isFinite(props.driftThreshold) && props.driftThreshold > 0 && props.driftThreshold <= d.maxDriftThreshold),
    `must be above 0 and at most ${d.maxDriftThreshold} (a population stability index)`],
  ];
  for (const [property, value, ok, allowed] of numbers) v.check(ok, property, value, allowed);

  const q = props.quality;
  if (q) {
    const problemType = props.problemType ?? d.problemType;
    const metric = q.metric ?? problemType.defaultQualityMetric;
    v.check(metric in QUALITY_METRIC_GOALS, 'quality.metric', metric, `must be one of ${Object.keys(QUALITY_METRIC_GOALS).join(', ')}`);
    v.check(metric === problemType.defaultQualityMetric, 'quality.metric', metric,
      `must fit problemType ${problemType.name}: ${problemType.defaultQualityMetric}`);
    const fraction = metric === 'auc';
    v.check(Number.isFinite(q.threshold) && q.threshold > 0 && (!fraction || q.threshold <= 1), 'quality.threshold', q.threshold,
      fraction ? 'must be above 0 and at most 1 (an AUC)' : 'must be above 0 (an RMSE)');
    v.matches(q.groundTruthPrefix, KEY_PREFIX, 'quality.groundTruthPrefix',
      'must be one or more key segments (letters, digits, "_", ".", "=", "-"), each ending with "/", without a leading "/"');
  }
  v.check(props.problemType === undefined || props.problemType instanceof DriftProblemType, 'problemType', props.problemType, 'must be a DriftProblemType');
  if (!fromId) {
    v.matches(props.monitorName, NAME_PART, 'monitorName', 'must be lowercase letters and digits, words joined by single hyphens');
  }
}
