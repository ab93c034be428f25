import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { AlarmThresholds, DEFAULT_SERVERLESS_CONCURRENCY_THRESHOLD } from '../../core/environment';
import type { IInferenceEndpoint } from '../../inference/inference-endpoint';
import type { IDataLakehouse } from '../../lakehouse/data-lakehouse';
import * as sns from 'aws-cdk-lib/aws-sns';
import { RetrainTrigger } from '../../training/retrain-trigger';
import { DriftMonitor } from '../drift-monitor';
import { ModelMonitor } from '../model-monitor';
import { EndpointWatch, MonitoredEndpoint } from '../monitoring-stack-props';
import { AlarmFactory } from './alarm-factory';
import { graph, heading } from './widgets';

/** The label of a monitored endpoint. */
export function endpointLabel(e: MonitoredEndpoint): string {
  return e.label ?? e.endpoint.node.id;
}

/** Whether the platform's drift job watches the endpoint: by default whenever it captures data. */
export function driftOn(e: MonitoredEndpoint): boolean {
  return e.drift !== false && e.endpoint.dataCaptureLocation !== undefined;
}

/**
 * Per endpoint: error and latency alarms per variant that feed one composite model-health alarm
 * (the only one that notifies, so an incident pages once), client-error and utilization alarms
 * that notify on their own, the drift job (and opt-in Model Monitor) whose drift and quality
 * alarms join the composite and start retraining, and a dashboard section.
 */
export function watchEndpoint(scope: Construct, alarms: AlarmFactory, t: AlarmThresholds,
  e: MonitoredEndpoint, lakehouse: IDataLakehouse | undefined, topic: sns.ITopic): { watch: EndpointWatch; rows: cloudwatch.IWidget[][] } {
  const label = endpointLabel(e);
  const ep = e.endpoint;
  const variants = ep.variantNames;
  const health: cloudwatch.IAlarm[] = [];
  const byVariant = (f: (variantName: string) => cloudwatch.IMetric) => variants.map(f);

  const serverless = new Set(ep.serverlessVariantNames ?? []);
  for (const variantName of variants) {
    const where = `${label}/${variantName}`;
    const isServerless = serverless.has(variantName);
    health.push(alarms.alarm(scope, `${label}${variantName}5xx`, {
      metric: ep.metric5xx({ variantName }), threshold: t.endpoint5xxErrors, above: true, evaluationPeriods: t.evaluationPeriods, notify: false,
      description: `Endpoint ${where}: ${t.endpoint5xxErrors} or more server errors a minute`,
    }));
    // InvocationModelErrors is not in the exhaustive list of serverless metrics (see SERVERLESS_METRICS_DOC).
    if (!isServerless) {
      health.push(alarms.alarm(scope, `${label}${variantName}ModelErrors`, {
        metric: ep.metricModelErrors({ variantName }), threshold: t.endpointModelErrors, above: true, evaluationPeriods: t.evaluationPeriods, notify: false,
        description: `Endpoint ${where}: ${t.endpointModelErrors} or more model container errors a minute`,
      }));
    }
    health.push(alarms.alarm(scope, `${label}${variantName}LatencyP99`, {
      metric: ep.metricLatency({ variantName }), threshold: t.endpointLatencyP99.toMilliseconds() * 1000, above: true,
      evaluationPeriods: t.evaluationPeriods, notify: false,
      description: `Endpoint ${where}: p99 model latency of ${t.endpointLatencyP99.toHumanString()} or more`,
    }));
    alarms.alarm(scope, `${label}${variantName}4xx`, {
      metric: ep.metric4xx({ variantName }), threshold: t.endpoint4xxErrors, above: true, evaluationPeriods: t.evaluationPeriods, notify: true,
      description: `Endpoint ${where}: ${t.endpoint4xxErrors} or more client errors a minute (callers send bad requests)`,
    });
    if (isServerless) serverlessAlarms(scope, alarms, t, ep, label, variantName);
    else instanceAlarms(scope, alarms, t, ep, label, variantName);
  }

  let drift: DriftMonitor | undefined;
  const driftRows: cloudwatch.IWidget[][] = [];
  if (driftOn(e) && lakehouse && e.registry && e.model !== undefined) {
    const options = e.drift === false ? {} : e.drift ?? {};
    drift = new DriftMonitor(scope, `${label}Drift`, {
      ...options,
      features: options.features ?? (e.retrain?.featureNames ? [...e.retrain.featureNames] : undefined),
      endpoint: ep, lakehouse, registry: e.registry, model: e.model, parameterName: e.parameterName, alertTopic: topic,
    });
    alarms.adopt(drift.driftAlarm);
    health.push(drift.driftAlarm);
    driftRows.push(driftWidgets(label, drift));
    if (drift.qualityAlarm) {
      alarms.adopt(drift.qualityAlarm);
      health.push(drift.qualityAlarm);
    }
    if (e.retrain) {
      // By alarm name: the training stack must not depend on this stack, which depends on it.
      e.retrain.retrainOn(`RetrainOn${label}Drift`, RetrainTrigger.onAlarmName(drift.driftAlarmName));
      if (drift.qualityAlarmName) e.retrain.retrainOn(`RetrainOn${label}Quality`, RetrainTrigger.onAlarmName(drift.qualityAlarmName));
    }
  }

  let modelMonitor: ModelMonitor | undefined;
  const driftWidgetsMm: cloudwatch.IWidget[] = [];
  if (e.modelMonitor && lakehouse) {
    modelMonitor = new ModelMonitor(scope, `${label}ModelMonitor`, { ...e.modelMonitor, endpoint: ep, lakehouse });
    health.push(modelMonitor.driftAlarm);
    // Alarm widgets draw the metric with the alarm's threshold: points past the line are violations.
    driftWidgetsMm.push(new cloudwatch.AlarmWidget({ title: `${label}: data drift vs violation threshold (Model Monitor)`, alarm: modelMonitor.driftAlarm, width: 12, height: 6 }));
    if (modelMonitor.qualityAlarm) {
      health.push(modelMonitor.qualityAlarm);
      driftWidgetsMm.push(new cloudwatch.AlarmWidget({ title: `${label}: model quality vs threshold (Model Monitor)`, alarm: modelMonitor.qualityAlarm, width: 12, height: 6 }));
    }
    if (e.retrain) {
      e.retrain.retrainOn(`RetrainOn${label}DataDrift`, RetrainTrigger.onAlarmName(modelMonitor.driftAlarmName));
      if (modelMonitor.qualityAlarmName) {
        e.retrain.retrainOn(`RetrainOn${label}QualityDrop`, RetrainTrigger.onAlarmName(modelMonitor.qualityAlarmName));
      }
    }
  }
  const modelHealth = alarms.anyOf(scope, `${label}ModelHealth`, health,
    `Model health of endpoint ${label}: server or model errors, latency, data drift or model quality out of bounds`);

  const latency = ep.metricLatency();
  const pct = (statistic: string) => latency.with({ statistic, label: statistic });
  const rows: cloudwatch.IWidget[][] = [
    [heading(`Endpoint ${label}: traffic, latency, errors, utilization, capacity, drift`)],
    [
      graph(`${label}: invocations`, byVariant((variantName) => ep.metricInvocations({ variantName, label: variantName }))),
      graph(`${label}: model latency (µs)`, [pct('p50'), pct('p90'), pct('p99')]),
      graph(`${label}: errors`, [
        ...byVariant((variantName) => ep.metric4xx({ variantName, label: `4xx ${variantName}` })),
        ...byVariant((variantName) => ep.metric5xx({ variantName, label: `5xx ${variantName}` })),
        ...variants.filter((n) => !serverless.has(n)).map((variantName) => ep.metricModelErrors({ variantName, label: `model ${variantName}` })),
      ]),
    ],
    [
      ...capacityWidgets(label, ep, variants.filter((n) => !serverless.has(n)), variants.filter((n) => serverless.has(n))),
      new cloudwatch.AlarmStatusWidget({ title: `${label}: model health`, alarms: [modelHealth, ...health], width: 8, height: 6 }),
    ],
  ];
  rows.push(...driftRows);
  if (driftWidgetsMm.length > 0) rows.push(driftWidgetsMm);
  return { watch: { label, modelHealth, drift, modelMonitor }, rows };
}

/**
 * What a serverless variant publishes: "The metrics below are an exhaustive list of metrics for
 * serverless endpoints. Any metric not listed below is not published for serverless endpoints":
 * OverheadLatency, Invocation4XXErrors, Invocation5XXErrors, Invocations, ModelLatency,
 * ModelSetupTime, MemoryUtilization, ServerlessConcurrentExecutionsUtilization and, with
 * provisioned concurrency, ServerlessProvisionedConcurrency{Executions,Utilization,Invocations,
 * SpilloverInvocations}. So no CPUUtilization, DiskUtilization, GPUUtilization or
 * InvocationModelErrors: an alarm on those would stay without data forever.
 */
export const SERVERLESS_METRICS_DOC = 'https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-monitoring.html';

/** CPU, memory and disk alarms of an instance-based variant; they notify on their own. */
function instanceAlarms(scope: Construct, alarms: AlarmFactory, t: AlarmThresholds, ep: IInferenceEndpoint, label: string, variantName: string): void {
  const where = `${label}/${variantName}`;
  // "CPUUtilization: The sum of each individual CPU core's utilization. The CPU utilization of each
  // core range is 0-100. For example, if there are four CPUs, the CPUUtilization range is 0%-400%"
  // (SageMaker, Monitor Amazon SageMaker AI with Amazon CloudWatch): the threshold, a percentage of
  // the instance's capacity, is scaled by its vCPUs (80 % of an ml.m5.large is 160).
  const vcpus = ep.variantVcpus?.[variantName] ?? 1;
  const utilization: Array<[string, cloudwatch.IMetric, number]> = [
    ['Cpu', ep.metricCpuUtilization({ variantName }), t.endpointCpuUtilization * vcpus],
    ['Memory', ep.metricMemoryUtilization({ variantName }), t.endpointMemoryUtilization],
    ['Disk', ep.metricDiskUtilization({ variantName }), t.endpointDiskUtilization],
  ];
  for (const [what, metric, threshold] of utilization) {
    const share = what === 'Cpu' ? `${t.endpointCpuUtilization} percent of ${vcpus} vCPU${vcpus === 1 ? '' : 's'} (${threshold})` : `${threshold} percent`;
    alarms.alarm(scope, `${label}${variantName}${what}`, {
      metric, threshold, above: true, evaluationPeriods: t.evaluationPeriods, notify: true,
      description: `Endpoint ${where}: ${what.toLowerCase()} utilization of ${share} or more; scale out or resize`,
    });
  }
}

/**
 * Memory and concurrency alarms of a serverless variant (it has no instances: no CPU or disk
 * metric, see {@link SERVERLESS_METRICS_DOC}); they notify on their own.
 */
function serverlessAlarms(scope: Construct, alarms: AlarmFactory, t: AlarmThresholds, ep: IInferenceEndpoint, label: string, variantName: string): void {
  const where = `${label}/${variantName}`;
  // Serverless endpoints publish MemoryUtilization in the /aws/sagemaker/Endpoints namespace
  // (SageMaker developer guide, "Monitor a Serverless Endpoint").
  alarms.alarm(scope, `${label}${variantName}Memory`, {
    metric: ep.metricMemoryUtilization({ variantName }), threshold: t.endpointMemoryUtilization, above: true, evaluationPeriods: t.evaluationPeriods, notify: true,
    description: `Endpoint ${where} (serverless): memory utilization of ${t.endpointMemoryUtilization} percent or more; raise serving memorySizeMiB`,
  });
  // ServerlessConcurrentExecutionsUtilization is concurrent executions / maximum concurrency (0 to 1).
  const percent = t.endpointServerlessConcurrency ?? DEFAULT_SERVERLESS_CONCURRENCY_THRESHOLD;
  alarms.alarm(scope, `${label}${variantName}Concurrency`, {
    metric: ep.metricServerlessConcurrencyUtilization({ variantName }), threshold: percent / 100, above: true,
    evaluationPeriods: t.evaluationPeriods, notify: true,
    description: `Endpoint ${where} (serverless): ${percent} percent or more of its maximum concurrency in use; `
      + 'requests beyond it are throttled: raise serving maxConcurrency',
  });
}

/**
 * Utilization and capacity graphs: CPU, memory, disk and GPU with the instance count of
 * instance-based variants; memory and concurrency of serverless variants.
 */
function capacityWidgets(label: string, ep: IInferenceEndpoint, instanceVariants: string[], serverlessVariants: string[]): cloudwatch.IWidget[] {
  const widgets: cloudwatch.IWidget[] = [];
  const width = instanceVariants.length > 0 && serverlessVariants.length > 0 ? 4 : 8;
  if (instanceVariants.length > 0) {
    const variantName = instanceVariants[0];
    widgets.push(graph(`${label}: utilization (%)`, [
      ep.metricCpuUtilization({ variantName, label: 'CPU' }), ep.metricMemoryUtilization({ variantName, label: 'memory' }),
      ep.metricDiskUtilization({ variantName, label: 'disk' }), ep.metricGpuUtilization({ variantName, label: 'GPU' }),
    ], [], width));
    // Each instance reports CPU once a minute, so the sample count is the number of running instances.
    widgets.push(graph(`${label}: instances (autoscaling capacity)`, instanceVariants.map((n) =>
      ep.metricCpuUtilization({ variantName: n, statistic: 'SampleCount', period: Duration.minutes(1), label: n })), [], width));
  }
  if (serverlessVariants.length > 0) {
    widgets.push(graph(`${label}: serverless memory utilization (%)`, serverlessVariants.map((n) =>
      ep.metricMemoryUtilization({ variantName: n, label: n })), [], width));
    widgets.push(graph(`${label}: serverless concurrency (share of maximum)`, serverlessVariants.map((n) =>
      ep.metricServerlessConcurrencyUtilization({ variantName: n, label: n })), [], width));
  }
  return widgets;
}

/**
 * The drift section of an endpoint: the drift of each declared feature, the largest drift against
 * the alarm threshold (an alarm widget draws the alarm's own metric and threshold), captured
 * records and insufficient-data windows, and model quality with its ground-truth sample count.
 * Every metric comes from the DriftMonitor's metric methods, hence from DRIFT_METRIC_SPEC.
 */
function driftWidgets(label: string, drift: DriftMonitor): cloudwatch.IWidget[] {
  const widgets: cloudwatch.IWidget[] = [];
  if (drift.features.length > 0) {
    // Each feature, and the job's own maximum over every feature of the baseline (declared or not).
    widgets.push(graph(`${label}: drift per feature (PSI)`,
      [...drift.features.map((f) => drift.metricFeatureDrift(f, { label: f })), drift.metricMaxDrift({ label: 'largest (all features)' })], [], 6));
  }
  widgets.push(new cloudwatch.AlarmWidget({ title: `${label}: largest feature drift vs alarm threshold`, alarm: drift.driftAlarm, width: 6, height: 6 }));
  widgets.push(graph(`${label}: captured records per window`, [drift.metricCapturedRecords({ label: 'captured records' })],
    [drift.metricInsufficientData({ label: 'too few records (1)' })], 6));
  widgets.push(drift.qualityAlarm
    ? new cloudwatch.GraphWidget({
      title: `${label}: model quality (${drift.qualityMetric}) vs alarm threshold`, width: 6, height: 6,
      left: [drift.metricQuality({ label: drift.qualityMetric })], right: [drift.metricGroundTruthSamples({ label: 'ground-truth samples' })],
      leftAnnotations: [{ value: drift.qualityThreshold!, label: 'alarm threshold' }],
    })
    : graph(`${label}: ground-truth samples`, [drift.metricGroundTruthSamples({ label: 'ground-truth samples' })], [], 6));
  return widgets;
}
