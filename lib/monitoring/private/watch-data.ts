import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { AlarmThresholds } from '../../core/environment';
import type { IEtlPipeline } from '../../etl/etl-pipeline';
import type { IDataLakehouse } from '../../lakehouse/data-lakehouse';
import { MONITORING_DEFAULTS } from '../monitoring-stack-props';
import { AlarmFactory } from './alarm-factory';
import { graph, heading } from './widgets';

/**
 * Alarms and dashboard rows for the data side: per batch pipeline a failed-run alarm and a
 * staleness alarm (no successful run for `etlMaxSilence`), per streaming pipeline a delivery
 * freshness alarm; lakehouse storage and query volume on the dashboard.
 */
export function watchData(scope: Construct, alarms: AlarmFactory, t: AlarmThresholds,
  lakehouse: IDataLakehouse | undefined, pipelines: readonly IEtlPipeline[]): cloudwatch.IWidget[][] {
  const rows: cloudwatch.IWidget[][] = [];
  if (lakehouse || pipelines.length > 0) rows.push([heading('Data: ETL runs, failures and freshness; lakehouse')]);
  for (const p of pipelines) {
    const label = p.node.id;
    const row: cloudwatch.IWidget[] = [];
    if (p.stateMachine) {
      const failures = p.metricJobFailures();
      const successes = p.stateMachine.metricSucceeded({ statistic: 'Sum', period: MONITORING_DEFAULTS.silencePeriod });
      alarms.alarm(scope, `${label}FailedRuns`, {
        metric: failures, threshold: t.etlFailedRuns, above: true, evaluationPeriods: 1, notify: true,
        description: `ETL ${p.node.path}: ${t.etlFailedRuns} or more failed runs (job, quality gate or crawler) in 5 minutes`,
      });
      const silentPeriods = Math.ceil(t.etlMaxSilence.toSeconds() / MONITORING_DEFAULTS.silencePeriod.toSeconds());
      alarms.alarm(scope, `${label}Stale`, {
        metric: successes, threshold: 0, above: false, evaluationPeriods: silentPeriods, notify: true,
        missing: cloudwatch.TreatMissingData.BREACHING,
        description: `ETL ${p.node.path}: no successful run for ${t.etlMaxSilence.toHumanString()}; the data is stale`,
      });
      row.push(
        graph(`${label}: runs`, [successes.with({ period: Duration.minutes(5), label: 'succeeded' }), failures.with({ label: 'failed' })]),
        graph(`${label}: run duration (ms)`, [p.metricJobDuration()]),
      );
    }
    if (p.stream) {
      const freshness = p.metricDeliveryFreshness();
      alarms.alarm(scope, `${label}DeliveryFreshness`, {
        metric: freshness, threshold: t.streamDeliveryFreshness.toSeconds(), above: true, evaluationPeriods: t.evaluationPeriods, notify: true,
        description: `Streaming ${p.node.path}: records wait ${t.streamDeliveryFreshness.toHumanString()} or more for delivery to the lakehouse`,
      });
      row.push(
        graph(`${label}: records in`, [p.metricRecordsIn()], [p.metricBytesIn()]),
        graph(`${label}: delivery freshness (s)`, [freshness]),
      );
    }
    if (row.length > 0) rows.push(row);
  }
  if (lakehouse) {
    rows.push([
      graph('Lakehouse: objects per zone', lakehouse.zones.map((z) => lakehouse.metricNumberOfObjects(z, { label: z }))),
      graph('Lakehouse: bytes per zone', lakehouse.zones.map((z) => lakehouse.metricBucketSizeBytes(z, { label: z }))),
      graph('Lakehouse: bytes scanned by queries', [queryBytesScanned(lakehouse)]),
    ]);
  }
  return rows;
}

/**
 * Bytes scanned by the workgroup's queries, summed over every query state and type. Athena
 * publishes ProcessedBytes with the dimensions QueryState, QueryType and WorkGroup (and
 * CapacityReservation for reserved capacity) ("Monitor Athena queries with CloudWatch metrics",
 * Amazon Athena user guide); a CloudWatch metric is identified by all of its dimensions, so a
 * metric with the WorkGroup dimension alone matches no data. A SEARCH over the schema
 * {AWS/Athena,QueryState,QueryType,WorkGroup} for this workgroup, summed, reads every series.
 * The metric name, statistic and period come from the lakehouse's own metric method.
 */
export function queryBytesScanned(lakehouse: IDataLakehouse): cloudwatch.MathExpression {
  const m = lakehouse.metricQueryProcessedBytes();
  const seconds = m.period.toSeconds();
  return new cloudwatch.MathExpression({
    expression: `SUM(SEARCH('{${m.namespace},QueryState,QueryType,WorkGroup} MetricName="${m.metricName}" WorkGroup="${lakehouse.athenaWorkGroupName}"', '${m.statistic}', ${seconds}))`,
    usingMetrics: {},
    label: 'bytes scanned (all query states and types)',
    period: m.period,
  });
}
