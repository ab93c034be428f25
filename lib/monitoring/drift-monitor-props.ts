import { Duration } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { IInferenceEndpoint } from '../inference/inference-endpoint';
import type { IDataLakehouse } from '../lakehouse/data-lakehouse';
import { LakehouseZone } from '../lakehouse/zone';
import type { IModelRegistry } from '../registry/model-registry';

/** The problem a model solves, as the drift job decodes its captured predictions. */
export class DriftProblemType {
  /** A binary classifier whose output is the probability of the positive class (the churn model). */
  public static readonly BINARY_CLASSIFICATION = new DriftProblemType('binary_classification', 'auc');
  /** A regressor whose output is the predicted value. */
  public static readonly REGRESSION = new DriftProblemType('regression', 'rmse');

  private constructor(
    /** The value of the job's `--problem_type` argument. */
    public readonly name: string,
    /** The quality metric published for this problem type when none is given. */
    public readonly defaultQualityMetric: DriftQualityMetricName,
  ) {}
}

/** The model-quality metrics the drift job computes. */
export type DriftQualityMetricName = 'auc' | 'rmse';

/** Whether a larger value of a quality metric is better. */
export const QUALITY_METRIC_GOALS: Readonly<Record<DriftQualityMetricName, 'maximize' | 'minimize'>> = {
  /** Area under the ROC curve of a binary classifier: the alarm fires at or below the threshold. */
  auc: 'maximize',
  /** Root mean squared error of a regressor: the alarm fires at or above the threshold. */
  rmse: 'minimize',
};

/** Model-quality monitoring: ground truth joined with captured predictions by inference ID. */
export interface DriftQualityOptions {
  /**
   * The metric the job publishes and the alarm watches; it must fit the problem type (auc for a
   * binary classifier, rmse for a regressor).
   * @default the problem type's metric: 'auc' for BINARY_CLASSIFICATION, 'rmse' for REGRESSION
   */
  readonly metric?: DriftQualityMetricName;
  /**
   * The quality alarm fires when the metric is at or below this (auc, in (0, 1]) or at or above
   * it (rmse, above 0). Use the threshold the model was registered at.
   */
  readonly threshold: number;
  /**
   * Key prefix in the raw zone bucket where ground truth lands (JSON lines with `inferenceId` and
   * the label, written by the labelling process), one or more segments each ending with `/`.
   * @default 'ground-truth/<endpoint name>/'
   */
  readonly groundTruthPrefix?: string;
}

/** Props of {@link DriftMonitor}. */
export interface DriftMonitorProps {
  /** The endpoint to watch; it must capture data (the `dataCapture` prop of InferenceEndpoint). */
  readonly endpoint: IInferenceEndpoint;
  /** The lakehouse: capture and ground truth are read from it, reports written to its analytics zone. */
  readonly lakehouse: IDataLakehouse;
  /**
   * The registry the endpoint serves versions of (in staging: prod's registry, imported with
   * `ModelRegistry.fromEnvironment`). The job reads the served version's baseline from its artifact bucket.
   */
  readonly registry: IModelRegistry;
  /** The registered model the endpoint serves. */
  readonly model: string;
  /**
   * The SSM parameter that holds the served model package ARN: the one the endpoint's
   * `ModelSource.fromRegistry` reads.
   * @default `/<project>/<env>/models/<model>/approved-package-arn` (approvedPackageParameterName, what ModelSource.fromRegistry reads by default)
   */
  readonly parameterName?: string;
  /**
   * The model's declared features, in input order (the data contract): the dashboard graphs the
   * drift of each. The job itself takes the features from the served version's baseline.
   * @default none (the dashboard shows the largest drift only)
   */
  readonly features?: string[];
  /**
   * The problem the model solves: how the job reads captured predictions, and the default quality metric.
   * @default DriftProblemType.BINARY_CLASSIFICATION
   */
  readonly problemType?: DriftProblemType;
  /**
   * When the job runs: a Glue cron expression `cron(Minutes Hours Day-of-month Month Day-of-week
   * Year)` in UTC, at most every 5 minutes ("Time-based schedules for jobs and crawlers", AWS Glue
   * developer guide; Glue triggers take no `rate(...)`).
   * @default 'cron(0 1 * * ? *)' (daily at 01:00 UTC)
   */
  readonly schedule?: string;
  /**
   * Hours of captured data each run reads, ending at the run's start: a whole number from 1 to 720.
   * @default 24
   */
  readonly windowHours?: number;
  /**
   * Fewest captured records a window must hold for drift to be computed; below it the job
   * publishes InsufficientCapturedData = 1 and no drift. A whole number from 1 to 1,000,000.
   * @default 100
   */
  readonly minRecords?: number;
  /**
   * The drift alarm fires when the largest feature drift (population stability index) of a run
   * is at or above this: above 0 and at most 10. A PSI below 0.1 is usually read as no shift,
   * 0.1-0.2 as a moderate one, above 0.2 as a significant one; retraining is expensive, so it waits
   * for a significant shift.
   * @default 0.2
   */
  readonly driftThreshold?: number;
  /**
   * Model quality on ground truth, with an alarm.
   * @default no model-quality metric or alarm (`--ground_truth_uri none`)
   */
  readonly quality?: DriftQualityOptions;
  /**
   * Topic that receives failed, timed-out and stopped job runs.
   * @default failed runs are not sent anywhere (MonitoringStack passes its alarm topic)
   */
  readonly alertTopic?: sns.ITopic;
  /**
   * Name part of the alarms: `<project>-<environment>-<monitorName>-drift` and `...-quality`,
   * lowercase letters and digits, words joined by single hyphens. Plain strings known at synth, so
   * another stack (retraining) can name them without a reference to this one.
   * @default the construct id, lowercased with non-alphanumerics turned into hyphens
   */
  readonly monitorName?: string;
}

/** The documented defaults and limits, in one place; the code reads every default from here. */
export const DRIFT_MONITOR_DEFAULTS = {
  problemType: DriftProblemType.BINARY_CLASSIFICATION,
  schedule: 'cron(0 1 * * ? *)',
  windowHours: 24,
  maxWindowHours: 720,
  minRecords: 100,
  maxMinRecords: 1_000_000,
  driftThreshold: 0.2,
  maxDriftThreshold: 10,
  /** Zone of the ground truth (`ground-truth/<endpoint>/`). */
  groundTruthZone: LakehouseZone.RAW,
  groundTruthPrefix: 'ground-truth/',
  /** Zone of the reports (`model-monitoring/<endpoint>/`). */
  reportZone: LakehouseZone.ANALYTICS,
  reportPrefix: 'model-monitoring/',
  /** The job: Glue 5.0 Spark (`glueetl`), Python 3, two G.1X workers. */
  glueVersion: '5.0',
  workerType: 'G.1X',
  numberOfWorkers: 2,
  jobTimeout: Duration.hours(1),
  /** Period of the alarms and metric methods: a run publishes one point per window. */
  period: Duration.days(1),
  /** Alarms fire on the first run past the threshold. */
  evaluationPeriods: 1,
} as const;
