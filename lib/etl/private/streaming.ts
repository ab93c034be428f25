import * as path from 'path';
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { createLogGroup } from '../../core/encryption';
import { Platform } from '../../core/environment';
import { grantWithKey } from '../../core/grants';
import { acknowledgeWildcardResources } from '../../core/nag';
import { IDataLakehouse } from '../../lakehouse/data-lakehouse';
import { LakehouseZone } from '../../lakehouse/zone';
import { ETL_DEFAULTS, StreamingOptions } from '../etl-pipeline-props';
import * as perms from '../perms';

/** Firehose's partitioning expressions: Hive-style date partitions that Athena and crawlers understand. */
const DATE_PARTITION = 'dt=!{timestamp:yyyy-MM-dd}/';
const ERROR_PREFIX = 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/';

/** Kinesis stream -> Firehose -> lakehouse zone, with optional transformation and Parquet conversion. */
export class StreamingResources extends Construct {
  public readonly stream: kinesis.Stream;
  public readonly deliveryStream: firehose.CfnDeliveryStream;
  public readonly deliveryStreamName: string;
  public readonly transformer?: lambda.IFunction;
  public readonly prefix: string;

  /**
   * @param opsKey encrypts the stream and the logs (the pipeline's key); objects in the zone stay under the lakehouse key.
   */
  constructor(scope: Construct, id: string, lake: IDataLakehouse, s: StreamingOptions, removalPolicy: RemovalPolicy, opsKey: kms.IKey = lake.encryptionKey) {
    super(scope, id);
    const stack = Stack.of(this);
    const dataKey = lake.encryptionKey;
    const key = opsKey;
    const zone = s.zone ?? LakehouseZone.RAW;
    const bucket = lake.zoneBucket(zone);
    const table = s.table ? lake.findTable(zone, s.table) : undefined;
    this.prefix = s.prefix ?? (s.table ? `${s.table}/` : ETL_DEFAULTS.streamPrefix);

    // A dev stream at rest costs little on one provisioned shard; staging and prod scale on demand.
    const shardCount = s.shardCount ?? (Platform.of(this).profile.name === 'dev' ? ETL_DEFAULTS.devShardCount : undefined);
    this.stream = new kinesis.Stream(this, 'Stream', {
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: key,
      streamMode: shardCount ? kinesis.StreamMode.PROVISIONED : kinesis.StreamMode.ON_DEMAND,
      shardCount,
      retentionPeriod: s.retention ?? ETL_DEFAULTS.streamRetention,
      removalPolicy,
    });

    Validations.of(this.stream).acknowledge({
      id: 'AwsSolutions::AwsSolutions-KDS3',
      reason: 'The stream is deliberately encrypted with the lakehouse customer-managed key, so that one rotating key and one key policy govern every copy of the data.',
    });

    const role = new iam.Role(this, 'DeliveryRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'sts:ExternalId': stack.account } },
      }),
      description: `Firehose delivery of ${this.node.path}`,
    });
    grantWithKey(role, { actions: perms.KINESIS_READ, resourceArns: [this.stream.streamArn], key, keyActions: ['kms:Decrypt'] });
    const objects = [bucket.arnForObjects(`${this.prefix}*`), bucket.arnForObjects('errors/*')];
    grantWithKey(role, {
      actions: perms.FIREHOSE_S3_WRITE,
      resourceArns: [bucket.bucketArn, ...objects],
      key: dataKey,
      keyActions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    });
    acknowledgeWildcardResources(role, objects, 'Firehose writes one object per buffer under the delivery and error prefixes.');

    const logGroup = createLogGroup(this, 'DeliveryLogs', { key, removalPolicy });
    const logStream = new logs.LogStream(this, 'DeliveryLogStream', { logGroup, removalPolicy });
    grantWithKey(role, { actions: ['logs:PutLogEvents'], resourceArns: [logGroup.logGroupArn] });
    acknowledgeWildcardResources(role, [logGroup.logGroupArn], 'Log group ARNs end in ":*" to cover their log streams.');

    let processing: firehose.CfnDeliveryStream.ProcessingConfigurationProperty | undefined;
    if (s.transformation) {
      const fnLogs = createLogGroup(this, 'TransformLogs', { key, removalPolicy });
      // An own role instead of the AWSLambdaBasicExecutionRole managed policy: logs to its one log group only.
      const fnRole = new iam.Role(this, 'TransformRole', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Record transformation of ${this.node.path}`,
      });
      grantWithKey(fnRole, { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resourceArns: [fnLogs.logGroupArn] });
      acknowledgeWildcardResources(fnRole, [fnLogs.logGroupArn], 'Log group ARNs end in ":*" to cover their log streams.');
      const fn = new nodejs.NodejsFunction(this, 'Transform', {
        role: fnRole,
        entry: path.resolve(s.transformation.entry),
        handler: s.transformation.handler ?? ETL_DEFAULTS.transformationHandler,
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        timeout: s.transformation.timeout ?? ETL_DEFAULTS.transformationTimeout,
        memorySize: s.transformation.memorySize ?? ETL_DEFAULTS.transformationMemory,
        tracing: lambda.Tracing.ACTIVE,
        logGroup: fnLogs,
        description: `Record transformation of ${this.node.path}`,
        // esbuild from node_modules: no Docker.
        bundling: { minify: true, sourceMap: false, forceDockerBundling: false },
      });
      this.transformer = fn;
      grantWithKey(role, { actions: perms.LAMBDA_INVOKE, resourceArns: [fn.functionArn] });
      acknowledgeWildcardResources(fnRole, ['*'], 'X-Ray tracing APIs support no resource-level permissions.');
      processing = {
        enabled: true,
        processors: [{
          type: 'Lambda',
          parameters: [
            { parameterName: 'LambdaArn', parameterValue: fn.functionArn },
            { parameterName: 'NumberOfRetries', parameterValue: '3' },
          ],
        }],
      };
    }

    let conversion: firehose.CfnDeliveryStream.DataFormatConversionConfigurationProperty | undefined;
    if (table) {
      lake.grantRead(role, zone);
      conversion = {
        enabled: true,
        inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
        outputFormatConfiguration: { serializer: { parquetSerDe: { compression: 'SNAPPY' } } },
        schemaConfiguration: {
          catalogId: stack.account,
          region: stack.region,
          databaseName: table.databaseName,
          tableName: table.tableName,
          roleArn: role.roleArn,
          versionId: 'LATEST',
        },
      };
    }

    const bufferSize = s.bufferSize ?? (table ? ETL_DEFAULTS.bufferSizeParquet : ETL_DEFAULTS.bufferSizeJson);
    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamType: 'KinesisStreamAsSource',
      kinesisStreamSourceConfiguration: { kinesisStreamArn: this.stream.streamArn, roleArn: role.roleArn },
      extendedS3DestinationConfiguration: {
        bucketArn: bucket.bucketArn,
        roleArn: role.roleArn,
        prefix: `${this.prefix}${DATE_PARTITION}`,
        errorOutputPrefix: ERROR_PREFIX,
        bufferingHints: {
          intervalInSeconds: (s.bufferInterval ?? ETL_DEFAULTS.bufferInterval).toSeconds(),
          sizeInMBs: bufferSize.toMebibytes(),
        },
        // Parquet conversion compresses inside the file; the object itself must stay uncompressed.
        compressionFormat: table ? 'UNCOMPRESSED' : 'GZIP',
        encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: dataKey.keyArn } },
        cloudWatchLoggingOptions: { enabled: true, logGroupName: logGroup.logGroupName, logStreamName: logStream.logStreamName },
        processingConfiguration: processing,
        dataFormatConversionConfiguration: conversion,
      },
    });
    Validations.of(this.deliveryStream).acknowledge({
      id: 'AwsSolutions::AwsSolutions-KDF1',
      reason: 'Firehose server-side encryption applies only to Direct PUT sources; with a Kinesis source the records are encrypted at rest by the stream (KMS) and delivered SSE-KMS to S3.',
    });
    // The role's policy must exist before Firehose validates access to the stream and bucket.
    this.deliveryStream.node.addDependency(role);
    this.deliveryStreamName = this.deliveryStream.ref;
  }
}
