/**
 * Orders flow into the lakehouse two ways: producers stream JSON orders through Kinesis and Firehose
 * (validated and stamped by a transformation Lambda, converted to Parquet), and a Glue job cleans
 * each new batch into the curated zone as soon as it lands, gated by data quality. A successful run
 * is the event that retraining listens to.
 *
 * Run it with: npx cdk synth --app "npx ts-node --swc examples/etl-pipeline.ts"
 */
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { ColumnType, DataLakehouse, EtlPipeline, LakehouseZone, Profiles, applyPlatform } from '../lib';

export function buildEtlExample(app: App = new App()): Stack {
  applyPlatform(app, { project: 'acme', profile: Profiles.PROD, owner: 'data-platform', costCentre: 'cc-1234' });
  const stack = new Stack(app, 'acme-prod-etl');

  const orderColumns = [
    { name: 'order_id', type: ColumnType.STRING },
    { name: 'amount', type: ColumnType.decimal(12, 2) },
    { name: 'ingested_at', type: ColumnType.TIMESTAMP },
  ];
  const lakehouse = new DataLakehouse(stack, 'Lakehouse', {
    tables: [
      { name: 'orders', zone: LakehouseZone.RAW, columns: orderColumns, partitionKeys: [{ name: 'dt', type: ColumnType.STRING }] },
      { name: 'orders_clean', zone: LakehouseZone.CURATED, columns: orderColumns, partitionKeys: [{ name: 'dt', type: ColumnType.STRING }] },
    ],
  });

  const ingest = new EtlPipeline(stack, 'OrdersStream', {
    lakehouse,
    streaming: {
      table: 'orders',
      shardCount: 2,
      retention: Duration.days(7),
      bufferInterval: Duration.seconds(120),
      transformation: { entry: path.join(__dirname, 'etl', 'transform.ts') },
    },
  });

  const clean = new EtlPipeline(stack, 'OrdersBatch', {
    lakehouse,
    alertTopic: ingest.alertTopic,
    batch: {
      script: path.join(__dirname, 'etl', 'clean_orders.py'),
      source: { zone: LakehouseZone.RAW, table: 'orders' },
      target: { zone: LakehouseZone.CURATED, table: 'orders_clean' },
      numberOfWorkers: 4,
      timeout: Duration.hours(1),
      triggerOnNewObjects: 'orders/',
      schedule: 'cron(30 3 * * ? *)',
      dataQuality: {
        ruleset: `Rules = [
          RowCount > 0,
          IsComplete "order_id",
          IsUnique "order_id",
          ColumnValues "amount" >= 0
        ]`,
      },
    },
  });
  // Where retraining will attach (TrainingCluster.retrainOn); here an EventBridge rule to show the hook.
  clean.onSuccess('CuratedOrdersReady', { description: 'Curated orders passed their quality gate' });
  return stack;
}

// Run directly (as `cdk synth --app` does), the App synthesizes itself when the process exits.
if (require.main === module) buildEtlExample();
