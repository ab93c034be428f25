import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EtlPipeline, EtlPipelineProps, GlueVersion, GlueWorkerType, LakehouseZone } from '../../lib';
import { SKIP_BUNDLING, testStack } from '../helpers/app';
import { JOB_SCRIPT, RULESET, TRANSFORM, pipelineLakehouse, stateMachineDefinition } from '../helpers/etl';

type Partial = Omit<EtlPipelineProps, 'lakehouse'>;

const built = new Map<string, { stack: Stack; pipeline: EtlPipeline; template: Template }>();

/** Builds (and synthesizes) a pipeline; identical props without `configure` share one build. */
function build(props: Partial, configure?: (p: EtlPipeline, stack: Stack) => void) {
  const key = configure ? undefined : JSON.stringify(props);
  const cached = key ? built.get(key) : undefined;
  if (cached) return cached;
  const stack = testStack({ context: SKIP_BUNDLING });
  const lakehouse = pipelineLakehouse(stack);
  const pipeline = new EtlPipeline(stack, 'Pipeline', { lakehouse, ...props });
  configure?.(pipeline, stack);
  const result = { stack, pipeline, template: Template.fromStack(stack) };
  if (key) built.set(key, result);
  return result;
}

const batch = (extra: Partial['batch'] | object = {}): Partial => ({
  batch: {
    script: JOB_SCRIPT,
    source: { zone: LakehouseZone.RAW, table: 'events' },
    target: { zone: LakehouseZone.CURATED, table: 'clean' },
    dataQuality: { ruleset: RULESET },
    ...extra,
  },
});

const policyActions = (t: Template, roleIdPattern: RegExp): string[] => Object.values(t.findResources('AWS::IAM::Policy'))
  .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => roleIdPattern.test(r.Ref)))
  .flatMap((p) => (p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>).flatMap((s) => ([] as string[]).concat(s.Action)));

describe('EtlPipeline batch: Glue job', () => {
  const { template, pipeline } = build(batch());

  test('runs the script asset on Glue 5.0 with validated workers, bookmarks and metrics', () => {
    template.hasResourceProperties('AWS::Glue::Job', {
      Command: { Name: 'glueetl', PythonVersion: '3', ScriptLocation: Match.stringLikeRegexp('^s3://cdk-[a-z0-9]+-assets-123456789012-us-east-1/[a-f0-9]{64}\\.py$') },
      GlueVersion: '5.0',
      WorkerType: 'G.1X',
      NumberOfWorkers: 2,
      Timeout: 120,
      MaxRetries: 0,
      ExecutionProperty: { MaxConcurrentRuns: 1 },
      DefaultArguments: Match.objectLike({
        '--job-bookmark-option': 'job-bookmark-enable',
        '--enable-metrics': 'true',
        '--source_database': 'mlops_prod_lake_raw',
        '--source_table': 'events',
        '--target_database': 'mlops_prod_lake_curated',
        '--target_table': 'clean',
        // Item 8: Glue 5.0 names its log groups <prefix>/error and <prefix>/output from this argument.
        '--custom-logGroup-prefix': Match.stringLikeRegexp('^/mlops/glue/Test-Pipeline-Batch-[0-9A-F]{8}$'),
      }),
    });
    expect(pipeline.jobName).toBeDefined();
  });

  test('Glue 4.0 also turns on continuous logging', () => {
    const t = build(batch({ glueVersion: GlueVersion.V4_0, workerType: GlueWorkerType.G_2X, numberOfWorkers: 10 })).template;
    t.hasResourceProperties('AWS::Glue::Job', {
      GlueVersion: '4.0', WorkerType: 'G.2X', NumberOfWorkers: 10,
      DefaultArguments: Match.objectLike({ '--enable-continuous-cloudwatch-log': 'true' }),
    });
  });

  test('a security configuration encrypts S3 output, CloudWatch logs and bookmarks with the lakehouse key', () => {
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };
    template.hasResourceProperties('AWS::Glue::SecurityConfiguration', {
      EncryptionConfiguration: {
        S3Encryptions: [{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: keyArn }],
        CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: keyArn },
        JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: keyArn },
      },
    });
    const secConf = Object.keys(template.findResources('AWS::Glue::SecurityConfiguration'))[0];
    template.hasResourceProperties('AWS::Glue::Job', { SecurityConfiguration: { Ref: secConf } });
  });

  test('the job log group is encrypted with the key and has the profile retention', () => {
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] }, RetentionInDays: 365 });
    template.hasResourceProperties('AWS::KMS::Key', { KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
      Sid: 'AllowCloudWatchLogs', Principal: { Service: 'logs.us-east-1.amazonaws.com' },
    })]) } });
  });

  test('the job role gets exactly its zones, tables and key, with no wildcard actions', () => {
    const actions = policyActions(template, /PipelineBatchRole/);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject', 'glue:CreatePartition', 'kms:GenerateDataKey', 'glue:PublishDataQuality']));
    // Read on raw, write on curated, nothing on analytics.
    const policies = JSON.stringify(Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => /PipelineBatchRole/.test(r.Ref))));
    expect(policies).toMatch(/LakeRawBucket/);
    expect(policies).toMatch(/LakeCuratedBucket/);
    expect(policies).not.toMatch(/LakeAnalyticsBucket/);
    template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: { DataLakePrincipalIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('PipelineBatchRole'), 'Arn'] } },
      Resource: { Table: { CatalogId: '123456789012', DatabaseName: 'mlops_prod_lake_curated', TableWildcard: {} } },
      Permissions: ['SELECT', 'DESCRIBE', 'INSERT', 'DELETE', 'ALTER'],
    });
  });

  test('a crawler keeps the Parquet target table current, encrypted by the security configuration', () => {
    const secConf = Object.keys(template.findResources('AWS::Glue::SecurityConfiguration'))[0];
    template.hasResourceProperties('AWS::Glue::Crawler', {
      Targets: { CatalogTargets: [{ DatabaseName: 'mlops_prod_lake_curated', Tables: ['clean'] }] },
      SchemaChangePolicy: { UpdateBehavior: 'UPDATE_IN_DATABASE', DeleteBehavior: 'LOG' },
      CrawlerSecurityConfiguration: { Ref: secConf },
    });
  });

  test('an Iceberg target needs no crawler and the workflow skips the catalog step', () => {
    const t = build(batch({ target: { zone: LakehouseZone.CURATED, table: 'features' } })).template;
    t.resourceCountIs('AWS::Glue::Crawler', 0);
    expect(Object.keys(stateMachineDefinition(t).States)).not.toContain('StartCrawler');
  });

  test('the data-quality ruleset targets the target table', () => {
    template.hasResourceProperties('AWS::Glue::DataQualityRuleset', {
      Ruleset: RULESET,
      TargetTable: { DatabaseName: 'mlops_prod_lake_curated', TableName: 'clean' },
    });
  });
});

describe('EtlPipeline batch: orchestration', () => {
  const { template, pipeline } = build(batch());
  const def = stateMachineDefinition(template);

  // Item 11 (curated quality-gate deadlock): the crawler registers the job's partitions BEFORE the gate.
  test('runs the job and waits, then the crawler, then data quality, then succeeds', () => {
    expect(def.StartAt).toBe('RunJob');
    expect(def.States.RunJob).toMatchObject({
      Resource: 'arn:aws:states:::glue:startJobRun.sync',
      Parameters: { JobName: expect.stringMatching(/^\$\{PipelineBatchJob/), Timeout: 120, Arguments: { '--run_id.$': '$$.Execution.Name' } },
      Next: 'StartCrawler',
    });
    expect(def.States['CrawlerDone?']).toMatchObject({ Choices: expect.arrayContaining([expect.objectContaining({ Next: 'StartDataQuality' })]) });
    expect(def.States.StartDataQuality).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:glue:startDataQualityRulesetEvaluationRun',
      Parameters: expect.objectContaining({
        DataSource: { GlueTable: { DatabaseName: 'mlops_prod_lake_curated', TableName: 'clean' } },
        AdditionalRunOptions: { CloudWatchMetricsEnabled: true },
      }),
    });
    expect(def.States['DataQualityPassed?']).toMatchObject({
      Choices: [{ And: [{ Variable: '$.dqResult.Score', IsPresent: true }, { Variable: '$.dqResult.Score', NumericEquals: 1 }], Next: 'Succeeded' }],
      Default: 'DataQualityFailed',
    });
    expect(def.States.DataQualityFailed).toMatchObject({ Type: 'Fail', Error: 'DataQualityFailed' });
    expect(def.States.Succeeded.Type).toBe('Succeed');
  });

  test('every task has a timeout and retries with exponential backoff, and failures end in Fail states', () => {
    const tasks = Object.entries(def.States).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([n]) => n).sort()).toEqual(['GetCrawler', 'GetDataQualityResult', 'GetDataQualityRun', 'RunJob', 'StartCrawler', 'StartDataQuality']);
    for (const [name, state] of tasks) {
      expect([name, typeof state.TimeoutSeconds]).toEqual([name, 'number']);
      const retry = (state.Retry as Array<Record<string, unknown>>)[0];
      expect(retry).toMatchObject({ BackoffRate: 2, IntervalSeconds: 30, MaxAttempts: 4, JitterStrategy: 'FULL' });
      const catchTarget = (state.Catch as Array<{ Next: string }>)[0].Next;
      expect(def.States[catchTarget].Type).toBe('Fail');
    }
    expect(def.States.RunJob.TimeoutSeconds).toBe((120 + 15) * 60);
    expect(def.TimeoutSeconds).toBe(6 * 3600);
  });

  test('the orchestrator may run exactly this job, evaluate exactly this ruleset and pass exactly the job role', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => /PipelineWorkflowRole/.test(r.Ref)))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
    const find = (action: string) => statements.find((s) => ([] as string[]).concat(s.Action).includes(action));
    expect(find('glue:StartJobRun')!.Resource).toEqual({ 'Fn::Join': ['', ['arn:aws:glue:us-east-1:123456789012:job/', { Ref: expect.stringMatching(/^PipelineBatchJob/) }]] });
    expect(find('glue:StartDataQualityRulesetEvaluationRun')!.Resource).toBe(`arn:aws:glue:us-east-1:123456789012:dataQualityRuleset/${pipeline.rulesetName}`);
    expect(pipeline.rulesetName).toMatch(/^Test-Pipeline-Batch-[0-9A-F]{8}$/);
    expect(find('iam:PassRole')!.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/PipelineBatchRole/), 'Arn'] });
  });

  test('logs ALL to an encrypted log group with retention, and traces', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('PipelineWorkflowLogs'), 'Arn'] } } }] },
    });
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    const sfnLogs = Object.entries(logGroups).find(([id]) => id.startsWith('PipelineWorkflowLogs'))![1];
    expect(sfnLogs.Properties.KmsKeyId).toBeDefined();
    expect(sfnLogs.Properties.RetentionInDays).toBe(365);
  });
});

describe('EtlPipeline batch: triggers, events and alerts', () => {
  test('a schedule starts the state machine', () => {
    const { template } = build(batch({ schedule: 'rate(6 hours)' }));
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(6 hours)',
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('PipelineWorkflow') } })],
    });
  });

  test('new objects in the source zone start the state machine', () => {
    const { template } = build(batch({ triggerOnNewObjects: 'events/' }));
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.s3'],
        'detail-type': ['Object Created'],
        'detail': { bucket: { name: [{ Ref: Match.stringLikeRegexp('LakeRawBucket') }] }, object: { key: [{ prefix: 'events/' }] } },
      },
    });
  });

  test('failed, timed-out and aborted runs alert an encrypted, TLS-only topic', () => {
    const { template } = build(batch());
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        'detail': { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [{ Ref: Match.stringLikeRegexp('PipelineWorkflow') }] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('PipelineAlerts') } })],
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LakeKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    })]) } });
  });

  test('an alert topic from props is used instead of a new one', () => {
    const { template } = build(batch());
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const stack = testStack();
    const lakehouse = pipelineLakehouse(stack);
    const topic = new sns.Topic(stack, 'Ops');
    new EtlPipeline(stack, 'P', { lakehouse, alertTopic: topic, ...batch() });
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 1);
  });

  test('onSuccess matches successful runs of this state machine', () => {
    const { template } = build(batch(), (p, stack) => {
      p.onSuccess('Retrain', { target: { bind: () => ({ arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:retrain', id: 'T' }) } as events.IRuleTarget });
      expect(Stack.of(p)).toBe(stack);
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: { status: ['SUCCEEDED'], stateMachineArn: [{ Ref: Match.stringLikeRegexp('PipelineWorkflow') }] } }),
      Targets: [Match.objectLike({ Arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:retrain' })],
    });
  });

  test('batch metrics come from the state machine', () => {
    const { pipeline, stack } = build(batch());
    const failures = pipeline.metricJobFailures();
    expect([failures.namespace, failures.metricName, failures.statistic, failures.period.toMinutes()]).toEqual(['AWS/States', 'ExecutionsFailed', 'Sum', 5]);
    expect(stack.resolve(failures.dimensions)).toEqual({ StateMachineArn: { Ref: expect.stringMatching(/PipelineWorkflow/) } });
    expect(pipeline.metricJobDuration().metricName).toBe('ExecutionTime');
  });

  test('fails when a batch-only pipeline is asked for streaming metrics', () => {
    const { pipeline } = build(batch());
    expect(() => pipeline.metricRecordsIn()).toThrow(/metricRecordsIn \("called"\): needs the streaming part of the pipeline/);
  });
});

describe('EtlPipeline streaming', () => {
  const streaming = (extra: object = {}): Partial => ({ streaming: { table: 'events', ...extra } });

  test('a KMS-encrypted Kinesis stream feeds Firehose into the raw zone with date partitions and an error prefix', () => {
    const { template } = build(streaming());
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamEncryption: { EncryptionType: 'KMS', KeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LakeKey'), 'Arn'] } },
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      RetentionPeriodHours: 24,
    });
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('PipelineStreamingStream'), 'Arn'] } },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('LakeRawBucket'), 'Arn'] },
        Prefix: 'events/dt=!{timestamp:yyyy-MM-dd}/',
        ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 64 },
        CompressionFormat: 'UNCOMPRESSED',
        EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('LakeKey'), 'Arn'] } } },
        CloudWatchLoggingOptions: Match.objectLike({ Enabled: true }),
      }),
    });
  });

  test('Parquet conversion uses the lakehouse table schema', () => {
    const { template } = build(streaming());
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        DataFormatConversionConfiguration: {
          Enabled: true,
          InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
          OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } },
          SchemaConfiguration: Match.objectLike({ DatabaseName: 'mlops_prod_lake_raw', TableName: 'events', VersionId: 'LATEST' }),
        },
      }),
    });
  });

  test('without a table, records land GZIP-compressed under stream/ with hints from props', () => {
    const { template } = build({ streaming: { bufferInterval: Duration.seconds(60), bufferSize: Size.mebibytes(16), shardCount: 2 } });
    template.hasResourceProperties('AWS::Kinesis::Stream', { ShardCount: 2, StreamModeDetails: { StreamMode: 'PROVISIONED' } });
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: 'stream/dt=!{timestamp:yyyy-MM-dd}/', CompressionFormat: 'GZIP', BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 16 },
        DataFormatConversionConfiguration: Match.absent(),
      }),
    });
  });

  test('a transformation Lambda is bundled with esbuild (no Docker) and invoked by Firehose', () => {
    const { template, pipeline } = build(streaming({ transformation: { entry: TRANSFORM } }));
    expect(pipeline.transformer).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x', Handler: 'index.handler', TracingConfig: { Mode: 'Active' }, Architectures: ['arm64'],
    });
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'Lambda', Parameters: Match.arrayWith([
          { ParameterName: 'LambdaArn', ParameterValue: { 'Fn::GetAtt': [Match.stringLikeRegexp('PipelineStreamingTransform'), 'Arn'] } },
        ]) }] },
      }),
    });
  });

  test('the delivery role is trusted only for this account and has no wildcard actions', () => {
    const { template } = build(streaming({ transformation: { entry: TRANSFORM } }));
    template.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [Match.objectLike({
      Principal: { Service: 'firehose.amazonaws.com' }, Condition: { StringEquals: { 'sts:ExternalId': '123456789012' } },
    })] } });
    const actions = policyActions(template, /PipelineStreamingDeliveryRole/);
    expect(actions).toEqual(expect.arrayContaining(['kinesis:GetRecords', 's3:PutObject', 'lambda:InvokeFunction', 'glue:GetTable', 'logs:PutLogEvents']));
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  test('streaming metrics: records and bytes in, delivery freshness', () => {
    const { pipeline, stack } = build(streaming());
    expect(pipeline.metricRecordsIn().metricName).toBe('IncomingRecords');
    expect(pipeline.metricBytesIn().metricName).toBe('IncomingBytes');
    const fresh = pipeline.metricDeliveryFreshness();
    expect([fresh.namespace, fresh.metricName, fresh.statistic]).toEqual(['AWS/Firehose', 'DeliveryToS3.DataFreshness', 'Maximum']);
    expect(stack.resolve(fresh.dimensions)).toEqual({ DeliveryStreamName: { Ref: expect.stringMatching(/PipelineStreamingDeliveryStream/) } });
    expect(() => pipeline.onSuccess('X')).toThrow(/needs the batch part/);
  });
});
