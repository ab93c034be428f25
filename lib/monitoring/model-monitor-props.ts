import { Duration, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { MlInstanceType } from '../core/ml-instance-type';
import type { IInferenceEndpoint } from '../inference/inference-endpoint';
import type { IDataLakehouse } from '../lakehouse/data-lakehouse';
import { LakehouseZone } from '../lakehouse/zone';

/** @deprecated use {@link MlInstanceType}; this name is an alias of it. */
export const MonitoringInstanceType = MlInstanceType;
/** @deprecated use {@link MlInstanceType} */
export type MonitoringInstanceType = MlInstanceType;

/** The machine-learning problem a model-quality job evaluates (ModelQualityAppSpecification.ProblemType). */
export class ModelQualityProblemType {
  /** Two classes; metrics such as auc, f1, precision and recall. */
  public static readonly BINARY_CLASSIFICATION = new ModelQualityProblemType('BinaryClassification');
  /** More than two classes; weighted metrics such as weighted_f1. */
  public static readonly MULTICLASS_CLASSIFICATION = new ModelQualityProblemType('MulticlassClassification');
  /** A continuous target; metrics such as rmse, mae, mse and r2. */
  public static readonly REGRESSION = new ModelQualityProblemType('Regression');
  /** Problem types `custom` accepts: the values CloudFormation allows. */
  public static readonly SUPPORTED: readonly string[] = ['BinaryClassification', 'MulticlassClassification', 'Regression'];

  /** A problem type from configuration; validated against `SUPPORTED` at synth. */
  public static custom(name: string): ModelQualityProblemType {
    return new ModelQualityProblemType(name);
  }

  private constructor(
    /** The value CloudFormation expects, for example `BinaryClassification`. */
    public readonly name: string,
  ) {}
}

const CLASSIFICATION = ['BinaryClassification', 'MulticlassClassification'];
const BINARY = ['BinaryClassification'];
const MULTICLASS = ['MulticlassClassification'];
const REGRESSION = ['Regression'];

/**
 * A model-quality metric that Model Monitor publishes to CloudWatch (namespace
 * `aws/sagemaker/Endpoints/model-metrics`), with the problem types it exists for and the direction
 * in which it gets worse. The alarm's comparison follows the direction: below the threshold for
 * metrics where lower is worse (accuracy, auc, f1, r2...), above it for error metrics (rmse, mae,
 * mse, false positive and false negative rates).
 */
export class ModelQualityMetric {
  /** Share of correct predictions (binary and multiclass). */
  public static readonly ACCURACY = new ModelQualityMetric('accuracy', CLASSIFICATION, true, 0, 1);
  /** Precision of the positive class. */
  public static readonly PRECISION = new ModelQualityMetric('precision', BINARY, true, 0, 1);
  /** Recall of the positive class. */
  public static readonly RECALL = new ModelQualityMetric('recall', BINARY, true, 0, 1);
  /** F0.5 score. */
  public static readonly F0_5 = new ModelQualityMetric('f0_5', BINARY, true, 0, 1);
  /** F1 score. */
  public static readonly F1 = new ModelQualityMetric('f1', BINARY, true, 0, 1);
  /** F2 score. */
  public static readonly F2 = new ModelQualityMetric('f2', BINARY, true, 0, 1);
  /** Area under the ROC curve (the default for binary classification: independent of the probability threshold). */
  public static readonly AUC = new ModelQualityMetric('auc', BINARY, true, 0, 1);
  /** Area under the precision-recall curve. */
  public static readonly AU_PRC = new ModelQualityMetric('au_prc', BINARY, true, 0, 1);
  /** True positive rate. */
  public static readonly TRUE_POSITIVE_RATE = new ModelQualityMetric('true_positive_rate', BINARY, true, 0, 1);
  /** True negative rate. */
  public static readonly TRUE_NEGATIVE_RATE = new ModelQualityMetric('true_negative_rate', BINARY, true, 0, 1);
  /** False positive rate (higher is worse). */
  public static readonly FALSE_POSITIVE_RATE = new ModelQualityMetric('false_positive_rate', BINARY, false, 0, 1);
  /** False negative rate (higher is worse). */
  public static readonly FALSE_NEGATIVE_RATE = new ModelQualityMetric('false_negative_rate', BINARY, false, 0, 1);
  /** Class-weighted precision. */
  public static readonly WEIGHTED_PRECISION = new ModelQualityMetric('weighted_precision', MULTICLASS, true, 0, 1);
  /** Class-weighted recall. */
  public static readonly WEIGHTED_RECALL = new ModelQualityMetric('weighted_recall', MULTICLASS, true, 0, 1);
  /** Class-weighted F0.5 score. */
  public static readonly WEIGHTED_F0_5 = new ModelQualityMetric('weighted_f0_5', MULTICLASS, true, 0, 1);
  /** Class-weighted F1 score (the default for multiclass classification). */
  public static readonly WEIGHTED_F1 = new ModelQualityMetric('weighted_f1', MULTICLASS, true, 0, 1);
  /** Class-weighted F2 score. */
  public static readonly WEIGHTED_F2 = new ModelQualityMetric('weighted_f2', MULTICLASS, true, 0, 1);
  /** Mean absolute error (higher is worse). */
  public static readonly MAE = new ModelQualityMetric('mae', REGRESSION, false, 0, Infinity);
  /** Mean squared error (higher is worse). */
  public static readonly MSE = new ModelQualityMetric('mse', REGRESSION, false, 0, Infinity);
  /** Root mean squared error (higher is worse; the default for regression: in the target's own unit). */
  public static readonly RMSE = new ModelQualityMetric('rmse', REGRESSION, false, 0, Infinity);
  /** Coefficient of determination (lower is worse; at most 1). */
  public static readonly R2 = new ModelQualityMetric('r2', REGRESSION, true, -Infinity, 1);

  /** Every metric above. */
  public static readonly ALL: readonly ModelQualityMetric[] = [
    ModelQualityMetric.ACCURACY, ModelQualityMetric.PRECISION, ModelQualityMetric.RECALL, ModelQualityMetric.F0_5,
    ModelQualityMetric.F1, ModelQualityMetric.F2, ModelQualityMetric.AUC, ModelQualityMetric.AU_PRC,
    ModelQualityMetric.TRUE_POSITIVE_RATE, ModelQualityMetric.TRUE_NEGATIVE_RATE, ModelQualityMetric.FALSE_POSITIVE_RATE,
    ModelQualityMetric.FALSE_NEGATIVE_RATE, ModelQualityMetric.WEIGHTED_PRECISION, ModelQualityMetric.WEIGHTED_RECALL,
    ModelQualityMetric.WEIGHTED_F0_5, ModelQualityMetric.WEIGHTED_F1, ModelQualityMetric.WEIGHTED_F2,
    ModelQualityMetric.MAE, ModelQualityMetric.MSE, ModelQualityMetric.RMSE, ModelQualityMetric.R2,
  ];

  /** A metric by its CloudWatch name, for input from configuration; an unknown name fails validation. */
  public static custom(name: string): ModelQualityMetric {
    return ModelQualityMetric.ALL.find((m) => m.name === name) ?? new ModelQualityMetric(name, [], true, -Infinity, Infinity);
  }

  private constructor(
    /** The CloudWatch metric name, for example `auc`. */
    public readonly name: string,
    /** The problem types (ProblemType values) that publish this metric; empty for an unknown metric. */
    public readonly problemTypes: readonly string[],
    /** True when a lower value means a worse model (the alarm fires below the threshold). */
    public readonly lowerIsWorse: boolean,
    /** Smallest value the metric can take. */
    public readonly min: number,
    /** Largest value the metric can take. */
    public readonly max: number,
  ) {}
}

/** What every monitoring job has: its schedule and its processing cluster. */
export interface MonitoringJobOptions {
  /**
   * When the job runs. Model Monitor accepts only `cron(0 * ? * * *)` (hourly), `cron(0 H ? * * *)`
   * (daily at hour H, UTC) and `cron(0 H/N ? * * *)` (every N hours from hour H); anything else
   * fails validation. Runs start up to 20 minutes after the scheduled time.
   * @default 'cron(0 * ? * * *)'
   */
  readonly scheduleExpression?: string;
  /**
   * Processing instance type (`ml.m5.xlarge` is the size the SageMaker SDK uses for Model Monitor).
   * @default MlInstanceType.M5_XLARGE
   */
  readonly instanceType?: MlInstanceType;
  /**
   * Processing instances, 1 to 100.
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * Storage volume of each instance, a whole number of GiB from 1 to 16384; encrypted with the
   * volume key.
   * @default Size.gibibytes(30)
   */
  readonly volumeSize?: Size;
}

/**
 * Data-quality monitoring: compares the captured requests with baseline statistics and constraints
 * every run and publishes `feature_baseline_drift_<feature>` (the distance between the baseline and
 * the captured distribution of a feature) to CloudWatch, where the drift alarm watches it. It is
 * always on: the drift alarm is what the platform's retraining loop listens to.
 */
export interface DataQualityMonitorOptions extends MonitoringJobOptions {
  /**
   * Features (column names from the baseline statistics) whose drift the drift alarm watches: 1 to
   * 10 (a metric-math alarm takes at most 10 metrics), each unique, made of letters, digits, `_`,
   * `-` and `.`, at most 232 characters (the metric name is `feature_baseline_drift_<feature>`).
   */
  readonly driftFeatures: string[];
  /**
   * The drift alarm fires when the largest drift of the watched features exceeds this, a number
   * above 0 and at most 1. Baselining suggests a distribution-comparison threshold of 0.1, at which
   * Model Monitor reports a violation; the alarm starts retraining, which is expensive, so it waits
   * for twice that distance: a clear shift rather than noise around the violation threshold.
   * @default 0.2
   */
  readonly driftThreshold?: number;
  /**
   * `s3://` URI of the baseline constraints (constraints.json). The lakehouse key must be able to
   * decrypt it (or it is SSE-S3); grant any other key to `role` yourself.
   * @default `s3://<zone bucket>/<prefix><endpoint name>/baseline/data-quality/constraints.json`
   */
  readonly baselineConstraintsUri?: string;
  /**
   * `s3://` URI of the baseline statistics (statistics.json), readable like the constraints.
   * @default `s3://<zone bucket>/<prefix><endpoint name>/baseline/data-quality/statistics.json`
   */
  readonly baselineStatisticsUri?: string;
  /**
   * Longest a run may take: whole seconds, at most the schedule's interval (3600 seconds for an
   * hourly schedule) and at most 24 hours.
   * @default Duration.hours(1)
   */
  readonly maxRuntime?: Duration;
}

/**
 * Model-quality monitoring: merges the captured predictions with ground-truth labels you upload and
 * publishes quality metrics (auc, f1, rmse...) to CloudWatch, where the quality alarm watches one.
 */
export interface ModelQualityMonitorOptions extends MonitoringJobOptions {
  /** The problem the model solves; decides which metrics exist. */
  readonly problemType: ModelQualityProblemType;
  /**
   * The alarm threshold on `qualityMetric`: the alarm fires below it for metrics where lower is
   * worse and above it for error metrics. Classification metrics lie in [0, 1]; mae, mse and rmse
   * are at least 0; r2 is at most 1.
   */
  readonly qualityThreshold: number;
  /**
   * The metric the quality alarm watches; it must exist for `problemType`.
   * @default ModelQualityMetric.AUC for binary, WEIGHTED_F1 for multiclass classification, RMSE for regression
   */
  readonly qualityMetric?: ModelQualityMetric;
  /**
   * `s3://` prefix where ground-truth labels arrive (in Model Monitor's `yyyy/mm/dd/hh` layout),
   * readable like the baselines.
   * @default `s3://<zone bucket>/<prefix><endpoint name>/ground-truth/`
   */
  readonly groundTruthUri?: string;
  /**
   * `s3://` URI of the model-quality baseline constraints.
   * @default `s3://<zone bucket>/<prefix><endpoint name>/baseline/model-quality/constraints.json`
   */
  readonly baselineConstraintsUri?: string;
  /**
   * Index or JSONPath of the predicted label in the captured output.
   * @default none (Model Monitor reads the whole output as the prediction)
   */
  readonly inferenceAttribute?: string;
  /**
   * Index or JSONPath of the predicted probability in the captured output (classification only).
   * @default none
   */
  readonly probabilityAttribute?: string;
  /**
   * Probability above which a prediction counts as positive, above 0 and below 1 (binary
   * classification with a `probabilityAttribute` only).
   * @default none
   */
  readonly probabilityThreshold?: number;
  /**
   * Start of the analysed window, this long before the run (ground truth arrives late), in whole
   * hours from 1 to 720 (30 days).
   * @default none (SageMaker's window)
   */
  readonly startTimeOffset?: Duration;
  /**
   * End of the analysed window, this long before the run, in whole hours; below `startTimeOffset`.
   * @default none (SageMaker's window)
   */
  readonly endTimeOffset?: Duration;
  /**
   * Longest a run may take: whole seconds, at most 1800 for an hourly schedule, otherwise at most
   * the schedule's interval and 24 hours.
   * @default Duration.minutes(30)
   */
  readonly maxRuntime?: Duration;
}

/** Props of {@link ModelMonitor}. */
export interface ModelMonitorProps {
  /** The endpoint to monitor; it must have data capture on (the `dataCapture` prop of InferenceEndpoint). */
  readonly endpoint: IInferenceEndpoint;
  /**
   * The lakehouse that holds baselines and ground truth and receives the reports, all encrypted
   * with its key.
   */
  readonly lakehouse: IDataLakehouse;
  /** Data-quality monitoring and the drift alarm (always on). */
  readonly dataQuality: DataQualityMonitorOptions;
  /**
   * Model-quality monitoring and the quality alarm.
   * @default no model-quality monitoring
   */
  readonly modelQuality?: ModelQualityMonitorOptions;
  /**
   * Name part of the schedules and alarms: `<project>-<environment>-<monitorName>-data-quality`
   * (schedule, at most 63 characters), `...-data-drift` (alarm) and so on. A literal of lowercase
   * letters and digits, words joined by single hyphens; unique per account and region. The alarm
   * names derive from it, not from the endpoint name, so they are plain strings known at synth
   * even when the endpoint name is a token: another stack can name the alarm (for example in an
   * EventBridge pattern that starts retraining) without referencing this stack, which would
   * otherwise make a dependency cycle.
   * @default the construct id, lowercased with non-alphanumerics turned into hyphens
   */
  readonly monitorName?: string;
  /**
   * Lakehouse zone of the default baseline, ground-truth and report locations.
   * @default LakehouseZone.ANALYTICS
   */
  readonly zone?: LakehouseZone;
  /**
   * Key prefix of the default locations in the zone bucket: `<prefix><endpoint name>/baseline/`,
   * `.../ground-truth/` and `.../reports/`. One or more key segments, each ending with `/`.
   * @default 'model-monitor/'
   */
  readonly prefix?: string;
  /**
   * Analyzer image. Set it only for a region outside the built-in table (the SageMaker SDK's list
   * of `sagemaker-model-monitor-analyzer` registries) or to pin a digest; a private image also
   * needs ECR pull permissions granted to `role`.
   * @default the AWS-owned analyzer image of the stack's region (a CloudFormation mapping when the region is a token)
   */
  readonly imageUri?: string;
  /**
   * Key that encrypts the jobs' storage volumes.
   * @default the lakehouse key
   */
  readonly volumeEncryptionKey?: kms.IKey;
  /**
   * VPC to run the jobs in (they run with network isolation either way).
   * @default no VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of `vpc` for the jobs, 1 to 16.
   * @default the VPC's default selection (private subnets)
   */
  readonly subnets?: ec2.SubnetSelection;
  /**
   * Security groups of the jobs in `vpc`, 1 to 5.
   * @default one new group that allows only outbound HTTPS
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** The documented defaults, in one place; the code reads every default from here. */
export const MODEL_MONITOR_DEFAULTS = {
  zone: LakehouseZone.ANALYTICS,
  prefix: 'model-monitor/',
  scheduleExpression: 'cron(0 * ? * * *)',
  instanceType: MlInstanceType.M5_XLARGE,
  instanceCount: 1,
  volumeSize: Size.gibibytes(30),
  dataQualityMaxRuntime: Duration.hours(1),
  modelQualityMaxRuntime: Duration.minutes(30),
  driftThreshold: 0.2,
  /** The most features one drift alarm can watch (metric-math alarms take at most 10 metrics). */
  maxDriftFeatures: 10,
  /** The alarmed metric per problem type. */
  qualityMetric: {
    BinaryClassification: ModelQualityMetric.AUC,
    MulticlassClassification: ModelQualityMetric.WEIGHTED_F1,
    Regression: ModelQualityMetric.RMSE,
  } as Readonly<Record<string, ModelQualityMetric>>,
  /** Alarms fire on the first run past the threshold: each run publishes one data point. */
  alarmEvaluationPeriods: 1,
} as const;
