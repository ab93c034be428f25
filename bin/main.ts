import { App, Stack } from 'aws-cdk-lib';
import { ColumnType, DataLakehouse, LakehouseZone, TableFormat, applyPlatform, selectEnvironmentName } from '../lib';
import { ENVIRONMENTS, PROJECT } from './environments';

/** What the default app built, for tests and callers. */
export interface DefaultApp {
  readonly app: App;
  readonly dataStack: Stack;
  readonly lakehouse: DataLakehouse;
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
  const lakehouse = new DataLakehouse(dataStack, 'Lakehouse', {
    tables: [
      {
        name: 'events',
        zone: LakehouseZone.RAW,
        description: 'Raw events as delivered by the streaming pipeline',
        columns: [
          { name: 'event_id', type: ColumnType.STRING },
          { name: 'event_time', type: ColumnType.TIMESTAMP },
          { name: 'payload', type: ColumnType.STRING },
        ],
        partitionKeys: [{ name: 'dt', type: ColumnType.STRING }],
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
  return { app, dataStack, lakehouse };
}
