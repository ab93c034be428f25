/**
 * Offline price table for `npm run cost`: us-east-1 on-demand list prices in USD from the AWS
 * pricing pages named below, as recorded in this table on 2026-12-04 (recorded, not fetched: synth
 * and this estimate run offline; check the pages when you update the date). Prices differ by region:
 * other regions are estimated with the same figures and the report says so. Update the date and
 * the figures together; the cost snapshot test shows every change in review.
 *
 * Pages: https://aws.amazon.com/kms/pricing/, https://aws.amazon.com/privatelink/pricing/,
 * https://aws.amazon.com/cloudwatch/pricing/ (free tier: 10 alarm metrics and 3 custom dashboards of
 * up to 50 metrics per account and month), https://aws.amazon.com/kinesis/data-streams/pricing/,
 * https://aws.amazon.com/sagemaker/pricing/, https://aws.amazon.com/glue/pricing/.
 */
export const PRICES = {
  date: '2026-12-04',
  region: 'us-east-1',
  hoursPerMonth: 730,
  sources: [
    'AWS KMS pricing: customer managed key, $1.00 per key-month',
    'AWS PrivateLink pricing: interface endpoint, $0.01 per AZ-hour (gateway endpoints free)',
    'Amazon CloudWatch pricing: $0.10 per standard-resolution alarm metric-month (a Metrics Insights query alarm counted as one), $0.50 per composite alarm-month, $3.00 per dashboard-month, $0.30 per custom metric-month (first 10,000; S3 replication metrics are billed as custom metrics)',
    'Amazon Kinesis Data Streams pricing: on-demand $0.04 per stream-hour, provisioned $0.015 per shard-hour',
    'Amazon SageMaker AI pricing: real-time inference instance-hours (ml.m5.large $0.115); serverless inference billed per millisecond of compute and per GB processed, nothing without requests unless provisioned concurrency is set',
    'AWS Glue pricing: $0.44 per DPU-hour, Spark jobs billed per second with a 1-minute minimum; crawlers $0.44 per DPU-hour with a 10-minute minimum',
  ],
  kmsKeyMonth: 1.0,
  interfaceEndpointAzHour: 0.01,
  alarmMetricMonth: 0.1,
  /** CloudWatch custom metric, first 10,000 metrics. */
  customMetricMonth: 0.3,
  compositeAlarmMonth: 0.5,
  dashboardMonth: 3.0,
  kinesisOnDemandStreamHour: 0.04,
  kinesisShardHour: 0.015,
  glueDpuHour: 0.44,
  /** Real-time inference, per instance-hour. */
  sagemakerInstanceHour: {
    'ml.t2.medium': 0.056,
    'ml.m5.large': 0.115,
    'ml.m5.xlarge': 0.23,
    'ml.m5.2xlarge': 0.461,
    'ml.c5.large': 0.102,
    'ml.c5.xlarge': 0.204,
    'ml.g5.xlarge': 1.408,
  } as Record<string, number>,
} as const;

/** What "at rest" assumes: no traffic, no data, the schedules of the templates running empty. */
export const ASSUMPTIONS = {
  /** Minutes a scheduled Glue job runs when it finds no new data (start-up dominates). */
  glueJobMinutesAtRest: 3,
  /** Minutes a scheduled crawler run is billed (the 10-minute minimum) and its DPUs. */
  crawlerMinutesBilled: 10,
  crawlerDpus: 1,
  /** Runs per month of a daily schedule. */
  dailyRunsPerMonth: 30,
  /** Replication metrics S3 publishes per replication rule with metrics enabled. */
  replicationMetricsPerRule: 4,
  notes: [
    'S3 replication metrics counted as published every hour of the month (an upper bound: CloudWatch bills custom metrics only for the hours they are published); S3 request metrics are published only with requests, so nothing at rest',
    'no traffic and no data: requests, storage, logs, flow logs, Step Functions transitions, EventBridge and SQS cost nothing at rest',
    'endpoints at their initial instance count (autoscaling minimum), all hours of the month, once a version is approved (before the first approval a serving stack has no endpoint)',
    'scheduled Glue jobs run daily for a few minutes on their workers even when they find no data; the data-quality runs that follow are not counted',
    'retraining schedules end at "NoTrainingData" when the training table is empty (no training job is started)',
    'CloudWatch free tier (10 alarm metrics, 3 custom dashboards per account) not deducted',
    'serverless endpoints (the dev profile\'s default) cost nothing without requests: SageMaker bills their compute per request',
  ],
} as const;
