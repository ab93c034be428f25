import * as path from 'path';
import { ArnFormat, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { createLogGroup } from '../../core/encryption';
import { grantWithKey } from '../../core/grants';
import { acknowledgeWildcardResources } from '../../core/nag';
import { IDataLakehouse } from '../../lakehouse/data-lakehouse';
import { TableFormat } from '../../lakehouse/table';
import { BatchOptions, ETL_DEFAULTS } from '../etl-pipeline-props';
import * as perms from '../perms';

/** The Glue side of a batch pipeline: role, script, security configuration, job, crawler and ruleset. */
export class BatchResources extends Construct {
  public readonly role: iam.Role;
  public readonly job: glue.CfnJob;
  public readonly jobName: string;
  public readonly jobTimeout: Duration;
  public readonly crawler?: glue.CfnCrawler;
  public readonly ruleset: glue.CfnDataQualityRuleset;
  public readonly rulesetName: string;
  public readonly rulesetArn: string;
  public readonly securityConfigurationName: string;
  /** The job's log group: Glue 5.0 `<prefix>/error`, or the Glue 4.0 continuous-logging group. */
  public readonly logGroup: logs.LogGroup;
  /** Glue 5.0 only: `<prefix>/output` (stdout and stderr of the script). */
  public readonly outputLogGroup?: logs.LogGroup;
  /** The value of `--custom-logGroup-prefix` (Glue 5.0). */
  public readonly logGroupPrefix: string;
  /** The source table's `s3://` location, passed as `--source_path`. */
  public readonly sourcePath: string;
  /** The target table's format. */
  public readonly targetFormat: TableFormat;
  /** The target's partition key that holds the run id, when the quality gate is scoped to the run. */
  public readonly runPartitionKey?: string;
  public readonly targetDatabase: string;
  public readonly targetTable: string;

  /**
   * @param opsKey encrypts logs and job bookmarks (the pipeline's key); data in S3 stays under the lakehouse key.
   */
  constructor(scope: Construct, id: string, lake: IDataLakehouse, b: BatchOptions, removalPolicy: RemovalPolicy, opsKey: kms.IKey = lake.encryptionKey) {
    super(scope, id);
    const stack = Stack.of(this);
    const dataKey = lake.encryptionKey;
    const key = opsKey;
    this.targetDatabase = lake.databaseName(b.target.zone);
    this.targetTable = b.target.table;
    const sourceDatabase = lake.databaseName(b.source.zone);
    const targetLocation = lake.findTable(b.target.zone, b.target.table)!.location;
    const targetFormat = lake.findTable(b.target.zone, b.target.table)!.format;
    this.targetFormat = targetFormat;
    this.sourcePath = lake.findTable(b.source.zone, b.source.table)!.location;
    this.runPartitionKey = b.dataQuality.runPartitionKey;

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      description: `Glue job, crawler and data-quality evaluation of ${this.node.path}`,
    });
    lake.grantRead(this.role, b.source.zone);
    lake.grantWrite(this.role, b.target.zone);

    const script = new s3assets.Asset(this, 'Script', { path: path.resolve(b.script) });
    grantWithKey(this.role, { actions: perms.SCRIPT_READ, resourceArns: [script.bucket.arnForObjects(script.s3ObjectKey)] });

    const glueVersion = (b.glueVersion ?? ETL_DEFAULTS.glueVersion).name;
    const glue5 = Number(glueVersion) >= 5;
    // "Logging for AWS Glue jobs": Glue 5.0 always logs in real time, to /aws-glue/jobs/error (system,
    // Spark and GlueLogger logs) and /aws-glue/jobs/output (stdout/stderr) unless the job argument
    // --custom-logGroup-prefix names a prefix: then to <prefix>/error and <prefix>/output.
    // --continuous-log-logGroup is the Glue 4.0 continuous-logging argument ("Enabling continuous
    // logging for AWS Glue 4.0 and earlier jobs") that 5.0 does not read. So on 5.0 both groups are
    // created here, with their exact names, KMS-encrypted with the lakehouse key and retained per
    // profile, and the role may write to exactly these two groups.
    this.logGroupPrefix = `/mlops/glue/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`;
    this.logGroup = createLogGroup(this, 'JobLogs', { key, removalPolicy, logGroupName: glue5 ? `${this.logGroupPrefix}/error` : undefined });
    this.outputLogGroup = glue5
      ? createLogGroup(this, 'JobOutputLogs', { key, removalPolicy, logGroupName: `${this.logGroupPrefix}/output` })
      : undefined;
    const jobLogGroups = [this.logGroup, ...(this.outputLogGroup ? [this.outputLogGroup] : [])].map((g) => g.logGroupArn);
    grantWithKey(this.role, { actions: perms.GLUE_JOB_LOGS, resourceArns: jobLogGroups });
    acknowledgeWildcardResources(this.role, jobLogGroups, 'Log group ARNs end in ":*" to cover the one log stream Glue writes per job run and executor.');
    // The crawler and data-quality runs log to Glue's own /aws-glue/ groups, which the security
    // configuration associates with the key.
    const glueLogGroups = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws-glue/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    grantWithKey(this.role, { actions: perms.GLUE_LOGS, resourceArns: [glueLogGroups] });
    acknowledgeWildcardResources(this.role, [glueLogGroups],
      'Crawler and data-quality runs write to log groups Glue names under /aws-glue/ (one per security configuration and role).');
    iam.Grant.addToPrincipal({
      grantee: this.role,
      actions: perms.METRICS_PUT,
      resourceArns: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': ['Glue', 'Glue Data Quality'] } },
    });
    acknowledgeWildcardResources(this.role, ['*'],
      'cloudwatch:PutMetricData has no resource-level permissions; it is limited to the Glue namespaces by condition.');

    if (key !== dataKey) {
      // "Setting up encryption in AWS Glue" (https://docs.aws.amazon.com/glue/latest/dg/set-up-encryption.html):
      // the job's role needs kms:GenerateDataKey, kms:Decrypt and kms:Encrypt on the keys of the
      // security configuration (CloudWatch Logs and job bookmarks); the lakehouse grants cover the data key.
      key.grant(this.role, ...perms.GLUE_OPS_KEY);
    }
    this.securityConfigurationName = Names.uniqueResourceName(this, { maxLength: 255 });
    const securityConfiguration = new glue.CfnSecurityConfiguration(this, 'SecurityConfiguration', {
      name: this.securityConfigurationName,
      encryptionConfiguration: {
        s3Encryptions: [{ s3EncryptionMode: 'SSE-KMS', kmsKeyArn: dataKey.keyArn }],
        cloudWatchEncryption: { cloudWatchEncryptionMode: 'SSE-KMS', kmsKeyArn: key.keyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: key.keyArn },
      },
    });

    this.jobTimeout = b.timeout ?? ETL_DEFAULTS.jobTimeout;
    const targetBucket = lake.zoneBucket(b.target.zone);
    this.job = new glue.CfnJob(this, 'Job', {
      description: `${b.source.zone}.${b.source.table} -> ${b.target.zone}.${b.target.table} (${this.node.path})`,
      role: this.role.roleArn,
      command: { name: 'glueetl', pythonVersion: '3', scriptLocation: script.s3ObjectUrl },
      glueVersion,
      workerType: (b.workerType ?? ETL_DEFAULTS.workerType).name,
      numberOfWorkers: b.numberOfWorkers ?? ETL_DEFAULTS.numberOfWorkers,
      timeout: this.jobTimeout.toMinutes(),
      // Step Functions owns retries, with backoff; Glue retrying on its own would hide failures.
      maxRetries: 0,
      executionProperty: { maxConcurrentRuns: 1 },
      securityConfiguration: securityConfiguration.ref,
      defaultArguments: {
        ...(b.arguments ?? {}),
        '--job-language': 'python',
        '--job-bookmark-option': 'job-bookmark-enable',
        ...(glue5
          ? { '--custom-logGroup-prefix': this.logGroupPrefix }
          : { '--enable-continuous-cloudwatch-log': 'true', '--continuous-log-logGroup': this.logGroup.logGroupName }),
        '--enable-metrics': 'true',
        '--enable-observability-metrics': 'true',
        '--enable-glue-datacatalog': 'true',
        '--TempDir': targetBucket.s3UrlForObject('_glue/temp/'),
        '--source_database': sourceDatabase,
        '--source_table': b.source.table,
        // The source's S3 location: the curation job reads files, not catalog partitions, because
        // partitions written by Firehose are never added to the catalog (and Glue ETL does not use
        // Athena partition projection).
        '--source_path': this.sourcePath,
        '--target_database': this.targetDatabase,
        '--target_table': b.target.table,
        '--target_path': targetLocation,
        // Each orchestrated run overrides it with its execution name (StartJobRun Arguments replace
        // default arguments); a run started by hand writes under 'manual'.
        '--run_id': 'manual',
        ...(this.runPartitionKey ? { '--run_partition_key': this.runPartitionKey } : {}),
        ...(targetFormat === TableFormat.ICEBERG ? icebergArguments(targetBucket.bucketName) : {}),
      },
    });
    this.jobName = this.job.ref;

    this.rulesetName = Names.uniqueResourceName(this, { maxLength: 255, separator: '-' });
    this.ruleset = new glue.CfnDataQualityRuleset(this, 'Ruleset', {
      name: this.rulesetName,
      description: `Data-quality gate on ${this.targetDatabase}.${b.target.table}`,
      ruleset: b.dataQuality.ruleset.trim(),
      targetTable: { databaseName: this.targetDatabase, tableName: b.target.table },
    });
    this.rulesetArn = stack.formatArn({ service: 'glue', resource: 'dataQualityRuleset', resourceName: this.rulesetName });
    grantWithKey(this.role, { actions: perms.DATA_QUALITY_EVALUATE, resourceArns: [this.rulesetArn] });

    // Iceberg writers commit their schema and snapshots to the catalog themselves; Parquet tables need a crawl.
    if (targetFormat === TableFormat.PARQUET) {
      this.crawler = new glue.CfnCrawler(this, 'Crawler', {
        role: this.role.roleArn,
        description: `Keeps ${this.targetDatabase}.${b.target.table} partitions and schema current`,
        targets: { catalogTargets: [{ databaseName: this.targetDatabase, tables: [b.target.table] }] },
        schemaChangePolicy: { updateBehavior: 'UPDATE_IN_DATABASE', deleteBehavior: 'LOG' },
        crawlerSecurityConfiguration: securityConfiguration.ref,
        configuration: JSON.stringify({
          Version: 1.0,
          CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' } },
        }),
      });
    }
  }
}

/**
 * What "Using the Iceberg framework in AWS Glue" requires of a job that writes Iceberg tables of
 * the Glue Data Catalog: `--datalake-formats iceberg`, and a `--conf` with the Iceberg SQL
 * extensions and a Spark catalog named `glue_catalog` backed by the Glue catalog with S3FileIO.
 * The warehouse is only used for tables created without a location; declared tables have theirs.
 */
export function icebergArguments(bucketName: string): Record<string, string> {
  return {
    '--datalake-formats': 'iceberg',
    '--conf': [
      'spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions',
      'spark.sql.catalog.glue_catalog=org.apache.iceberg.spark.SparkCatalog',
      `spark.sql.catalog.glue_catalog.warehouse=s3://${bucketName}/`,
      'spark.sql.catalog.glue_catalog.catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog',
      'spark.sql.catalog.glue_catalog.io-impl=org.apache.iceberg.aws.s3.S3FileIO',
    ].join(' --conf '),
  };
}
