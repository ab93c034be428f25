import * as path from 'path';
import { App } from 'aws-cdk-lib';
import {
  ColumnType, EnvironmentName, LakehouseZone, PlatformDefinition, PlatformStage, TableFormat, buildPlatform,
} from '../lib';
import { ENVIRONMENTS, PROJECT } from './environments';

/**
 * The churn model's data contract, declared once: the features in the model's input order and the
 * label. The event tables, the training table, the prepare and evaluate scripts (as arguments),
 * the endpoint's CSV input and the drift features all derive from it.
 */
export const CHURN_CONTRACT = {
  features: ['tenure', 'monthly_charges', 'support_calls'],
  label: 'churned',
  sampleId: 'sample_id',
} as const;

const FEATURE_COLUMNS = CHURN_CONTRACT.features.map((name) => ({ name, type: ColumnType.DOUBLE }));

// Each event is a snapshot of one customer: the features, and the label once it is known (null before).
// Raw and curated events share a schema: curation de-duplicates and drops incomplete rows.
const EVENT_COLUMNS = [
  { name: 'event_id', type: ColumnType.STRING },
  { name: 'event_time', type: ColumnType.TIMESTAMP },
  { name: 'customer_id', type: ColumnType.STRING },
  ...FEATURE_COLUMNS,
  { name: CHURN_CONTRACT.label, type: ColumnType.DOUBLE, comment: '1 when the customer churned, 0 when not, null while unknown' },
];
const DAY_PARTITION = { name: 'dt', type: ColumnType.STRING };

/** What every environment of the default app runs: events in, one churn model out. */
export const DEFINITION: PlatformDefinition = {
  project: PROJECT,
  lakehouse: {
    tables: [
      {
        name: 'events', zone: LakehouseZone.RAW, description: 'Raw customer events as delivered by the streaming pipeline',
        columns: EVENT_COLUMNS, partitionKeys: [DAY_PARTITION],
        // Firehose writes dt= prefixes that nothing registers: Athena projects them. (The curation
        // job reads the raw location from S3, since Glue ETL does not use projection.)
        partitionProjection: { column: 'dt', start: '2026-01-01' },
      },
      {
        name: 'events_clean', zone: LakehouseZone.CURATED, description: 'De-duplicated, complete customer events (curated by the batch pipeline)',
        // run_id: the curation run that wrote the rows, so that the quality gate reads exactly that batch.
        columns: EVENT_COLUMNS, partitionKeys: [DAY_PARTITION, { name: 'run_id', type: ColumnType.STRING }],
      },
      {
        name: 'training_samples', zone: LakehouseZone.CURATED, format: TableFormat.ICEBERG,
        description: 'One labelled sample per customer (its latest labelled event): what training reads',
        columns: [
          { name: CHURN_CONTRACT.sampleId, type: ColumnType.STRING },
          ...FEATURE_COLUMNS,
          { name: CHURN_CONTRACT.label, type: ColumnType.DOUBLE },
          { name: 'observed_at', type: ColumnType.TIMESTAMP },
        ],
        partitionKeys: [{ name: 'sample_date', type: ColumnType.DATE }],
      },
    ],
  },
  pipelines: [
    // Streaming: producers put JSON events on the stream; Firehose lands them as Parquet in raw.events.
    { id: 'Ingest', streaming: { zone: LakehouseZone.RAW, table: 'events' } },
    // Batch: every night, raw.events -> curated.events_clean, gated by data quality.
    {
      id: 'Curate',
      batch: {
        script: path.join(__dirname, 'glue', 'curate_events.py'),
        source: { zone: LakehouseZone.RAW, table: 'events' },
        target: { zone: LakehouseZone.CURATED, table: 'events_clean' },
        schedule: 'cron(0 2 * * ? *)',
        // Gates the batch this run wrote (run_id partition); a night without new events fails RowCount > 0 and alerts.
        dataQuality: {
          ruleset: 'Rules = [ RowCount > 0, IsComplete "event_id", IsUnique "event_id", IsComplete "event_time", IsComplete "customer_id" ]',
          runPartitionKey: 'run_id',
        },
      },
    },
    // Batch: after curation, curated.events_clean -> curated.training_samples (one Iceberg snapshot per run).
    {
      id: 'BuildTrainingSet',
      batch: {
        script: path.join(__dirname, 'glue', 'build_training_samples.py'),
        source: { zone: LakehouseZone.CURATED, table: 'events_clean' },
        target: { zone: LakehouseZone.CURATED, table: 'training_samples' },
        schedule: 'cron(0 3 * * ? *)',
        dataQuality: { ruleset: `Rules = [ RowCount > 0, IsComplete "${CHURN_CONTRACT.sampleId}", IsUnique "${CHURN_CONTRACT.sampleId}", IsComplete "${CHURN_CONTRACT.label}" ]` },
      },
    },
  ],
  models: [{
    name: 'churn',
    description: 'Customer churn classifier (XGBoost)',
    // Retrains weekly, whenever a new training set passed its quality gate, and on drift; registers at AUC >= 0.8.
    training: {
      schedule: 'cron(0 4 ? * SUN *)',
      retrainAfter: ['BuildTrainingSet'],
      managed: {
        // The training table, read at one Iceberg snapshot (Athena UNLOAD); the image is the AWS-provided
        // SageMaker XGBoost 1.7-1 of the deploy region (TrainingImage.xgboost(), the default).
        source: { zone: LakehouseZone.CURATED, table: 'training_samples' },
        features: [...CHURN_CONTRACT.features],
        label: CHURN_CONTRACT.label,
        sampleId: CHURN_CONTRACT.sampleId,
        prepare: { script: path.join(__dirname, 'training', 'prepare.py') },
        training: { hyperparameters: { objective: 'binary:logistic', num_round: '200' } },
        evaluate: { script: path.join(__dirname, 'training', 'evaluate.py'), metric: 'auc', threshold: 0.8 },
      },
    },
    // Rollouts guarded by alarm-based rollback (all at once on one instance, a one-instance canary on more);
    // 20% of requests captured to the lakehouse, as CSV rows of the declared features.
    serving: { captureSamplingPercentage: 20 },
  }],
};

/** What the default app built, for tests and callers. */
export interface DefaultApp {
  readonly app: App;
  /** The stages built, by environment. */
  readonly stages: ReadonlyMap<EnvironmentName, PlatformStage>;
}

/**
 * Builds the default app: the environments chosen with `-c env=...` (`dev` when absent,
 * `staging`, `prod`, `staging,prod` or `all`). Offline and deterministic: no lookups, no credentials.
 */
export function buildDefaultApp(app: App): DefaultApp {
  return { app, stages: buildPlatform(app, { definition: DEFINITION, environments: ENVIRONMENTS }) };
}
