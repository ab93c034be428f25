import * as path from 'path';
import { ArnFormat, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
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
  public readonly logGroup: logs.LogGroup;
  public readonly targetDatabase: string;
  public readonly targetTable: string;

  constructor(scope: Construct, id: string, lake: IDataLakehouse, b: BatchOptions, removalPolicy: RemovalPolicy) {
    super(scope, id);
    const stack = Stack.of(this);
    const key = lake.encryptionKey;
    this.targetDatabase = lake.databaseName(b.target.zone);
    this.targetTable = b.target.table;
    const sourceDatabase = lake.databaseName(b.source.zone);
    const targetLocation = lake.findTable(b.target.zone, b.target.table)!.location;
    const targetFormat = lake.findTable(b.target.zone, b.target.table)!.format;

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      description: `Glue job, crawler and data-quality evaluation of ${this.node.path}`,
    });
    lake.grantRead(b.source.zone, this.role);
    lake.grantWrite(b.target.zone, this.role);

    const script = new s3assets.Asset(this, 'Script', { path: path.resolve(b.script) });
    grantWithKey(this.role, { actions: perms.SCRIPT_READ, resourceArns: [script.bucket.arnForObjects(script.s3ObjectKey)] });

    this.logGroup = createLogGroup(this, 'JobLogs', { key, removalPolicy });
    const glueLogGroups = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws-glue/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    grantWithKey(this.role, {
      actions: perms.GLUE_LOGS,
      resourceArns: [this.logGroup.logGroupArn, glueLogGroups],
    });
    acknowledgeWildcardResources(this.role, [this.logGroup.logGroupArn, glueLogGroups],
      'Glue writes one log stream per job run, and the security configuration associates the key with its own /aws-glue/ log groups.');
    iam.Grant.addToPrincipal({
      grantee: this.role,
      actions: perms.METRICS_PUT,
      resourceArns: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': ['Glue', 'Glue Data Quality'] } },
    });
    acknowledgeWildcardResources(this.role, ['*'],
      'cloudwatch:PutMetricData has no resource-level permissions; it is limited to the Glue namespaces by condition.');

    this.securityConfigurationName = Names.uniqueResourceName(this, { maxLength: 255 });
    const securityConfiguration = new glue.CfnSecurityConfiguration(this, 'SecurityConfiguration', {
      name: this.securityConfigurationName,
      encryptionConfiguration: {
        s3Encryptions: [{ s3EncryptionMode: 'SSE-KMS', kmsKeyArn: key.keyArn }],
        cloudWatchEncryption: { cloudWatchEncryptionMode: 'SSE-KMS', kmsKeyArn: key.keyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: key.keyArn },
      },
    });

    const glueVersion = (b.glueVersion ?? ETL_DEFAULTS.glueVersion).name;
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
        // Glue 5.0 logs in real time by default; earlier versions need continuous logging turned on.
        ...(Number(glueVersion) < 5 ? { '--enable-continuous-cloudwatch-log': 'true' } : {}),
        '--continuous-log-logGroup': this.logGroup.logGroupName,
        '--enable-metrics': 'true',
        '--enable-observability-metrics': 'true',
        '--enable-glue-datacatalog': 'true',
        '--TempDir': targetBucket.s3UrlForObject('_glue/temp/'),
        '--source_database': sourceDatabase,
        '--source_table': b.source.table,
        '--target_database': this.targetDatabase,
        '--target_table': b.target.table,
        '--target_path': targetLocation,
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
