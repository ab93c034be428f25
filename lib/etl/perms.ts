import { GLUE_JOB_LOG_ACTIONS } from '../core/glue';

/** IAM action lists for ETL pipelines. Explicit names only, never wildcards. */

/** Reading the job script asset (one object). */
export const SCRIPT_READ = ['s3:GetObject'];

/** Key actions of a Glue role on its security configuration's CloudWatch Logs and job bookmark key. */
export const GLUE_OPS_KEY = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'];

/** What Glue needs to write crawler and data-quality logs to its own /aws-glue/ log groups. */
export const GLUE_LOGS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'];

/** What the job needs on the log groups the pipeline creates for it (the one list of core's Glue job logging). */
export const GLUE_JOB_LOGS = [...GLUE_JOB_LOG_ACTIONS];

/** Publishing job and data-quality metrics. */
export const METRICS_PUT = ['cloudwatch:PutMetricData'];

/** What the data-quality evaluation role needs on the ruleset. */
export const DATA_QUALITY_EVALUATE = ['glue:GetDataQualityRuleset', 'glue:PublishDataQuality'];

/** What the orchestrator needs to run and read a data-quality evaluation. */
export const DATA_QUALITY_START = ['glue:StartDataQualityRulesetEvaluationRun', 'glue:GetDataQualityResult'];
export const DATA_QUALITY_POLL = ['glue:GetDataQualityRulesetEvaluationRun'];

/** What the orchestrator needs to run a Glue job and wait for it (the .sync integration). */
export const JOB_RUN = ['glue:StartJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun'];

/** What the orchestrator needs to refresh the catalog with the crawler. */
export const CRAWLER_RUN = ['glue:StartCrawler', 'glue:GetCrawler'];

/** Firehose reading its Kinesis source. */
export const KINESIS_READ = ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards'];

/** Firehose delivering objects to S3. */
export const FIREHOSE_S3_WRITE = ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:PutObject'];

/** Firehose calling the transformation Lambda. */
export const LAMBDA_INVOKE = ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'];

/** Firehose reading the table schema for record-format conversion. */
export const GLUE_SCHEMA_READ = ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'];
