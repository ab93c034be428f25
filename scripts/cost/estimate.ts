import { ASSUMPTIONS, PRICES } from './prices';

/** One synthesized stack. */
export interface StackTemplate {
  readonly stackName: string;
  readonly template: { Resources?: Record<string, { Type: string; Properties?: Record<string, any>; Condition?: string }> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One priced line of a stack. */
export interface CostLine {
  readonly stack: string;
  readonly item: string;
  readonly quantity: number;
  readonly monthly: number;
  /** True for what exists only once a version is approved (the serving stack's endpoint). */
  readonly afterApproval: boolean;
}

const round = (n: number) => Math.round(n * 100) / 100;
const DPU_PER_WORKER: Record<string, number> = { 'G.025X': 0.25, 'G.1X': 1, 'G.2X': 2, 'G.4X': 4, 'G.8X': 8 };

/** The priced lines of one stack at rest, from its template alone. */
export function stackCost(stack: StackTemplate): CostLine[] {
  const resources = Object.values(stack.template.Resources ?? {});
  const of = (type: string) => resources.filter((r) => r.Type === type);
  const lines: CostLine[] = [];
  const add = (item: string, quantity: number, unit: number, afterApproval = false) => {
    if (quantity > 0) lines.push({ stack: stack.stackName, item, quantity, monthly: round(quantity * unit), afterApproval });
  };
  const h = PRICES.hoursPerMonth;

  add('KMS customer managed keys', of('AWS::KMS::Key').length, PRICES.kmsKeyMonth);
  const azHours = of('AWS::EC2::VPCEndpoint').filter((r) => r.Properties?.VpcEndpointType === 'Interface')
    .reduce((n, r) => n + (r.Properties?.SubnetIds?.length ?? 1), 0);
  add('interface VPC endpoint AZs', azHours, PRICES.interfaceEndpointAzHour * h);
  const alarmMetrics = of('AWS::CloudWatch::Alarm').reduce((n, r) => {
    const metrics = r.Properties?.Metrics as Array<{ MetricStat?: unknown }> | undefined;
    // A Metrics Insights query alarm (an expression over no MetricStat) analyzes at least one metric.
    return n + (metrics ? Math.max(1, metrics.filter((m) => m.MetricStat).length) : 1);
  }, 0);
  add('CloudWatch alarm metrics', alarmMetrics, PRICES.alarmMetricMonth);
  // S3 Replication metrics (ReplicationLatency, BytesPendingReplication, OperationsPendingReplication,
  // OperationsFailedReplication per rule; S3 User Guide, metrics-dimensions.html) are billed as custom metrics.
  const replicationMetrics = of('AWS::S3::Bucket').reduce((n, b) => n + ((b.Properties?.ReplicationConfiguration?.Rules ?? []) as Array<{ Destination?: { Metrics?: { Status?: string } } }>)
    .filter((r) => r.Destination?.Metrics?.Status === 'Enabled').length * ASSUMPTIONS.replicationMetricsPerRule, 0);
  add('S3 replication metrics (custom metrics)', replicationMetrics, PRICES.customMetricMonth);
  add('CloudWatch composite alarms', of('AWS::CloudWatch::CompositeAlarm').length, PRICES.compositeAlarmMonth);
  add('CloudWatch dashboards', of('AWS::CloudWatch::Dashboard').length, PRICES.dashboardMonth);
  for (const s of of('AWS::Kinesis::Stream')) {
    if (s.Properties?.StreamModeDetails?.StreamMode === 'ON_DEMAND') add('Kinesis on-demand stream', 1, PRICES.kinesisOnDemandStreamHour * h);
    else add('Kinesis provisioned shards', s.Properties?.ShardCount ?? 1, PRICES.kinesisShardHour * h);
  }
  for (const c of of('AWS::SageMaker::EndpointConfig')) {
    const variants = [...(c.Properties?.ProductionVariants ?? []), ...(c.Properties?.ShadowProductionVariants ?? [])] as Array<{ InstanceType?: string; InitialInstanceCount?: number }>;
    for (const v of variants) {
      if (!v.InstanceType) continue; // serverless: nothing at rest without provisioned concurrency
      const price = PRICES.sagemakerInstanceHour[v.InstanceType];
      if (price === undefined) throw new Error(`no price for ${v.InstanceType} in scripts/cost/prices.ts`);
      add(`SageMaker endpoint ${v.InstanceType} instances`, v.InitialInstanceCount ?? 1, price * h, c.Condition !== undefined);
    }
  }
  const glueRuns = of('AWS::Glue::Job').reduce((n, j) => n + (j.Properties?.NumberOfWorkers ?? 2) * (DPU_PER_WORKER[j.Properties?.WorkerType ?? 'G.1X'] ?? 1), 0);
  add(`Glue job DPUs, daily ${ASSUMPTIONS.glueJobMinutesAtRest}-minute runs`, glueRuns,
    PRICES.glueDpuHour * (ASSUMPTIONS.glueJobMinutesAtRest / 60) * ASSUMPTIONS.dailyRunsPerMonth);
  add('Glue crawlers, daily runs', of('AWS::Glue::Crawler').length,
    PRICES.glueDpuHour * ASSUMPTIONS.crawlerDpus * (ASSUMPTIONS.crawlerMinutesBilled / 60) * ASSUMPTIONS.dailyRunsPerMonth);
  return lines;
}

/** Totals of a set of lines: before the first approval, and serving one approved version. */
export function totals(lines: readonly CostLine[]): { beforeApproval: number; serving: number } {
  const all = round(lines.reduce((n, l) => n + l.monthly, 0));
  return { beforeApproval: round(lines.filter((l) => !l.afterApproval).reduce((n, l) => n + l.monthly, 0)), serving: all };
}

/** A plain-text report of environments, their stacks and lines, and the per-model increment. */
export function renderReport(envs: ReadonlyArray<{ name: string; lines: readonly CostLine[]; perModel?: number }>): string {
  const out: string[] = [
    `Estimated monthly cost at rest (USD, ${PRICES.region} list prices of ${PRICES.date}; other regions estimated with the same prices)`,
    '',
  ];
  for (const env of envs) {
    const t = totals(env.lines);
    out.push(`${env.name}: $${t.serving.toFixed(2)} serving one approved version ($${t.beforeApproval.toFixed(2)} before the first approval)` +
      (env.perModel !== undefined ? `; each further model adds $${env.perModel.toFixed(2)}` : ''));
    const stacks = [...new Set(env.lines.map((l) => l.stack))];
    for (const s of stacks) {
      const ls = env.lines.filter((l) => l.stack === s);
      out.push(`  ${s}: $${totals(ls).serving.toFixed(2)}`);
      for (const l of ls) out.push(`    ${String(l.quantity).padStart(4)} x ${l.item}${l.afterApproval ? ' (once approved)' : ''}: $${l.monthly.toFixed(2)}`);
    }
    out.push('');
  }
  out.push('Assumptions:', ...ASSUMPTIONS.notes.map((n) => `  - ${n}`));
  out.push('Prices:', ...PRICES.sources.map((s) => `  - ${s}`));
  return out.join('\n');
}
