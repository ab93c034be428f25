import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import {
  ColumnType, DataLakehouse, EtlPipeline, InferenceEndpoint, LakehouseZone, ModelRegistry, ModelSource, PromotionWorkflow, RetrainTrigger,
  TableFormat, TrainingCluster, applyPlatform, selectEnvironmentName,
} from '../lib';
import { ENVIRONMENTS, PROJECT } from './environments';

/** What the default app built, for tests and callers. */
export interface DefaultApp {
  readonly app: App;
  readonly dataStack: Stack;
  readonly lakehouse: DataLakehouse;
  readonly ingest: EtlPipeline;
  readonly curate: EtlPipeline;
  readonly mlStack: Stack;
  readonly registry: ModelRegistry;
  readonly training: TrainingCluster;
  readonly servingStack: Stack;
  readonly endpoint: InferenceEndpoint;
  readonly promotion: PromotionWorkflow;
}

/**
 * Builds the default app for the environment chosen with `-c env=...` (dev when absent).
 * Offline and deterministic: no lookups, no credentials needed.
 */
export function buildDefaultApp(app: App): DefaultApp {
  const envName = selectEnvironmentName(app);
  const config = ENVIRONMENTS[envName];
  applyPlatform(app, { project: PROJECT, profile: config.profile, owner: config.owner, costCentre: config.costCentre });
  const env = config.account || config.region ? { account: config.account, region: config.region } : undefined;

  const dataStack = new Stack(app, `${PROJECT}-${envName}-data`, {
    env,
    description: `MLOps platform (${envName}): data lakehouse`,
    terminationProtection: config.profile.deletionProtection,
  });
  // Raw and curated events share a schema: curation de-duplicates and drops incomplete rows.
  const eventColumns = [
    { name: 'event_id', type: ColumnType.STRING },
    { name: 'event_time', type: ColumnType.TIMESTAMP },
    { name: 'payload', type: ColumnType.STRING },
  ];
  const dayPartition = { name: 'dt', type: ColumnType.STRING };
  const lakehouse = new DataLakehouse(dataStack, 'Lakehouse', {
    tables: [
      {
        name: 'events',
        zone: LakehouseZone.RAW,
        description: 'Raw events as delivered by the streaming pipeline',
        columns: eventColumns,
        partitionKeys: [dayPartition],
      },
      {
        name: 'events_clean',
        zone: LakehouseZone.CURATED,
        description: 'De-duplicated, complete events (curated by the batch pipeline)',
        columns: eventColumns,
        partitionKeys: [dayPartition],
      },
      {
        name: 'training_samples',
        zone: LakehouseZone.CURATED,
        format: TableFormat.ICEBERG,
        description: 'Labelled, de-duplicated samples that training reads',
        columns: [
          { name: 'sample_id', type: ColumnType.STRING },
          { name: 'features', type: ColumnType.STRING },
          { name: 'label', type: ColumnType.DOUBLE },
          { name: 'observed_at', type: ColumnType.TIMESTAMP },
        ],
        partitionKeys: [{ name: 'sample_date', type: ColumnType.DATE }],
      },
    ],
  });

  // Streaming: producers put JSON events on the stream; Firehose lands them as Parquet in raw.events.
  const ingest = new EtlPipeline(dataStack, 'Ingest', {
    lakehouse,
    streaming: { zone: LakehouseZone.RAW, table: 'events' },
  });

  // Batch: every night, raw.events -> curated.events_clean, gated by data quality.
  const curate = new EtlPipeline(dataStack, 'Curate', {
    lakehouse,
    alertTopic: ingest.alertTopic,
    batch: {
      script: path.join(__dirname, 'glue', 'curate_events.py'),
      source: { zone: LakehouseZone.RAW, table: 'events' },
      target: { zone: LakehouseZone.CURATED, table: 'events_clean' },
      schedule: 'cron(0 2 * * ? *)',
      dataQuality: { ruleset: 'Rules = [ RowCount > 0, IsComplete "event_id", IsUnique "event_id", IsComplete "event_time" ]' },
    },
  });

  // ML: the registry and the retraining workflow live in their own stack, apart from the data.
  const mlStack = new Stack(app, `${PROJECT}-${envName}-ml`, {
    env,
    description: `MLOps platform (${envName}): model registry and retraining`,
    terminationProtection: config.profile.deletionProtection,
  });
  const registry = new ModelRegistry(mlStack, 'Registry', {
    models: [{ name: 'churn', description: 'Customer churn classifier (XGBoost)' }],
  });
  // Retrains weekly, and whenever curated data passed its quality gate; registers at AUC >= 0.8.
  const training = new TrainingCluster(mlStack, 'Training', {
    lakehouse,
    registry,
    model: 'churn',
    schedule: 'cron(0 4 ? * SUN *)',
    triggers: [RetrainTrigger.onEtlSuccess(curate)],
    managed: {
      source: { zone: LakehouseZone.CURATED, table: 'training_samples' },
      imageTag: 'xgboost-1.0.0',
      prepare: { script: path.join(__dirname, 'training', 'prepare.py') },
      training: { hyperparameters: { objective: 'binary:logistic', num_round: '200' } },
      evaluate: { script: path.join(__dirname, 'training', 'evaluate.py'), metric: 'auc', threshold: 0.8 },
    },
  });

  // Serving: the approved churn version, read from SSM at deploy time, behind canary rollouts with
  // alarm-based rollback; requests and responses are captured to the lakehouse for Model Monitor.
  const servingStack = new Stack(app, `${PROJECT}-${envName}-serving`, {
    env,
    description: `MLOps platform (${envName}): model serving`,
    terminationProtection: config.profile.deletionProtection,
  });
  const endpoint = new InferenceEndpoint(servingStack, 'Churn', {
    model: ModelSource.fromRegistry(registry, 'churn'),
    dataCapture: { lakehouse, samplingPercentage: 20 },
  });

  // Approval in the registry -> this environment's serving stack is updated to the approved version
  // (after a person approves, in prod), through the endpoint's guarded rollout.
  const promotion = new PromotionWorkflow(mlStack, 'Promotion', {
    registry,
    model: 'churn',
    stages: [{ name: envName, stackName: servingStack.stackName, requireApproval: envName === 'prod' }],
  });
  return { app, dataStack, lakehouse, ingest, curate, mlStack, registry, training, servingStack, endpoint, promotion };
}
