import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct, IConstruct } from 'constructs';
import { Validator } from '../core/errors';
import { dashedName } from '../core/naming';
import { MODEL_MONITOR_DEFAULTS, ModelMonitorProps, ModelQualityMetric, ModelQualityMonitorOptions } from './model-monitor-props';
import * as perms from './perms';
import { S3UriGrants, grantJobBasics } from './private/model-monitor-grants';
import { analyzerImageUri } from './private/model-monitor-image';
import {
  ANALYZER_ENVIRONMENT, DATA_METRICS_NAMESPACE, DRIFT_METRIC_PREFIX, ENDPOINT_LOCAL_PATH, MODEL_METRICS_NAMESPACE,
  jobDefinitionName, renderCluster, renderNetwork, renderOffset, renderOutput,
} from './private/model-monitor-render';
import { parseMonitorSchedule } from './private/model-monitor-schedule';
import { FEATURE_NAME, validateModelMonitorProps } from './private/model-monitor-validate';

/** Metric options with the model-quality metric they are about. */
export interface ModelQualityMetricOptions extends cloudwatch.MetricOptions {
  /**
   * The metric.
   * @default the alarmed metric (modelQuality.qualityMetric)
   */
  readonly qualityMetric?: ModelQualityMetric;
}

/** A Model Monitor as dashboards, alarms and the retraining loop see it. */
export interface IModelMonitor extends IConstruct {
  /** Name of the monitored endpoint. */
  readonly endpointName: string;
  /** Name of the data-quality monitoring schedule (a literal). */
  readonly dataQualityScheduleName: string;
  /** Name of the model-quality monitoring schedule, when model quality is monitored. */
  readonly modelQualityScheduleName?: string;
  /** The alarm on the largest baseline drift of the watched features. */
  readonly driftAlarm: cloudwatch.IAlarm;
  /** Name of the drift alarm: a literal known at synth, for wiring by name from another stack. */
  readonly driftAlarmName: string;
  /** The alarm on the model-quality metric, when model quality is monitored. */
  readonly qualityAlarm?: cloudwatch.IAlarm;
  /** Name of the quality alarm (a literal), when model quality is monitored. */
  readonly qualityAlarmName?: string;
  /** Baseline drift of one feature (aws/sagemaker/Endpoints/data-metrics feature_baseline_drift_<feature>; Maximum over 1 hour). */
  metricFeatureDrift(feature: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** The largest baseline drift of the watched features (metric math MAX over metricFeatureDrift of each; Maximum over 1 hour). */
  metricDataDrift(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression;
  /** A model-quality metric (aws/sagemaker/Endpoints/model-metrics <metric>; Average over 1 hour); needs model-quality monitoring. */
  metricModelQuality(props?: ModelQualityMetricOptions): cloudwatch.Metric;
}

/** Schedule names claimed per app, keyed by account, region and name, to catch duplicates at synth. */
const CLAIMED = new WeakMap<IConstruct, Map<string, string>>();

/**
 * SageMaker Model Monitor for one endpoint: a data-quality job definition and hourly schedule (by
 * default) that compare the captured traffic with baselines kept in the lakehouse and publish
 * per-feature drift metrics, one drift alarm on the largest drift of the features you name, and
 * optionally a model-quality job definition, schedule and alarm on one quality metric.
 *
 * The jobs run the AWS-owned analyzer image with network isolation, inter-container encryption,
 * KMS-encrypted volumes and reports (the lakehouse key), optionally in a VPC, as one role that can
 * read exactly the capture prefix, the baselines and the ground truth, and write exactly the
 * report prefix. Nothing here holds data, so nothing needs retaining: job definitions have
 * generated names and are replaced on change; schedules and alarms have fixed names derived from
 * `monitorName`, so that other stacks can refer to them by name.
 *
 * Default layout in the lakehouse zone bucket (analytics by default), which the baselining step
 * of the training workflow and the labelling process write to:
 * `model-monitor/<endpoint>/baseline/data-quality/{constraints,statistics}.json`,
 * `.../baseline/model-quality/constraints.json`, `.../ground-truth/` and `.../reports/`.
 *
 * @example
 * // given: stack: Stack; endpoint: IInferenceEndpoint; lakehouse: IDataLakehouse
 * const monitor = new ModelMonitor(stack, 'ChurnMonitor', {
 *   endpoint, lakehouse,
 *   dataQuality: { driftFeatures: ['tenure', 'monthly_charges'] },
 *   modelQuality: { problemType: ModelQualityProblemType.BINARY_CLASSIFICATION, qualityThreshold: 0.75 },
 * });
 * // Another stack starts retraining on `monitor.driftAlarmName` without referencing this one.
 * RetrainTrigger.onAlarmName(monitor.driftAlarmName);
 */
export class ModelMonitor extends Construct implements IModelMonitor {
  public readonly endpointName: string;
  public readonly dataQualityScheduleName: string;
  public readonly modelQualityScheduleName?: string;
  public readonly driftAlarm: cloudwatch.IAlarm;
  public readonly driftAlarmName: string;
  public readonly qualityAlarm?: cloudwatch.IAlarm;
  public readonly qualityAlarmName?: string;
  /** The role every monitoring job runs as. */
  public readonly role: iam.IRole;
  /** The features the drift alarm watches. */
  public readonly driftFeatures: readonly string[];
  /** The metric the quality alarm watches, when model quality is monitored. */
  public readonly qualityMetric?: ModelQualityMetric;
  /** The analyzer image the jobs run. */
  public readonly imageUri: string;
  /** `s3://` URI of the data-quality baseline constraints. */
  public readonly dataQualityConstraintsUri: string;
  /** `s3://` URI of the data-quality baseline statistics. */
  public readonly dataQualityStatisticsUri: string;
  /** `s3://` URI of the model-quality baseline constraints, when model quality is monitored. */
  public readonly modelQualityConstraintsUri?: string;
  /** `s3://` prefix of the ground-truth labels, when model quality is monitored. */
  public readonly groundTruthUri?: string;
  /** `s3://` prefix under which both jobs write their reports (`data-quality/`, `model-quality/`). */
  public readonly reportsUri: string;

  private readonly s3: S3UriGrants;
  private readonly lakehouseKey: kms.IKey;

  constructor(scope: Construct, id: string, props: ModelMonitorProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const namePart = props.monitorName ?? id;
    const name = (...parts: string[]) => dashedName(this, Number.MAX_SAFE_INTEGER, namePart, ...parts);
    const dataScheduleName = name('data-quality');
    const claimKey = `${stack.account}|${stack.region}|${dataScheduleName}`;
    const claimed = CLAIMED.get(this.node.root) ?? new Map<string, string>();
    const v = new Validator(this);
    validateModelMonitorProps(v, props, {
      longestScheduleName: props.modelQuality ? name('model-quality') : dataScheduleName,
      namePart,
      fromId: props.monitorName === undefined,
      takenBy: claimed.get(claimKey),
      region: stack.region,
    });
    this.checkCaptureBucket(v, props);
    v.throwIfAny();
    claimed.set(claimKey, this.node.path);
    CLAIMED.set(this.node.root, claimed);

    const d = props.dataQuality;
    this.endpointName = props.endpoint.endpointName;
    this.driftFeatures = [...d.driftFeatures];
    this.dataQualityScheduleName = dataScheduleName;
    this.lakehouseKey = props.lakehouse.encryptionKey;
    const bucket = props.lakehouse.zoneBucket(props.zone ?? MODEL_MONITOR_DEFAULTS.zone);
    const base = `s3://${bucket.bucketName}/${props.prefix ?? MODEL_MONITOR_DEFAULTS.prefix}${this.endpointName}/`;
    this.dataQualityConstraintsUri = d.baselineConstraintsUri ?? `${base}baseline/data-quality/constraints.json`;
    this.dataQualityStatisticsUri = d.baselineStatisticsUri ?? `${base}baseline/data-quality/statistics.json`;
    this.reportsUri = `${base}reports/`;
    this.imageUri = props.imageUri ?? analyzerImageUri(this);
    const volumeKey = props.volumeEncryptionKey ?? this.lakehouseKey;
    this.s3 = new S3UriGrants(this, this.lakehouseKey);

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Model Monitor jobs of ${this.node.path}`,
    });
    this.role = role;
    this.s3.prefix(role, props.endpoint.dataCaptureLocation!, perms.S3_OBJECT_READ, perms.KMS_READ,
      'Model Monitor reads every capture file of the endpoint (one object per batch of requests) under its capture prefix.');
    this.s3.object(role, this.dataQualityConstraintsUri, perms.S3_OBJECT_READ, perms.KMS_READ);
    this.s3.object(role, this.dataQualityStatisticsUri, perms.S3_OBJECT_READ, perms.KMS_READ);
    this.s3.prefix(role, this.reportsUri, perms.S3_REPORTS, perms.KMS_WRITE,
      'Each run writes its reports (and the model-quality merge step its merged data) under a new dated key of the report prefix.');
    const { network } = renderNetwork(this, props.vpc, props.subnets, props.securityGroups);
    grantJobBasics(role, {
      volumeKey,
      namespaces: props.modelQuality ? [DATA_METRICS_NAMESPACE, MODEL_METRICS_NAMESPACE] : [DATA_METRICS_NAMESPACE],
      vpc: props.vpc !== undefined,
    });

    const dataJob = new sagemaker.CfnDataQualityJobDefinition(this, 'DataQualityJobDefinition', {
      roleArn: role.roleArn,
      dataQualityAppSpecification: { imageUri: this.imageUri, environment: { ...ANALYZER_ENVIRONMENT } },
      dataQualityBaselineConfig: {
        constraintsResource: { s3Uri: this.dataQualityConstraintsUri },
        statisticsResource: { s3Uri: this.dataQualityStatisticsUri },
      },
      dataQualityJobInput: {
        endpointInput: { endpointName: this.endpointName, localPath: ENDPOINT_LOCAL_PATH, s3InputMode: 'File', s3DataDistributionType: 'FullyReplicated' },
      },
      dataQualityJobOutputConfig: renderOutput(`${this.reportsUri}data-quality/`, this.lakehouseKey.keyArn),
      jobResources: { clusterConfig: renderCluster(d, volumeKey.keyArn) },
      networkConfig: network,
      stoppingCondition: { maxRuntimeInSeconds: (d.maxRuntime ?? MODEL_MONITOR_DEFAULTS.dataQualityMaxRuntime).toSeconds() },
    });
    // SageMaker checks the role's access when it creates the definition.
    dataJob.node.addDependency(role);
    const dataSchedule = d.scheduleExpression ?? MODEL_MONITOR_DEFAULTS.scheduleExpression;
    const schedule = new sagemaker.CfnMonitoringSchedule(this, 'DataQualitySchedule', {
      monitoringScheduleName: this.dataQualityScheduleName,
      endpointName: this.endpointName,
      monitoringScheduleConfig: {
        monitoringJobDefinitionName: jobDefinitionName(dataJob.attrJobDefinitionArn),
        monitoringType: 'DataQuality',
        scheduleConfig: { scheduleExpression: dataSchedule },
      },
    });
    // The endpoint (and its data capture) must exist before a schedule can watch it.
    schedule.node.addDependency(props.endpoint.node.defaultChild ?? props.endpoint);

    this.driftAlarmName = dashedName(this, 255, namePart, 'data-drift');
    const dataHours = intervalHours(dataSchedule);
    this.driftAlarm = new cloudwatch.Alarm(this, 'DriftAlarm', {
      alarmName: this.driftAlarmName,
      alarmDescription: `Data drift on endpoint ${this.endpointName}: the largest baseline drift of ${this.driftFeatures.join(', ')} ` +
        `exceeds ${d.driftThreshold ?? MODEL_MONITOR_DEFAULTS.driftThreshold} (Model Monitor schedule ${this.dataQualityScheduleName}). ` +
        'The platform starts retraining when this alarm goes into ALARM.',
      metric: this.metricDataDrift({ period: Duration.hours(dataHours) }),
      threshold: d.driftThreshold ?? MODEL_MONITOR_DEFAULTS.driftThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: MODEL_MONITOR_DEFAULTS.alarmEvaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    if (props.modelQuality) {
      const q = this.modelQuality(props.modelQuality, namePart, base, role, volumeKey, network, props);
      this.modelQualityScheduleName = q.scheduleName;
      this.qualityMetric = q.metric;
      this.modelQualityConstraintsUri = q.constraintsUri;
      this.groundTruthUri = q.groundTruthUri;
      this.qualityAlarmName = q.alarmName;
      this.qualityAlarm = q.alarm;
    }
  }

  public metricFeatureDrift(feature: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!FEATURE_NAME.test(feature)) {
      const v = new Validator(this);
      v.fail('feature', feature, 'must be 1 to 232 letters, digits, "_", "-" or "." (a column name of the baseline statistics)');
      v.throwIfAny();
    }
    return new cloudwatch.Metric({
      namespace: DATA_METRICS_NAMESPACE,
      metricName: `${DRIFT_METRIC_PREFIX}${feature}`,
      dimensionsMap: { Endpoint: this.endpointName, MonitoringSchedule: this.dataQualityScheduleName },
      statistic: 'Maximum',
      period: Duration.hours(1),
      ...props,
    });
  }

  public metricDataDrift(props: cloudwatch.MathExpressionOptions = {}): cloudwatch.MathExpression {
    const period = props.period ?? Duration.hours(1);
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    this.driftFeatures.forEach((f, i) => { usingMetrics[`m${i}`] = this.metricFeatureDrift(f, { period }); });
    return new cloudwatch.MathExpression({
      expression: `MAX([${Object.keys(usingMetrics).join(',')}])`,
      usingMetrics,
      label: 'Largest feature baseline drift',
      ...props,
      period,
    });
  }

  public metricModelQuality(props: ModelQualityMetricOptions = {}): cloudwatch.Metric {
    if (!this.modelQualityScheduleName || !this.qualityMetric) {
      const v = new Validator(this);
      v.fail('modelQuality', undefined, 'must be set to use metricModelQuality(): only a model-quality schedule publishes these metrics');
      v.throwIfAny();
    }
    const { qualityMetric, ...options } = props;
    return new cloudwatch.Metric({
      namespace: MODEL_METRICS_NAMESPACE,
      metricName: (qualityMetric ?? this.qualityMetric!).name,
      dimensionsMap: { Endpoint: this.endpointName, MonitoringSchedule: this.modelQualityScheduleName! },
      statistic: 'Average',
      period: Duration.hours(1),
      ...options,
    });
  }

  /**
   * Lets the grantee write the baselines (the baselining step of the training workflow): the
   * baseline objects of both kinds, with the lakehouse key.
   */
  public grantWriteBaselines(grantee: iam.IGrantable): iam.Grant {
    const uris = [this.dataQualityConstraintsUri, this.dataQualityStatisticsUri, ...(this.modelQualityConstraintsUri ? [this.modelQualityConstraintsUri] : [])];
    return uris.map((u) => this.s3.object(grantee, u, perms.S3_OBJECT_WRITE, perms.KMS_WRITE)).reduce((a, b) => a.combine(b));
  }

  /** Lets the grantee upload ground-truth labels (the labelling process), with the lakehouse key; needs model-quality monitoring. */
  public grantWriteGroundTruth(grantee: iam.IGrantable): iam.Grant {
    if (!this.groundTruthUri) {
      const v = new Validator(this);
      v.fail('modelQuality', undefined, 'must be set to use grantWriteGroundTruth(): only model-quality monitoring reads ground truth');
      v.throwIfAny();
    }
    return this.s3.prefix(grantee, this.groundTruthUri!, perms.S3_OBJECT_WRITE, perms.KMS_WRITE,
      'Labelling uploads one object per batch of labels under the dated keys of the ground-truth prefix.');
  }

  private modelQuality(q: ModelQualityMonitorOptions, namePart: string, base: string, role: iam.IRole, volumeKey: kms.IKey,
    network: sagemaker.CfnModelQualityJobDefinition.NetworkConfigProperty, props: ModelMonitorProps) {
    const scheduleName = dashedName(this, Number.MAX_SAFE_INTEGER, namePart, 'model-quality');
    const metric = q.qualityMetric ?? MODEL_MONITOR_DEFAULTS.qualityMetric[q.problemType.name];
    const constraintsUri = q.baselineConstraintsUri ?? `${base}baseline/model-quality/constraints.json`;
    const groundTruthUri = q.groundTruthUri ?? `${base}ground-truth/`;
    this.s3.object(role, constraintsUri, perms.S3_OBJECT_READ, perms.KMS_READ);
    this.s3.prefix(role, groundTruthUri, perms.S3_OBJECT_READ, perms.KMS_READ,
      'The model-quality merge step reads the ground-truth labels of each analysed hour under the dated keys of the ground-truth prefix.');

    const job = new sagemaker.CfnModelQualityJobDefinition(this, 'ModelQualityJobDefinition', {
      roleArn: role.roleArn,
      modelQualityAppSpecification: { imageUri: this.imageUri, problemType: q.problemType.name, environment: { ...ANALYZER_ENVIRONMENT } },
      modelQualityBaselineConfig: { constraintsResource: { s3Uri: constraintsUri } },
      modelQualityJobInput: {
        endpointInput: {
          endpointName: this.endpointName,
          localPath: ENDPOINT_LOCAL_PATH,
          s3InputMode: 'File',
          s3DataDistributionType: 'FullyReplicated',
          inferenceAttribute: q.inferenceAttribute,
          probabilityAttribute: q.probabilityAttribute,
          probabilityThresholdAttribute: q.probabilityThreshold,
          startTimeOffset: renderOffset(q.startTimeOffset),
          endTimeOffset: renderOffset(q.endTimeOffset),
        },
        groundTruthS3Input: { s3Uri: groundTruthUri },
      },
      modelQualityJobOutputConfig: renderOutput(`${this.reportsUri}model-quality/`, this.lakehouseKey.keyArn),
      jobResources: { clusterConfig: renderCluster(q, volumeKey.keyArn) },
      networkConfig: network,
      stoppingCondition: { maxRuntimeInSeconds: (q.maxRuntime ?? MODEL_MONITOR_DEFAULTS.modelQualityMaxRuntime).toSeconds() },
    });
    job.node.addDependency(role);
    const expression = q.scheduleExpression ?? MODEL_MONITOR_DEFAULTS.scheduleExpression;
    const schedule = new sagemaker.CfnMonitoringSchedule(this, 'ModelQualitySchedule', {
      monitoringScheduleName: scheduleName,
      endpointName: this.endpointName,
      monitoringScheduleConfig: {
        monitoringJobDefinitionName: jobDefinitionName(job.attrJobDefinitionArn),
        monitoringType: 'ModelQuality',
        scheduleConfig: { scheduleExpression: expression },
      },
    });
    schedule.node.addDependency(props.endpoint.node.defaultChild ?? props.endpoint);

    const alarmName = dashedName(this, 255, namePart, 'model-quality');
    const direction = metric.lowerIsWorse ? 'below' : 'above';
    const alarm = new cloudwatch.Alarm(this, 'QualityAlarm', {
      alarmName,
      alarmDescription: `Model quality on endpoint ${this.endpointName}: ${metric.name} ${direction} ${q.qualityThreshold} ` +
        `(Model Monitor schedule ${scheduleName}).`,
      metric: new cloudwatch.Metric({
        namespace: MODEL_METRICS_NAMESPACE,
        metricName: metric.name,
        dimensionsMap: { Endpoint: this.endpointName, MonitoringSchedule: scheduleName },
        // The worst value in the period decides.
        statistic: metric.lowerIsWorse ? 'Minimum' : 'Maximum',
        period: Duration.hours(intervalHours(expression)),
      }),
      threshold: q.qualityThreshold,
      comparisonOperator: metric.lowerIsWorse ? cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD : cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: MODEL_MONITOR_DEFAULTS.alarmEvaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return { scheduleName, metric, constraintsUri, groundTruthUri, alarmName, alarm };
  }

  /**
   * The captured data must be in a zone bucket of the lakehouse: its key decrypts it (the
   * endpoint encrypts captures with the key of the lakehouse it captures into).
   */
  private checkCaptureBucket(v: Validator, props: ModelMonitorProps): void {
    const location = props.endpoint?.dataCaptureLocation;
    if (location === undefined) return;
    const inLakehouse = props.lakehouse.zones.some((z) => location.startsWith(`s3://${props.lakehouse.zoneBucket(z).bucketName}/`));
    v.check(inLakehouse, 'lakehouse', props.lakehouse.node.path,
      `must be the lakehouse the endpoint captures into: its capture location ${location.includes('${Token') ? '(a token)' : `"${location}"`} is in none of its zone buckets`);
  }
}

/**
 * Hours between runs of an accepted schedule: the alarm's period, so that each period holds one
 * run and the alarm stays in ALARM until a run is back under the threshold (one retraining per
 * episode). A token expression falls back to hourly.
 */
function intervalHours(expression: string): number {
  return parseMonitorSchedule(expression).intervalHours ?? 1;
}
