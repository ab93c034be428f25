import { Duration, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { SageMakerNetwork } from '../core/environment';
import { MlInstanceType } from '../core/ml-instance-type';
import { IDataLakehouse } from '../lakehouse/data-lakehouse';
import { LakehouseZone } from '../lakehouse/zone';
import { IModelRegistry } from '../registry/model-registry';
import { ClusterEngineOptions } from './cluster-options';
import { RetrainTrigger } from './retrain-trigger';
import { TrainingImage } from './training-image';

/** Where training runs. */
export enum TrainingEngine {
  /** SageMaker processing and training jobs orchestrated by Step Functions (the default). */
  MANAGED = 'managed',
  /** An EKS cluster with GPU node groups that scale to zero, for teams that run their own trainers. */
  CLUSTER = 'cluster',
}

/** Whether a larger or a smaller evaluation metric is better. */
export enum MetricGoal {
  /** Register when metric >= threshold (accuracy, AUC, F1...). */
  MAXIMIZE = 'maximize',
  /** Register when metric <= threshold (RMSE, log loss...). */
  MINIMIZE = 'minimize',
}

/** Options shared by the processing steps (prepare and evaluate). */
export interface ProcessingStepOptions {
  /** Path of the Python script on this machine; uploaded as an asset and run with `python3`. */
  readonly script: string;
  /**
   * SageMaker instance type: `MlInstanceType.M5_XLARGE`, `MlInstanceType.of('ml.g5.2xlarge')`, or
   * (deprecated, kept for 0.x configurations) the name as a string.
   * @default 'ml.m5.xlarge'
   */
  readonly instanceType?: MlInstanceType | string;
  /**
   * Number of instances, 1 to 100.
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * Storage volume per instance, 1 to 16384 GiB.
   * @default 30 GiB
   */
  readonly volumeSize?: Size;
  /**
   * Maximum runtime, 1 minute to 5 days.
   * @default 1 hour
   */
  readonly maxRuntime?: Duration;
}

/** The evaluation step and the gate it feeds. */
export interface EvaluationOptions extends ProcessingStepOptions {
  /**
   * Name of the metric the script writes to `evaluation.json` as `{"metrics": {"<metric>": <number>}}`.
   * Letters, digits and underscores, starting with a letter.
   */
  readonly metric: string;
  /**
   * The model is registered only when the metric passes this threshold. Metrics known to be
   * fractions (accuracy, auc, f1, precision, recall, r2 excluded) must use a threshold in [0, 1].
   */
  readonly threshold: number;
  /**
   * Whether larger or smaller is better.
   * @default MetricGoal.MAXIMIZE
   */
  readonly goal?: MetricGoal;
}

/** The training step. */
export interface TrainingStepOptions {
  /**
   * SageMaker instance type: `MlInstanceType.M5_XLARGE`, `MlInstanceType.of('ml.g5.2xlarge')`, or
   * (deprecated, kept for 0.x configurations) the name as a string.
   * @default 'ml.m5.xlarge'
   */
  readonly instanceType?: MlInstanceType | string;
  /**
   * Number of instances, 1 to 100. Above 1, traffic between instances is encrypted.
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * Storage volume per instance, 1 to 16384 GiB.
   * @default 50 GiB
   */
  readonly volumeSize?: Size;
  /**
   * Maximum training time, 1 minute to 28 days.
   * @default 4 hours
   */
  readonly maxRuntime?: Duration;
  /**
   * Train on managed spot capacity with checkpoints in the artifact bucket.
   * @default true
   */
  readonly spot?: boolean;
  /**
   * With spot: how long to wait for capacity plus train; at least maxRuntime, at most 28 days.
   * @default twice maxRuntime
   */
  readonly maxWait?: Duration;
  /**
   * Hyperparameters passed to the training container. With the built-in XGBoost image they are
   * merged over `{ objective: 'binary:logistic', num_round: '100' }` (num_round is required by the
   * algorithm).
   * @default XGBoost: { objective: 'binary:logistic', num_round: '100' }; other images: none
   */
  readonly hyperparameters?: Record<string, string>;
}

/** The managed engine: export -> prepare -> baseline -> train -> evaluate -> register. */
export interface ManagedTrainingOptions {
  /**
   * The lakehouse table training data is exported from. Each run exports a snapshot-consistent
   * view of it (an Athena `UNLOAD` of the declared columns). An Iceberg table is read at a pinned
   * snapshot (`FOR VERSION AS OF`): the current one, or for a run started with
   * `{ "reproduce": { "modelPackageArn": ... } }` (or `{ "reproduce": { "version": N } }`) the one
   * recorded for that version, whose scripts and hyperparameters are pinned as well. Every
   * registered version records its inputs in its metadata and in
   * `<artifact prefix>runs/<run id>/lineage.json`.
   */
  readonly source: { readonly zone?: LakehouseZone; readonly table: string };
  /**
   * The model's features, in the model's input order: columns of the source table. The export,
   * the prepare and evaluate scripts (`--features`), the endpoint's CSV input and drift checks all
   * derive from this list. Numeric columns with the built-in XGBoost image.
   */
  readonly features: string[];
  /**
   * The features among `features` that are categorical (codes rather than quantities). The
   * retraining workflow's baseline records their category frequencies instead of quantile bins, and
   * the drift job compares them category by category (PSI over categories).
   * @default [] (every feature is numeric)
   */
  readonly categoricalFeatures?: string[];
  /** The label column of the source table (numeric with the built-in XGBoost image). */
  readonly label: string;
  /**
   * The column that identifies a sample; prepare splits train/test by a stable hash of it.
   * @default 'sample_id'
   */
  readonly sampleId?: string;
  /**
   * The image that runs prepare, train and evaluate.
   * @default TrainingImage.xgboost() (sagemaker-xgboost:1.7-1, resolved per region at deploy time)
   */
  readonly image?: TrainingImage;
  /**
   * The image that serves the registered model.
   * @default image
   */
  readonly inferenceImage?: TrainingImage;
  /** The data-preparation processing step. */
  readonly prepare: ProcessingStepOptions;
  /**
   * The training step.
   * @default see TrainingStepOptions
   */
  readonly training?: TrainingStepOptions;
  /** The evaluation processing step and its gate. */
  readonly evaluate: EvaluationOptions;
  /**
   * Maximum duration of one retraining run.
   * @default 12 hours
   */
  readonly runTimeout?: Duration;
}

/** Props of {@link TrainingCluster}. */
export interface TrainingClusterProps {
  /** The lakehouse training reads. */
  readonly lakehouse: IDataLakehouse;
  /** The registry models are registered in. */
  readonly registry: IModelRegistry;
  /** The model (declared in the registry) this cluster retrains. */
  readonly model: string;
  /**
   * Where training runs.
   * @default TrainingEngine.MANAGED
   */
  readonly engine?: TrainingEngine;
  /** Options of the managed engine (required with TrainingEngine.MANAGED). */
  readonly managed?: ManagedTrainingOptions;
  /** Options of the cluster engine (required with TrainingEngine.CLUSTER). */
  readonly cluster?: ClusterEngineOptions;
  /**
   * The VPC jobs run in (private subnets are used).
   * @default a new VPC with private isolated subnets in two AZs, an S3 gateway endpoint and the interface endpoints training needs; no NAT gateway
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Where the managed engine's training and processing jobs run: `'vpc'` joins them to `vpc`
   * (VpcConfig); `'managed'` runs them on SageMaker's own network, network isolation still on (the
   * containers make no network call; SageMaker moves the data and the logs on the server side), so
   * that the VPC needs no interface endpoint. See `EnvironmentProfile.sagemakerNetwork`.
   * @default 'vpc'
   */
  readonly jobNetwork?: SageMakerNetwork;
  /**
   * Availability zones of the VPC the cluster creates when no `vpc` is given. Not allowed with `vpc`.
   * A stack pinned to an account and region also needs the zones in context
   * (`availabilityZonesContext(account, region, zones)` on the App): aws-cdk-lib's VPC reads the
   * stack's zones to check these, and for a pinned stack that read is a lookup that needs credentials
   * at `cdk synth` (measured with aws-cdk-lib 2.276).
   * @default the region's first two zones (environment-agnostic stacks need no lookup)
   */
  readonly availabilityZones?: string[];
  /**
   * Retrain on a schedule: `rate(...)` or `cron(...)` (EventBridge syntax, UTC). Managed engine only.
   * @default no schedule
   */
  readonly schedule?: string;
  /**
   * What else starts a retraining run (an ETL pipeline's success, an alarm, an event pattern).
   * More can be added with `retrainOn`.
   * @default none
   */
  readonly triggers?: RetrainTrigger[];
  /**
   * Topic that receives failure alerts (failed runs, including models below the threshold).
   * @default a new topic encrypted with the registry key
   */
  readonly alertTopic?: sns.ITopic;
}

/** The documented defaults, in one place. */
export const TRAINING_DEFAULTS = {
  engine: TrainingEngine.MANAGED,
  sourceZone: LakehouseZone.CURATED,
  instanceType: 'ml.m5.xlarge',
  instanceCount: 1,
  processingVolume: Size.gibibytes(30),
  processingMaxRuntime: Duration.hours(1),
  trainingVolume: Size.gibibytes(50),
  trainingMaxRuntime: Duration.hours(4),
  spot: true,
  maxWaitFactor: 2,
  goal: MetricGoal.MAXIMIZE,
  runTimeout: Duration.hours(12),
  maxAzs: 2,
  jobNetwork: 'vpc' as SageMakerNetwork,
  sampleId: 'sample_id',
  xgboostHyperparameters: { objective: 'binary:logistic', num_round: '100' } as Readonly<Record<string, string>>,
  /** Where each run's export lands in the lakehouse's analytics zone: `<exportPrefix><model>/<run id>/`. */
  exportPrefix: 'training-exports/',
} as const;
