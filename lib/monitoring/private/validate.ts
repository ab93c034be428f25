import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { AlarmThresholds } from '../../core/environment';
import { Validator } from '../../core/errors';
import { MONITORING_DEFAULTS, MonitoringStackProps } from '../monitoring-stack-props';
import { driftOn, endpointLabel } from './watch-endpoints';

const LABEL = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
// Deliberately simple: one @, no spaces, a dot in the domain. SNS confirms the address itself.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** CloudWatch evaluates at most one day of periods shorter than an hour. */
const MAX_MINUTE_PERIODS = 1440;

/** Validates the monitoring stack's props and thresholds; one ValidationError lists every problem. */
export function validateMonitoringProps(scope: IConstruct, props: MonitoringStackProps, t: AlarmThresholds): void {
  const v = new Validator(scope);
  const count = (name: keyof AlarmThresholds) => {
    const value = t[name] as number;
    v.check(Number.isInteger(value) && value >= 1, `thresholds.${name}`, value, 'must be a whole number of at least 1');
  };
  (['evaluationPeriods', 'etlFailedRuns', 'trainingFailedRuns', 'registryRejections', 'endpoint5xxErrors', 'endpoint4xxErrors', 'endpointModelErrors'] as const)
    .forEach(count);
  v.check(t.evaluationPeriods <= MAX_MINUTE_PERIODS, 'thresholds.evaluationPeriods', t.evaluationPeriods,
    `must be at most ${MAX_MINUTE_PERIODS} (CloudWatch evaluates at most one day of 1-minute periods)`);
  const between = (name: keyof AlarmThresholds, min: Duration, max: Duration) => {
    const d = t[name] as Duration;
    v.check(d.toMilliseconds() >= min.toMilliseconds() && d.toMilliseconds() <= max.toMilliseconds(), `thresholds.${name}`, d.toHumanString(),
      `must be between ${min.toHumanString()} and ${max.toHumanString()}`);
  };
  between('etlMaxSilence', MONITORING_DEFAULTS.silencePeriod, MONITORING_DEFAULTS.maxSilence);
  between('streamDeliveryFreshness', Duration.minutes(1), Duration.days(1));
  between('trainingMaxRunTime', Duration.minutes(5), Duration.days(28));
  between('endpointLatencyP99', Duration.millis(1), Duration.hours(1));
  for (const name of ['endpointMemoryUtilization', 'endpointDiskUtilization'] as const) v.inRange(t[name], 1, 100, `thresholds.${name}`);
  v.inRange(t.endpointServerlessConcurrency, 1, 100, 'thresholds.endpointServerlessConcurrency');
  v.check(t.endpointCpuUtilization > 0 && Number.isFinite(t.endpointCpuUtilization), 'thresholds.endpointCpuUtilization',
    t.endpointCpuUtilization, 'must be a positive percentage (SageMaker reports up to 100 x cores)');

  (props.alarmEmails ?? []).forEach((email, i) => v.matches(email, EMAIL, `alarmEmails[${i}]`, 'must be an email address'));

  const seen = new Map<string, string>();
  const unique = (label: string, property: string) => {
    const first = seen.get(label);
    v.check(first === undefined, property, label, `must be unique among watched constructs (also used by ${first})`);
    if (first === undefined) seen.set(label, property);
  };
  (props.pipelines ?? []).forEach((p, i) => unique(p.node.id, `pipelines[${i}]`));
  (props.trainingClusters ?? []).forEach((c, i) => unique(c.node.id, `trainingClusters[${i}]`));
  (props.registries ?? []).forEach((r, i) => unique(r.node.id, `registries[${i}]`));
  (props.endpoints ?? []).forEach((e, i) => {
    const label = endpointLabel(e);
    v.matches(label, LABEL, `endpoints[${i}].label`, 'must be 1-64 letters, digits, hyphens or underscores, starting with a letter');
    unique(label, `endpoints[${i}]`);
    if (e.modelMonitor) {
      v.check(props.lakehouse !== undefined, `endpoints[${i}].modelMonitor`, 'set', 'needs the lakehouse prop (baselines and reports live there)');
      v.check(e.endpoint.dataCaptureLocation !== undefined, `endpoints[${i}].modelMonitor`, 'set', 'needs an endpoint that captures data (dataCapture)');
    }
    if (driftOn(e)) {
      v.check(props.lakehouse !== undefined, `endpoints[${i}].drift`, 'on', 'needs the lakehouse prop (captured data, ground truth and reports live there); or set drift: false');
      v.check(e.registry !== undefined, `endpoints[${i}].registry`, e.registry, 'must be set while drift is on (the drift job reads the served version\'s baseline from it); or set drift: false');
      v.check(e.model !== undefined, `endpoints[${i}].model`, e.model, 'must be set while drift is on (the registered model the endpoint serves); or set drift: false');
    }
    if (e.retrain) {
      v.check(e.modelMonitor !== undefined || driftOn(e), `endpoints[${i}].retrain`, e.retrain.node.path,
        'needs drift (an endpoint that captures data, drift not false) or modelMonitor: their alarms start retraining');
      v.check(e.retrain.stateMachine !== undefined, `endpoints[${i}].retrain`, e.retrain.node.path, 'must be a managed-engine TrainingCluster (it has the retraining workflow)');
    }
  });
  v.throwIfAny();
}
