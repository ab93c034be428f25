/**
 * A governed lakehouse for one team: three zones, a partitioned Parquet landing table, an Iceberg
 * training table, an analyst role that may query the curated zone, and a job role that writes raw data.
 *
 * Run it with: npx cdk synth --app "npx ts-node --swc examples/lakehouse.ts"
 */
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  ColumnType, DataLakehouse, LakehouseZone, ObjectLockMode, Profiles, TableFormat, applyPlatform,
} from '../lib';

export function buildLakehouseExample(app: App = new App()): Stack {
  applyPlatform(app, { project: 'acme', profile: Profiles.STAGING, owner: 'data-platform', costCentre: 'cc-1234' });
  const stack = new Stack(app, 'acme-staging-lakehouse');

  const lake = new DataLakehouse(stack, 'Lakehouse', {
    name: 'retail',
    zones: {
      // Raw data is evidence: keep every version, locked against deletion for a year.
      raw: { objectLock: { mode: ObjectLockMode.GOVERNANCE, retention: Duration.days(365) } },
      curated: { lifecycle: { infrequentAccessAfter: Duration.days(60), glacierAfter: Duration.days(400) } },
    },
    query: { bytesScannedCutoffPerQuery: Size.gibibytes(50) },
    tables: [
      {
        name: 'orders',
        zone: LakehouseZone.RAW,
        columns: [
          { name: 'order_id', type: ColumnType.STRING },
          { name: 'amount', type: ColumnType.decimal(12, 2) },
          { name: 'lines', type: ColumnType.array(ColumnType.struct({ sku: ColumnType.STRING, qty: ColumnType.INT })) },
        ],
        partitionKeys: [{ name: 'dt', type: ColumnType.STRING }],
      },
      {
        name: 'customer_features',
        zone: LakehouseZone.CURATED,
        format: TableFormat.ICEBERG,
        columns: [
          { name: 'customer_id', type: ColumnType.STRING },
          { name: 'lifetime_value', type: ColumnType.DOUBLE },
        ],
        partitionKeys: [{ name: 'as_of', type: ColumnType.DATE }],
      },
    ],
  });

  const analyst = new iam.Role(stack, 'AnalystRole', { assumedBy: new iam.AccountRootPrincipal() });
  lake.grantRead(analyst, LakehouseZone.CURATED);
  lake.grantQuery(analyst);

  const ingest = new iam.Role(stack, 'IngestRole', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
  lake.grantWrite(ingest, LakehouseZone.RAW);
  return stack;
}

// Run directly (as `cdk synth --app` does), the App synthesizes itself when the process exits.
if (require.main === module) buildLakehouseExample();
