/* eslint-disable @typescript-eslint/no-explicit-any -- mocked API responses are arbitrary JSON. */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ColumnType, DataLakehouse, LakehouseZone } from '../../lib';
import { ModelRegistry } from '../../lib/registry';
import { TrainingCluster } from '../../lib/training';
import { TaskMock, execute, sequence, taskError } from '../helpers/asl';
import { testStack } from '../helpers/app';
import { stateMachineDefinition } from '../helpers/etl';
import { managedOptions } from './helpers-training';

/**
 * Issue 19, "Experiments": with the registry's MLflow tracking server enabled, every evaluated run
 * is logged there from the retraining workflow; a logging failure alerts and the run goes on.
 */
function build(nag = false) {
  const stack = testStack({ nag });
  const lakehouse = new DataLakehouse(stack, 'Lake', {
    tables: [{ name: 'samples', zone: LakehouseZone.CURATED, columns: [
      { name: 'sample_id', type: ColumnType.STRING }, { name: 'tenure', type: ColumnType.INT },
      { name: 'monthly_charges', type: ColumnType.DOUBLE }, { name: 'label', type: ColumnType.DOUBLE },
    ] }],
  });
  const registry = new ModelRegistry(stack, 'Registry', { models: [{ name: 'churn' }], mlflow: { enabled: true } });
  const training = new TrainingCluster(stack, 'Training', { lakehouse, registry, model: 'churn', managed: managedOptions() });
  return { stack, registry, training };
}

const { stack } = build();
const template = Template.fromStack(stack);
const definition = stateMachineDefinition(template) as any;
const fnId = Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler', Description: Match.stringLikeRegexp('MLflow') } }))[0];

// Responses as the AWS API references document them (see test/training/managed-executions.test.ts).
const processingJob = (name: string) => ({ ProcessingJobName: name, ProcessingJobStatus: 'Completed' });
const trainingJob = { TrainingJobName: 'churn-t-run', ModelArtifacts: { S3ModelArtifacts: 's3://artifacts/models/churn/runs/x/model.tar.gz' } };
const report = (metrics: Record<string, unknown>) => ({ Body: JSON.stringify({ metrics }) });
const packageArn = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-prod-churn/4';
// What the logger returns for action 'start' (lib/training/private/mlflow-logger/index.js), in the
// Payload of the lambda:invoke result (Lambda API reference, Invoke: StatusCode, Payload).
const payload = (p: unknown) => ({ StatusCode: 200, ExecutedVersion: '$LATEST', Payload: p });
const started = { runId: 'r-123', experimentId: '7', artifactUri: 's3://registry-bucket/mlflow/7/r-123/artifacts', artifactBucket: 'registry-bucket', artifactKeyPrefix: 'mlflow/7/r-123/artifacts/' };

// The source table is not Iceberg: the run first lists its current object versions (S3 API reference,
// ListObjectVersions: Versions[] with Key, VersionId, IsLatest, ETag, Size; IsTruncated) into a manifest.
const versions = { Name: 'curated', Prefix: 'samples/', MaxKeys: 100, IsTruncated: false,
  Versions: [{ Key: 'samples/a.parquet', VersionId: 'va1', IsLatest: true, ETag: 'va1-etag', Size: 1024, LastModified: '2026-12-01T00:00:00.000Z', StorageClass: 'STANDARD' }] };

function mocks(overrides: Record<string, TaskMock> = {}): Record<string, TaskMock> {
  return {
    ListDataVersions: sequence(versions),
    WriteDataManifestPage: sequence({ ETag: '"m"' }),
    Export: sequence({ QueryExecution: { QueryExecutionId: 'q-1', Status: { State: 'SUCCEEDED' } } }),
    CheckExport: sequence({ KeyCount: 1 }),
    Prepare: sequence(processingJob('churn-p-run')),
    Baseline: sequence(processingJob('churn-b-run')),
    Train: sequence(trainingJob),
    Evaluate: sequence(processingJob('churn-e-run')),
    ReadEvaluation: sequence(report({ auc: 0.91 })),
    WriteLineage: sequence({ ETag: '"e"' }),
    Register: sequence({ ModelPackageArn: packageArn }),
    LineageContext: sequence({ ContextArn: 'arn:context' }),
    DataArtifact: sequence({ ArtifactArn: 'arn:a1' }),
    CodeArtifact: sequence({ ArtifactArn: 'arn:a2' }),
    ImageArtifact: sequence({ ArtifactArn: 'arn:a3' }),
    LinkData: sequence({}), LinkCode: sequence({}), LinkImage: sequence({}),
    'Log run to MLflow': sequence(payload(started)),
    // S3 API reference, CopyObject response: CopyObjectResult { ETag, LastModified }.
    'Copy evaluation to MLflow': sequence({ CopyObjectResult: { ETag: '"e"' } }),
    'Copy lineage to MLflow': sequence({ CopyObjectResult: { ETag: '"e"' } }),
    'End MLflow run': sequence({ Payload: { runId: 'r-123', status: 'FINISHED' }, StatusCode: 200 }),
    ...overrides,
  };
}

describe('retraining with MLflow enabled: executions', () => {
  test('happy path: the run is logged after Evaluate, its artifacts copied, the version tagged and the run FINISHED', async () => {
    const run = await execute(definition, { trigger: 'schedule' }, mocks());
    expect(run.status).toBe('SUCCEEDED');
    const id = run.output.run.id as string;
    expect(run.path.slice(run.path.indexOf('ReadEvaluation'))).toEqual(['ReadEvaluation', 'Log run to MLflow', 'MetricPasses?', 'ComposeLineage', 'WriteLineage', 'Register',
      'LineageContext', 'DataArtifact', 'CodeArtifact', 'ImageArtifact', 'LinkData', 'LinkCode', 'LinkImage',
      'Logged to MLflow?', 'Copy evaluation to MLflow', 'Copy lineage to MLflow', 'End MLflow run', 'Registered']);
    expect(run.output.mlflow.run).toEqual(started);
    const start = run.calls['Log run to MLflow'][0].Payload;
    expect(start).toMatchObject({
      action: 'start', experimentName: 'mlops-prod-churn', runName: id, evaluation: { metrics: { auc: 0.91 } },
      params: { 'trigger': 'schedule', 'data': { snapshot: 'none' }, 'instance-types': expect.stringMatching(/^prepare=ml\.\S+ train=ml\.\S+ evaluate=ml\.\S+$/) },
      tags: { metric: 'auc', execution: 'arn:aws:states:us-east-1:111111111111:execution:machine:run-1', reproduces: 'none' },
    });
    // A non-Iceberg source: the data version is the run's export and the object-version manifest, as pinned.
    expect(start.params.data).toEqual({
      snapshot: 'none', export: run.output.pinned.data.export, manifest: run.output.pinned.data.manifest, manifestPages: 1,
    });
    expect(start.params.data.export).toMatch(new RegExp(`/${id}/$`));
    expect(Object.keys(start.params.code)).toEqual(['prepare', 'baseline', 'evaluate']);
    expect(start.params.hyperparameters).toEqual(run.output.pinned.hyperparameters);
    expect(start.params.image).toBe(run.output.pinned.image);
    expect(start.tags.lineage).toBe(`s3://\${RegistryArtifactBucketE7127E99}/models/churn/runs/${id}/lineage.json`);
    expect(run.calls['Copy evaluation to MLflow'][0]).toEqual({
      Bucket: 'registry-bucket', Key: 'mlflow/7/r-123/artifacts/evaluation.json',
      CopySource: `\${RegistryArtifactBucketE7127E99}/models/churn/runs/${id}/evaluation/evaluation.json`,
    });
    expect(run.calls['Copy lineage to MLflow'][0]).toMatchObject({ Key: 'mlflow/7/r-123/artifacts/lineage.json', CopySource: `\${RegistryArtifactBucketE7127E99}/models/churn/runs/${id}/lineage.json` });
    expect(run.calls['End MLflow run'][0].Payload).toEqual({ action: 'finish', runId: 'r-123', status: 'FINISHED', tags: { 'model-package-arn': packageArn, 'model-package-version': '4' } });
  });

  test('a failing logger alerts and the run still registers (and is not finished in MLflow)', async () => {
    const run = await execute(definition, { trigger: 'schedule' }, mocks({
      'Log run to MLflow': sequence(taskError('PERMISSION_DENIED', 'MLflow runs/create failed (HTTP 403, PERMISSION_DENIED)')),
      'Run not logged to MLflow': sequence({ MessageId: 'm-1' }),
    }));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(expect.arrayContaining(['Run not logged to MLflow', 'Register', 'Logged to MLflow?', 'Registered']));
    expect(run.path).not.toContain('End MLflow run');
    expect(run.calls.Register).toHaveLength(1);
    const alert = run.calls['Run not logged to MLflow'][0];
    expect(alert.Message.error).toEqual({ Error: 'PERMISSION_DENIED', Cause: 'MLflow runs/create failed (HTTP 403, PERMISSION_DENIED)' });
    expect(alert.Message.alert).toMatch(/churn could not be logged to MLflow; the run continues/);
  });

  test('Lambda service errors are retried with the project retry policy before the alert', async () => {
    const run = await execute(definition, { trigger: 'schedule' }, mocks({ 'Log run to MLflow': sequence(taskError('Lambda.ServiceException'), payload(started)) }));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.calls['Log run to MLflow']).toHaveLength(2);
    expect(run.path).not.toContain('Run not logged to MLflow');
  });

  test('a failing copy after registration alerts, and the run still succeeds', async () => {
    const run = await execute(definition, { trigger: 'schedule' }, mocks({
      'Copy evaluation to MLflow': sequence(taskError('S3.AccessDeniedException')),
      'Registered run not fully logged to MLflow': sequence({ MessageId: 'm-2' }),
    }));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.calls['Registered run not fully logged to MLflow'][0].Message.error.Error).toBe('S3.AccessDeniedException');
  });

  test('a gated run ends its MLflow run KILLED; a failed registration ends it FAILED', async () => {
    const gated = await execute(definition, { trigger: 'schedule' }, mocks({ ReadEvaluation: sequence(report({ auc: 0.5 })), 'End MLflow run KILLED (gated)': sequence(payload({})) }));
    expect(gated.status).toBe('FAILED');
    expect(gated.error).toBe('ModelBelowThreshold');
    expect(gated.calls['Log run to MLflow']).toHaveLength(1);
    expect(gated.calls['End MLflow run KILLED (gated)'][0].Payload).toEqual({ action: 'finish', runId: 'r-123', status: 'KILLED' });
    const failed = await execute(definition, { trigger: 'schedule' }, mocks({
      'Register': sequence(taskError('SageMaker.ValidationException')),
      'End MLflow run FAILED': sequence(taskError('Lambda.Unknown')),
    }));
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('RetrainingStepFailed');
    expect(failed.calls['End MLflow run FAILED'][0].Payload).toEqual({ action: 'finish', runId: 'r-123', status: 'FAILED' });
  });
});

describe('retraining with MLflow enabled: template', () => {
  test('the logger: plain Node.js handler from the asset directory, the tracking server ARN in its environment, an encrypted retained log group', () => {
    const fn = template.toJSON().Resources[fnId];
    expect(fn.Properties).toMatchObject({
      Handler: 'index.handler', Runtime: 'nodejs24.x', Timeout: 60,
      Environment: { Variables: { TRACKING_SERVER_ARN: { 'Fn::GetAtt': [expect.stringMatching(/^RegistryMlflow/), 'TrackingServerArn'] } } },
    });
    const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;
    expect(template.toJSON().Resources[logGroupId].Properties).toMatchObject({ KmsKeyId: expect.anything(), RetentionInDays: expect.any(Number) });
  });

  test('the logger role: its log group and exactly grantTracking (the tracking server, the mlflow/ prefix)', () => {
    const roleId = template.toJSON().Resources[fnId].Properties.Role['Fn::GetAtt'][0];
    const policies = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })) as any[];
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s) => [].concat(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['sagemaker-mlflow:CreateRun', 'sagemaker-mlflow:LogBatch', 'sagemaker-mlflow:UpdateRun', 'sagemaker-mlflow:SetTag', 'logs:PutLogEvents']));
    expect(actions.filter((a: string) => a.startsWith('sagemaker:') && !/MlflowTrackingServer/.test(a))).toEqual([]);
    expect(actions.some((a: string) => a === '*' || a.endsWith(':*'))).toBe(false);
    const mlflowStatement = statements.find((s) => [].concat(s.Action).includes('sagemaker-mlflow:CreateRun' as never));
    expect(mlflowStatement.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RegistryMlflow/), 'TrackingServerArn'] });
  });

  test('the state machine may invoke only the logger', () => {
    const smRole = (Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as any).Properties.RoleArn['Fn::GetAtt'][0];
    const statements = (Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: smRole }] } })) as any[])
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const invoke = statements.filter((s) => [].concat(s.Action).some((a: string) => a.startsWith('lambda:')));
    expect(invoke).toHaveLength(1);
    expect([].concat(invoke[0].Action)).toEqual(['lambda:InvokeFunction']);
    expect(invoke[0].Resource).toEqual([{ 'Fn::GetAtt': [fnId, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [fnId, 'Arn'] }, ':*']] }]);
  });

  test('retries on Lambda service errors with the project policy; every MLflow task catches everything', () => {
    const start = definition.States['Log run to MLflow'];
    expect(start.Retry).toEqual([expect.objectContaining({ ErrorEquals: ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'], MaxAttempts: 4, BackoffRate: 2 })]);
    for (const name of ['Log run to MLflow', 'Copy evaluation to MLflow', 'Copy lineage to MLflow', 'End MLflow run', 'End MLflow run FAILED', 'End MLflow run KILLED (gated)']) {
      expect([name, definition.States[name].Catch.map((c: any) => c.ErrorEquals)]).toEqual([name, [['States.ALL']]]);
    }
  });

  test('cdk-nag AwsSolutions: zero unacknowledged findings with MLflow enabled', () => {
    const { stack: nagged } = build(true);
    expect(() => (nagged.node.root as App).synth()).not.toThrow();
  });
});
