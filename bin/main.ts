import * as path from 'path';
import { App } from 'aws-cdk-lib';
import {
  ColumnType, EnvironmentName, LakehouseZone, PlatformDefinition, PlatformStage, TableFormat, buildPlatform,
} from '../lib';
import { ENVIRONMENTS, PROJECT } from './environments';

// Raw and curated events share a schema: curation de-duplicates and drops incomplete rows.
const EVENT_COLUMNS = [
  { name: 'event_id', type: ColumnType.STRING },
  { name: 'event_time', type: ColumnType.TIMESTAMP },
  { name: 'payload', type: ColumnType.STRING },
];
const DAY_PARTITION = { name: 'dt', type: ColumnType.STRING };

/** What every environment of the default app runs: events in, one churn model out. */
export const DEFINITION: PlatformDefinition = {
  project: PROJECT,
  lakehouse: {
    tables: [
      {
        name: 'events', zone: LakehouseZone.RAW, description: 'Raw events as delivered by the streaming pipeline',
        columns: EVENT_COLUMNS, partitionKeys: [DAY_PARTITION],
      },
      {
        name: 'events_clean', zone: LakehouseZone.CURATED, description: 'De-duplicated, complete events (curated by the batch pipeline)',
        columns: EVENT_COLUMNS, partitionKeys: [DAY_PARTITION],
      },
      {
        name: 'training_samples', zone: LakehouseZone.CURATED, format: TableFormat.ICEBERG,
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
        dataQuality: { ruleset: 'Rules = [ RowCount > 0, IsComplete "event_id", IsUnique "event_id", IsComplete "event_time" ]' },
      },
    },
  ],
  models: [{
    name: 'churn',
    description: 'Customer churn classifier (XGBoost)',
    // Retrains weekly, whenever curated data passed its quality gate, and on drift; registers at AUC >= 0.8.
    training: {
      schedule: 'cron(0 4 ? * SUN *)',
      retrainAfter: ['Curate'],
      managed: {
        source: { zone: LakehouseZone.CURATED, table: 'training_samples' },
        imageTag: 'xgboost-1.0.0',
        prepare: { script: path.join(__dirname, 'training', 'prepare.py') },
        training: { hyperparameters: { objective: 'binary:logistic', num_round: '200' } },
        evaluate: { script: path.join(__dirname, 'training', 'evaluate.py'), metric: 'auc', threshold: 0.8 },
      },
    },
    // Canary rollouts with alarm-based rollback; 20% of requests captured for Model Monitor.
    serving: { captureSamplingPercentage: 20 },
    monitoring: { dataQuality: { driftFeatures: ['tenure', 'monthly_charges', 'support_calls'] } },
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
