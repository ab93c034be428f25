/* eslint-disable @typescript-eslint/no-explicit-any -- mocked API responses are arbitrary JSON. */
import { Template } from 'aws-cdk-lib/assertions';
import { TrainingCluster } from '../../lib/training';
import { TaskMock, execute, sequence, taskError } from '../helpers/asl';
import { testStack } from '../helpers/app';
import { stateMachineDefinition } from '../helpers/etl';
import { managedOptions, trainingInputs } from './helpers-training';

/**
 * Executes the retraining state machine (item 14: retrier names; item 7: export; item 5: contract)
 * with task results shaped as the AWS API references document them.
 */
const stack = testStack();
const { lakehouse, registry } = trainingInputs(stack);
new TrainingCluster(stack, 'Training', { lakehouse, registry, model: 'churn', managed: managedOptions() });
const definition = stateMachineDefinition(Template.fromStack(stack)) as any;

// Athena API reference, GetQueryExecution response (what startQueryExecution.sync returns).
const queryExecution = (state: string) => ({
  QueryExecution: {
    QueryExecutionId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
    Query: 'UNLOAD (...)',
    StatementType: 'DML',
    ResultConfiguration: { OutputLocation: 's3://analytics/athena-results/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111' },
    QueryExecutionContext: {},
    Status: { State: state, SubmissionDateTime: 1733281200, CompletionDateTime: 1733281260 },
    Statistics: { EngineExecutionTimeInMillis: 5000, DataScannedInBytes: 123456, TotalExecutionTimeInMillis: 5200 },
    WorkGroup: 'mlops-prod-lake',
  },
});
// S3 API reference, ListObjectsV2 response (KeyCount is always present; Contents only when keys match).
const listed = (count: number) => ({
  IsTruncated: false, KeyCount: count, MaxKeys: 1, Name: 'analytics', Prefix: 'training-exports/churn/x/',
  ...(count > 0 ? { Contents: [{ Key: 'training-exports/churn/x/20261204_000000_00000.gz', Size: 2048, StorageClass: 'STANDARD' }] } : {}),
});
// SageMaker API reference, DescribeProcessingJob response (what createProcessingJob.sync returns).
const processingJob = (name: string) => ({
  ProcessingJobName: name,
  ProcessingJobArn: `arn:aws:sagemaker:us-east-1:123456789012:processing-job/${name}`,
  ProcessingJobStatus: 'Completed',
  ProcessingInputs: [],
  ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30 } },
  AppSpecification: { ImageUri: 'image' },
  RoleArn: 'arn:aws:iam::123456789012:role/job',
  CreationTime: 1733281300,
  ProcessingEndTime: 1733281600,
});
// SageMaker API reference, DescribeTrainingJob response (what createTrainingJob.sync returns).
const trainingJob = {
  TrainingJobName: 'churn-t-run',
  TrainingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-t-run',
  TrainingJobStatus: 'Completed',
  SecondaryStatus: 'Completed',
  ModelArtifacts: { S3ModelArtifacts: 's3://artifacts/models/churn/runs/x/model/churn-t-run/output/model.tar.gz' },
  AlgorithmSpecification: { TrainingImage: 'image', TrainingInputMode: 'File' },
  ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 50 },
  StoppingCondition: { MaxRuntimeInSeconds: 14400, MaxWaitTimeInSeconds: 28800 },
  CreationTime: 1733281700,
  EnableManagedSpotTraining: true,
  BillableTimeInSeconds: 120,
};
// aws-sdk s3:getObject returns the object as a string in Body.
const report = (metrics: Record<string, unknown>) => ({ Body: JSON.stringify({ metrics }), ContentLength: 64, ContentType: 'application/json', ETag: '"e"' });
// SageMaker API reference, CreateModelPackage response.
const registered = { ModelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-prod-churn/1' };

// Lineage states (issue 19). S3 API reference, PutObject response; SageMaker API reference,
// CreateContext (ContextArn), CreateArtifact (ArtifactArn), AddAssociation (SourceArn, DestinationArn).
const context = 'arn:aws:sagemaker:us-east-1:123456789012:context/churn-run-x';
const artifactArn = (n: string) => `arn:aws:sagemaker:us-east-1:123456789012:artifact/${n}`;
const lineageMocks: Record<string, TaskMock> = {
  WriteLineage: sequence({ ETag: '"e"', ServerSideEncryption: 'aws:kms' }),
  LineageContext: sequence({ ContextArn: context }),
  DataArtifact: sequence({ ArtifactArn: artifactArn('data') }),
  CodeArtifact: sequence({ ArtifactArn: artifactArn('code') }),
  ImageArtifact: sequence({ ArtifactArn: artifactArn('image') }),
  ...Object.fromEntries(['LinkData', 'LinkCode', 'LinkImage'].map((s) => [s, (p: any) => ({ SourceArn: p.SourceArn, DestinationArn: p.DestinationArn })])),
};

function mocks(overrides: Record<string, TaskMock> = {}): Record<string, TaskMock> {
  return {
    // S3 API reference, ListObjectVersions response (the Hive source's data manifest) and PutObject response.
    ListDataVersions: sequence({ IsTruncated: false, Name: 'curated', Prefix: 'samples/', MaxKeys: 100,
      Versions: [{ Key: 'samples/part-0.parquet', VersionId: 'v1', IsLatest: true, ETag: 'e1', Size: 2048, StorageClass: 'STANDARD' }] }),
    WriteDataManifestPage: sequence({ ETag: 'm', ServerSideEncryption: 'aws:kms' }),
    Export: sequence(queryExecution('SUCCEEDED')),
    CheckExport: sequence(listed(1)),
    Prepare: sequence(processingJob('churn-p-run')),
    Baseline: sequence(processingJob('churn-b-run')),
    Train: sequence(trainingJob),
    Evaluate: sequence(processingJob('churn-e-run')),
    ReadEvaluation: sequence(report({ auc: 0.91, accuracy: 0.88, samples: 120 })),
    Register: sequence(registered),
    ...lineageMocks,
    ...overrides,
  };
}

const input = { trigger: 'schedule' };

describe('retraining workflow executions', () => {
  test('happy path: export, prepare, train, evaluate, register; the run records the query and the package', async () => {
    const run = await execute(definition, input, mocks());
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(['Init', 'HasTrigger?', 'Reproduce?', 'PinCurrent',
      'DataManifestStart', 'ListDataVersions', 'HasVersions?', 'DataManifestPage', 'WriteDataManifestPage', 'MoreDataVersions?', 'DataManifestDone', 'PinDataVersion',
      'Export', 'CheckExport', 'HasData?', 'Prepare', 'Baseline', 'Train', 'Evaluate',
      'ReadEvaluation', 'MetricPasses?', 'ComposeLineage', 'WriteLineage', 'Register',
      'LineageContext', 'DataArtifact', 'CodeArtifact', 'ImageArtifact', 'LinkData', 'LinkCode', 'LinkImage', 'Registered']);
    expect(run.output.export.QueryExecutionId).toBe('a1b2c3d4-5678-90ab-cdef-EXAMPLE11111');
    expect(run.output.registered.ModelPackageArn).toBe(registered.ModelPackageArn);
    expect(run.calls.Register[0].CustomerMetadataProperties).toMatchObject({ 'export-query': 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111', 'metric': 'auc', 'metric-value': '0.91' });
  });

  test('the UNLOAD writes exactly where CheckExport looks and Prepare reads, a fresh prefix per run', async () => {
    const run = await execute(definition, input, mocks());
    const id = run.output.run.id as string;
    const query = run.calls.Export[0].QueryString as string;
    const location = `s3://\${LakeAnalyticsBucketF31D4965}/training-exports/churn/${id}/`;
    expect(query).toBe('UNLOAD (SELECT "sample_id", "label", "tenure", "monthly_charges" FROM "mlops_prod_lake_curated"."samples") '
      + `TO '${location}' WITH (format = 'TEXTFILE', field_delimiter = ',', compression = 'GZIP')`);
    expect(run.calls.Export[0].WorkGroup).toBe('mlops-prod-lake');
    expect(`s3://${run.calls.CheckExport[0].Bucket}/${run.calls.CheckExport[0].Prefix}`).toBe(location);
    const data = run.calls.Prepare[0].ProcessingInputs.find((i: any) => i.InputName === 'data');
    expect(data.S3Input.S3Uri).toBe(location);
  });

  test('Baseline reads the run\'s prepared train split and writes baseline.json where Register records it (drift contract)', async () => {
    const run = await execute(definition, input, mocks());
    const id = run.output.run.id as string;
    const runs = `s3://\${RegistryArtifactBucketE7127E99}/models/churn/runs/${id}`;
    const job = run.calls.Baseline[0];
    expect(job.ProcessingJobName).toBe(`churn-b-${id}`);
    const train = job.ProcessingInputs.find((i: any) => i.InputName === 'train');
    // The same prefix Train reads: the baseline describes exactly the rows the model learns from.
    expect(train.S3Input).toMatchObject({ S3Uri: `${runs}/prepared/train/`, LocalPath: '/opt/ml/processing/input/data', S3DataType: 'S3Prefix' });
    expect(run.calls.Train[0].InputDataConfig[0].DataSource.S3DataSource.S3Uri).toBe(train.S3Input.S3Uri);
    expect(job.ProcessingOutputConfig.Outputs).toEqual([
      { OutputName: 'baseline', S3Output: { S3Uri: `${runs}/baseline/`, LocalPath: '/opt/ml/processing/output', S3UploadMode: 'EndOfJob' } },
    ]);
    // model_stats.py writes <--out>/baseline.json; the container runs the asset under its S3 key's name.
    const code = job.ProcessingInputs.find((i: any) => i.InputName === 'code');
    const file = String(code.S3Input.S3Uri).split('/').pop();
    expect(job.AppSpecification.ContainerEntrypoint).toEqual(['python3', `/opt/ml/processing/input/code/${file}`]);
    expect(job.AppSpecification.ContainerArguments).toEqual(['baseline', '--train', '/opt/ml/processing/input/data', '--features', 'tenure,monthly_charges', '--out', '/opt/ml/processing/output']);
    expect(job.NetworkConfig.EnableNetworkIsolation).toBe(true);
    // CreateModelPackage (SageMaker API reference): DriftCheckBaselines.ModelDataQuality.Statistics is a
    // MetricsSource (ContentType and S3Uri required); the drift job reads it back from DescribeModelPackage.
    const register = run.calls.Register[0];
    expect(register.DriftCheckBaselines).toEqual({ ModelDataQuality: { Statistics: { ContentType: 'application/json', S3Uri: `${runs}/baseline/baseline.json` } } });
    expect(register.CustomerMetadataProperties.baseline).toBe(`${runs}/baseline/baseline.json`);
  });

  test.each([
    ['Export', 'Athena.TooManyRequestsException'],
    ['Prepare', 'SageMaker.ResourceLimitExceededException'],
    ['Baseline', 'SageMaker.ResourceLimitExceededException'],
    ['Train', 'SageMaker.ResourceLimitExceededException'],
    ['Train', 'SageMaker.AmazonSageMakerException'],
    ['Evaluate', 'SageMaker.AmazonSageMakerException'],
    ['CheckExport', 'S3.SlowDownException'],
    ['ReadEvaluation', 'S3.SlowDownException'],
    ['Register', 'SageMaker.ThrottlingException'],
  ])('a quota or throttling error on %s (%s) is retried, then the run succeeds', async (state, error) => {
    const ok = mocks()[state];
    const run = await execute(definition, input, mocks({ [state]: (p, call) => (call === 0 ? (() => { throw taskError(error); })() : ok(p, 0)) }));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.calls[state]).toHaveLength(2);
  });

  test.each(['Export', 'CheckExport', 'Prepare', 'Baseline', 'Train', 'Evaluate', 'ReadEvaluation', 'Register'])(
    'a failure of %s ends the run in RetrainingStepFailed with the cause', async (state) => {
      const run = await execute(definition, input, mocks({ [state]: sequence(taskError('States.TaskFailed', `${state} failed: ClientError`)) }));
      expect(run).toMatchObject({ status: 'FAILED', error: 'RetrainingStepFailed', cause: `${state} failed: ClientError` });
      expect(run.calls[state]).toHaveLength(1);
      expect(run.calls.Register ?? []).toHaveLength(state === 'Register' ? 1 : 0);
    });

  test('a metric below the threshold registers nothing', async () => {
    const run = await execute(definition, input, mocks({ ReadEvaluation: sequence(report({ auc: 0.62, accuracy: 0.7, samples: 120 })) }));
    expect(run).toMatchObject({ status: 'FAILED', error: 'ModelBelowThreshold' });
    expect(run.calls.Register).toBeUndefined();
  });

  test('a missing metric fails the gate as below the threshold, not with States.Runtime', async () => {
    const run = await execute(definition, input, mocks({ ReadEvaluation: sequence(report({ accuracy: 0.9, samples: 120 })) }));
    expect(run).toMatchObject({ status: 'FAILED', error: 'ModelBelowThreshold' });
    expect(run.cause).toMatch(/auc was missing or did not reach the threshold >= 0.8/);
  });

  test('an empty source table (day 0) stops before any job with NoTrainingData', async () => {
    const run = await execute(definition, input, mocks({ CheckExport: sequence(listed(0)) }));
    expect(run).toMatchObject({ status: 'FAILED', error: 'NoTrainingData' });
    expect(run.cause).toMatch(/curated\.samples has no rows/);
    expect(run.calls.Prepare).toBeUndefined();
  });
});
