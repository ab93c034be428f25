import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { Validator } from '../core/errors';
import { deliverReliably } from '../core/event-delivery';
import { dashedName } from '../core/naming';
import { APPROVED_VERSION_PLACEHOLDER } from '../inference/approved-version-parameter';
import { productionVariantNames } from '../inference/inference-endpoint-base';
import { approvedPackageParameterName } from '../inference/model-source';
import { DRIFT_METRIC_SPEC } from './drift-metrics';
import { DRIFT_MONITOR_DEFAULTS, DriftMonitorProps, DriftProblemType, DriftQualityMetricName, QUALITY_METRIC_GOALS } from './drift-monitor-props';
import { DriftJob, DriftJobArguments } from './private/drift-job';
import { DRIFT_FEATURE, validateDriftProps } from './private/drift-validate';

/** Glue job run states that end a run without success ("Glue Job State Change" events carry these). */
export const FAILED_GLUE_JOB_STATES: readonly string[] = ['FAILED', 'TIMEOUT', 'STOPPED'];

/** Metrics an alarm on metric math may reference (a hard CloudWatch limit). */
const MAX_ALARM_METRICS = 10;

/** The platform's drift and model-quality monitor of one endpoint, as dashboards, alarms and the retraining loop see it. */
export interface IDriftMonitor extends IConstruct {
  /** Name of the watched endpoint. */
  readonly endpointName: string;
  /** Name of the Glue job. */
  readonly jobName: string;
  /** The alarm on the largest feature drift of a run. */
  readonly driftAlarm: cloudwatch.IAlarm;
  /** Name of the drift alarm: a literal known at synth, for wiring retraining by name from another stack. */
  readonly driftAlarmName: string;
  /** The drift threshold the alarm uses. */
  readonly driftThreshold: number;
  /** The alarm on the quality metric, when quality is monitored. */
  readonly qualityAlarm?: cloudwatch.IAlarm;
  /** Name of the quality alarm (a literal), when quality is monitored. */
  readonly qualityAlarmName?: string;
  /** The declared features (for per-feature graphs). */
  readonly features: readonly string[];
  /** The largest feature drift of a run (MaxFeatureDrift; Maximum over 1 day). */
  metricMaxDrift(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Drift of one feature (FeatureDrift with the Feature dimension; Maximum over 1 day). */
  metricFeatureDrift(feature: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Captured records decoded in a run's window (CapturedRecords; Sum over 1 day). */
  metricCapturedRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** 1 when a run's window held too few records for drift (InsufficientCapturedData; Maximum over 1 day). */
  metricInsufficientData(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** The quality metric on ground truth (ModelQuality with the Metric dimension; Average over 1 day). */
  metricQuality(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Captured predictions joined with ground truth (GroundTruthSamples; Sum over 1 day). */
  metricGroundTruthSamples(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/**
 * Drift and model quality of one endpoint, on services open to every account: SageMaker Model
 * Monitor is closed to new customers (SageMaker developer guide, "Model Monitor availability
 * change"), so a scheduled **Glue 5.0 Spark job** computes them.
 *
 * Why Glue: the job reads S3 directly and computes its own window (the last `windowHours` of
 * captured data, an empty window included); a SageMaker processing job with network isolation
 * needs its inputs staged as S3 prefixes known before it starts, and an empty prefix fails the job.
 * Glue Python shell jobs are on AWS's migrate-away list ("Migrate from AWS Glue Python shell jobs")
 * and run Python 3.9; Glue 5.0 is what EtlPipeline already runs. Why a Glue SCHEDULED trigger and
 * not EventBridge + Step Functions: Glue starts the job itself with its default arguments, with no
 * second role, state machine or retry policy to own; failed runs are reported from the Glue Job
 * State Change event either way.
 *
 * Each run reads the served version from the SSM parameter the endpoint reads, finds that
 * version's baseline (written by the retraining workflow next to the registered version), decodes
 * the captured requests of the window with the baseline's feature list, computes per-feature drift
 * (population stability index), writes a report under
 * `s3://<analytics bucket>/model-monitoring/<endpoint>/` and publishes the metrics of
 * `DRIFT_METRIC_SPEC` (namespace `MLOpsPlatform/ModelMonitoring`, dimensions `EndpointName` and
 * `Feature`). A window with fewer than `minRecords` records publishes InsufficientCapturedData = 1
 * and no drift. With `quality`, ground truth under `s3://<raw bucket>/ground-truth/<endpoint>/` is
 * joined with the captured predictions by inference ID and the quality metric published.
 *
 * Alarms (no actions: MonitoringStack notifies through its composite model-health alarm):
 * `<project>-<env>-<monitorName>-drift` on MaxFeatureDrift >= `driftThreshold`, and with quality
 * `...-quality`. Both treat missing data as not breaching (no traffic is not drift).
 * Failed, timed-out and stopped runs go to `alertTopic`.
 *
 * @example
 * // given: stack: Stack; endpoint: IInferenceEndpoint; lakehouse: IDataLakehouse; registry: IModelRegistry; alertTopic: sns.ITopic; training: ITrainingCluster
 * const drift = new DriftMonitor(stack, 'ChurnDrift', {
 *   endpoint, lakehouse, registry, model: 'churn', features: ['tenure', 'monthly_charges'],
 *   quality: { threshold: 0.8 }, alertTopic,
 * });
 * training.retrainOn('RetrainOnDrift', RetrainTrigger.onAlarmName(drift.driftAlarmName));
 */
export class DriftMonitor extends Construct implements IDriftMonitor {
  public readonly endpointName: string;
  public readonly jobName: string;
  public readonly driftAlarm: cloudwatch.Alarm;
  public readonly driftAlarmName: string;
  public readonly driftThreshold: number;
  public readonly qualityAlarm?: cloudwatch.Alarm;
  public readonly qualityAlarmName?: string;
  public readonly features: readonly string[];
  /** The quality alarm's threshold, when quality is monitored. */
  public readonly qualityThreshold?: number;
  /** The problem type the job is told. */
  public readonly problemType: DriftProblemType;
  /** The quality metric the job publishes. */
  public readonly qualityMetric: DriftQualityMetricName;
  /** The role the job runs as. */
  public readonly role: iam.IRole;
  /** The job's DefaultArguments, as rendered (the interface of drift_job.py). */
  public readonly jobArguments: Readonly<Record<string, string>>;
  /** `s3://` prefix of the reports. */
  public readonly reportUri: string;
  /** `s3://` prefix of the ground truth, when quality is monitored. */
  public readonly groundTruthUri?: string;
  /** The rule that sends failed runs to the alert topic, when there is one. */
  public readonly failedRunRule?: events.Rule;

  constructor(scope: Construct, id: string, props: DriftMonitorProps) {
    super(scope, id);
    const v = new Validator(this);
    validateDriftProps(v, props, props.monitorName === undefined);
    v.throwIfAny();

    const d = DRIFT_MONITOR_DEFAULTS;
    const ep = props.endpoint;
    this.endpointName = ep.endpointName;
    this.features = [...(props.features ?? [])];
    this.problemType = props.problemType ?? d.problemType;
    this.qualityMetric = props.quality?.metric ?? this.problemType.defaultQualityMetric;
    this.driftThreshold = props.driftThreshold ?? d.driftThreshold;
    const parameterName = props.parameterName ?? approvedPackageParameterName(this, props.model);
    this.reportUri = `s3://${props.lakehouse.zoneBucket(d.reportZone).bucketName}/${d.reportPrefix}${this.endpointName}/`;
    this.groundTruthUri = props.quality
      ? `s3://${props.lakehouse.zoneBucket(d.groundTruthZone).bucketName}/${props.quality.groundTruthPrefix ?? `${d.groundTruthPrefix}${this.endpointName}/`}`
      : undefined;

    const args: DriftJobArguments = {
      endpointName: this.endpointName,
      // Production variants only: a shadow variant gets a copy of the requests and its responses reach
      // no caller ("Each shadow variant is a model in shadow mode with production traffic replicated
      // from the production variant", SageMaker API Endpoint.ShadowProductionVariants), so its records
      // would count the same requests twice and mix the candidate's predictions into the served version's quality.
      variantNames: productionVariantNames(ep),
      captureUri: ep.dataCaptureLocation!,
      servedVersionParameter: parameterName,
      placeholder: APPROVED_VERSION_PLACEHOLDER,
      reportUri: this.reportUri,
      windowHours: props.windowHours ?? d.windowHours,
      minRecords: props.minRecords ?? d.minRecords,
      groundTruthUri: this.groundTruthUri,
      problemType: this.problemType.name,
      qualityMetric: this.qualityMetric,
    };
    const parameterArn = Stack.of(this).formatArn({ service: 'ssm', resource: 'parameter', resourceName: parameterName.slice(1) });
    const job = new DriftJob(this, 'Job', { props, args, parameterArn });
    this.jobName = job.jobName;
    this.role = job.role;
    this.jobArguments = job.defaultArguments;

    const namePart = props.monitorName ?? id;
    this.driftAlarmName = dashedName(this, 255, namePart, 'drift');
    this.driftAlarm = new cloudwatch.Alarm(this, 'DriftAlarm', {
      alarmName: this.driftAlarmName,
      alarmDescription: `Data drift on endpoint ${this.endpointName}: the largest feature drift (PSI) of a drift-job run is ${this.driftThreshold} or more`
        + `${this.features.length > 0 && this.features.length <= MAX_ALARM_METRICS ? ` (features ${this.features.join(', ')})` : ''}. `
        + 'The platform starts retraining when this alarm goes into ALARM.',
      metric: this.driftAlarmMetric(),
      threshold: this.driftThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: d.evaluationPeriods,
      datapointsToAlarm: d.evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.quality) {
      const maximize = QUALITY_METRIC_GOALS[this.qualityMetric] === 'maximize';
      this.qualityAlarmName = dashedName(this, 255, namePart, 'quality');
      this.qualityThreshold = props.quality.threshold;
      this.qualityAlarm = new cloudwatch.Alarm(this, 'QualityAlarm', {
        alarmName: this.qualityAlarmName,
        alarmDescription: `Model quality on endpoint ${this.endpointName}: ${this.qualityMetric} on ground truth is ${props.quality.threshold} or `
          + `${maximize ? 'less' : 'more'}. The platform starts retraining when this alarm goes into ALARM.`,
        metric: this.metricQuality(),
        threshold: props.quality.threshold,
        comparisonOperator: maximize
          ? cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD
          : cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: d.evaluationPeriods,
        datapointsToAlarm: d.evaluationPeriods,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    if (props.alertTopic) {
      // "Automating AWS Glue with EventBridge" (AWS Glue developer guide): "Glue Job State Change"
      // events are generated for SUCCEEDED, FAILED, TIMEOUT and STOPPED, with detail fields
      // jobName, severity, state, jobRunId and message.
      this.failedRunRule = new events.Rule(this, 'FailedRuns', {
        description: `Failed, timed-out or stopped runs of the drift job of endpoint ${this.endpointName}`,
        eventPattern: {
          source: ['aws.glue'],
          detailType: ['Glue Job State Change'],
          detail: { jobName: [this.jobName], state: [...FAILED_GLUE_JOB_STATES] },
        },
      });
      this.failedRunRule.addTarget(deliverReliably(new targets.SnsTopic(props.alertTopic, {
        message: events.RuleTargetInput.fromObject({
          alert: 'Drift job run failed',
          endpoint: this.endpointName,
          job: events.EventField.fromPath('$.detail.jobName'),
          runId: events.EventField.fromPath('$.detail.jobRunId'),
          state: events.EventField.fromPath('$.detail.state'),
          message: events.EventField.fromPath('$.detail.message'),
        }),
      }), { alarmTopic: props.alertTopic }));
    }
  }

  /**
   * What the drift alarm watches: the MAX over the per-feature FeatureDrift metrics (endpoint and
   * feature dimensions) of the declared features, so that the alarm reads the drift of each feature;
   * past ten features, the job's MaxFeatureDrift (an alarm on metric math can reference at most ten
   * metrics: CloudWatch User Guide, "Limits that apply to alarms based on metric math expressions").
   */
  private driftAlarmMetric(): cloudwatch.IMetric {
    if (this.features.length === 0 || this.features.length > MAX_ALARM_METRICS) return this.metricMaxDrift();
    const usingMetrics = Object.fromEntries(this.features.map((f, i) => [`f${i}`, this.metricFeatureDrift(f)]));
    return new cloudwatch.MathExpression({
      expression: `MAX([${Object.keys(usingMetrics).join(', ')}])`,
      usingMetrics,
      label: `largest drift of ${this.features.join(', ')}`,
      period: this.metricMaxDrift().period,
    });
  }

  public metricMaxDrift(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(DRIFT_METRIC_SPEC.metrics.maxDrift, 'Maximum', {}, props);
  }

  public metricFeatureDrift(feature: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!DRIFT_FEATURE.test(feature)) {
      const v = new Validator(this);
      v.fail('feature', feature, 'must be a column name: a letter or "_", then up to 254 letters, digits, "_", "." or "-"');
      v.throwIfAny();
    }
    return this.metric(DRIFT_METRIC_SPEC.metrics.featureDrift, 'Maximum', { [DRIFT_METRIC_SPEC.dimensions.feature]: feature }, props);
  }

  public metricCapturedRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(DRIFT_METRIC_SPEC.metrics.capturedRecords, 'Sum', {}, props);
  }

  public metricInsufficientData(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(DRIFT_METRIC_SPEC.metrics.insufficientData, 'Maximum', {}, props);
  }

  public metricQuality(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(DRIFT_METRIC_SPEC.metrics.modelQuality, 'Average', { [DRIFT_METRIC_SPEC.dimensions.qualityMetric]: this.qualityMetric }, props);
  }

  public metricGroundTruthSamples(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(DRIFT_METRIC_SPEC.metrics.groundTruthSamples, 'Sum', {}, props);
  }

  /** One metric of DRIFT_METRIC_SPEC for this endpoint: the only place names and dimensions meet. */
  private metric(metricName: string, statistic: string, dimensions: Record<string, string>, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: DRIFT_METRIC_SPEC.namespace,
      metricName,
      dimensionsMap: { [DRIFT_METRIC_SPEC.dimensions.endpoint]: this.endpointName, ...dimensions },
      statistic,
      period: DRIFT_MONITOR_DEFAULTS.period,
      ...props,
    });
  }
}
