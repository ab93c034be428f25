/* eslint-disable @typescript-eslint/no-explicit-any -- state machine JSON and mocked API responses. */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildDefaultApp } from '../../bin/main';
import { METADATA_VALUE } from '../../lib/training/private/lineage';
import { TaskMock, execute, sequence } from '../helpers/asl';
import { SKIP_BUNDLING, testApp } from '../helpers/app';
import { stateMachineDefinition } from '../helpers/etl';

/**
 * Issue 19, reproducible models, over the synthesized default app (dev): the training table is an
 * Iceberg table, so every run pins a snapshot. Task results are shaped as the API references
 * document them (named next to each mock).
 */
const { stages } = buildDefaultApp(testApp({ ...SKIP_BUNDLING }));
const stage = [...stages.values()][0];
const training = stage.trainings.get('churn')!;
const mlStack = Stack.of(training);
const template = Template.fromStack(mlStack);
const machineId = mlStack.getLogicalId(training.stateMachine!.node.defaultChild as never);
const definition = stateMachineDefinition(template, new RegExp(`^${machineId}$`)) as any;
const states = definition.States as Record<string, any>;
const pin = states.PinCurrent.Parameters;

const SNAPSHOT = '949530903748831860';
const PACKAGE = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-dev-churn/7';
const query = (id: string) => ({ QueryExecution: { QueryExecutionId: id, Status: { State: 'SUCCEEDED' } } }); // Athena GetQueryExecution
// Athena GetQueryResults: for a SELECT the first row holds the column names.
const snapshotRows = (...ids: string[]) => ({ ResultSet: { Rows: [{ Data: [{ VarCharValue: '_col0' }] }, ...ids.map((v) => ({ Data: [{ VarCharValue: v }] }))], ResultSetMetadata: {} } });
const job = (name: string) => ({ ProcessingJobName: name, ProcessingJobStatus: 'Completed' }); // DescribeProcessingJob
const trained = { TrainingJobName: 'churn-t-run', TrainingJobStatus: 'Completed', ModelArtifacts: { S3ModelArtifacts: 's3://a/model.tar.gz' } }; // DescribeTrainingJob
const arn = (type: string, name: string) => `arn:aws:sagemaker:us-east-1:123456789012:${type}/${name}`;

function mocks(overrides: Record<string, TaskMock> = {}): Record<string, TaskMock> {
  return {
    CurrentSnapshot: sequence(query('snap-q')),
    ReadSnapshot: sequence(snapshotRows(SNAPSHOT)),
    Export: sequence(query('export-q')),
    CheckExport: sequence({ KeyCount: 1 }), // S3 ListObjectsV2
    Prepare: sequence(job('p')),
    Baseline: sequence(job('b')),
    Train: sequence(trained),
    Evaluate: sequence(job('e')),
    ReadEvaluation: sequence({ Body: JSON.stringify({ metrics: { auc: 0.91 } }) }), // S3 GetObject (aws-sdk: Body as a string)
    WriteLineage: sequence({ ETag: '"e"' }), // S3 PutObject
    Register: sequence({ ModelPackageArn: PACKAGE }), // CreateModelPackage
    LineageContext: sequence({ ContextArn: arn('context', 'churn-run-x') }), // CreateContext
    DataArtifact: sequence({ ArtifactArn: arn('artifact', 'data') }), // CreateArtifact
    CodeArtifact: sequence({ ArtifactArn: arn('artifact', 'code') }),
    ImageArtifact: sequence({ ArtifactArn: arn('artifact', 'image') }),
    LinkData: (p) => ({ SourceArn: p.SourceArn, DestinationArn: p.DestinationArn }), // AddAssociation
    LinkCode: (p) => ({ SourceArn: p.SourceArn, DestinationArn: p.DestinationArn }),
    LinkImage: (p) => ({ SourceArn: p.SourceArn, DestinationArn: p.DestinationArn }),
    ...overrides,
  };
}

const driftInput = { trigger: 'alarm', event: { source: 'aws.cloudwatch', detail: { alarmName: 'churn-drift' } } };

describe('a fresh run pins and records its inputs', () => {
  let run: Awaited<ReturnType<typeof execute>>;
  let doc: any;
  beforeAll(async () => {
    run = await execute(definition, driftInput, mocks());
    doc = JSON.parse(run.calls.WriteLineage[0].Body);
  });

  test('the current snapshot comes from the table\'s $history metadata table and the export reads it with FOR VERSION AS OF', () => {
    expect(run.status).toBe('SUCCEEDED');
    // Athena user guide, "Query Iceberg table metadata" ($history) and "Perform time travel and version travel queries".
    expect(run.calls.CurrentSnapshot[0].QueryString).toBe('SELECT CAST(snapshot_id AS VARCHAR) FROM "mlops_dev_lake_curated"."training_samples$history" '
      + 'WHERE is_current_ancestor ORDER BY made_current_at DESC LIMIT 1');
    expect(run.calls.ReadSnapshot[0]).toEqual({ QueryExecutionId: 'snap-q', MaxResults: 2 });
    expect(run.calls.Export[0].QueryString).toMatch(new RegExp(`FROM "mlops_dev_lake_curated"\\."training_samples" FOR VERSION AS OF ${SNAPSHOT}\\) TO `));
  });

  test('the jobs run the pinned scripts: content-hashed asset keys, the entrypoint named after the key', () => {
    for (const [state, role] of [['Prepare', 'prepare'], ['Baseline', 'baseline'], ['Evaluate', 'evaluate']]) {
      const code = run.calls[state][0].ProcessingInputs.find((i: any) => i.InputName === 'code').S3Input;
      expect(code.S3Uri).toBe(pin.code[role].uri);
      // The asset's key is its content hash (the bucket is the bootstrap bucket of the deploy account,
      // a deploy-time value here); SageMaker downloads it under LocalPath by its key's last segment.
      expect(pin.code[role].entrypoint).toMatch(/^\/opt\/ml\/processing\/input\/code\/[0-9a-f]{64}\.py$/);
      expect(run.calls[state][0].AppSpecification.ContainerEntrypoint).toEqual(['python3', pin.code[role].entrypoint]);
    }
    expect(run.calls.Train[0].HyperParameters).toEqual(pin.hyperparameters);
    expect(pin.hyperparameters).toMatchObject({ objective: 'binary:logistic', num_round: expect.stringMatching(/^\d+$/) });
  });

  test('Register records data snapshot, script hashes, image, hyperparameters, instance types, trigger and execution, and points to the document', () => {
    const m = run.calls.Register[0].CustomerMetadataProperties;
    expect(m).toMatchObject({
      'data-table': 'mlops_dev_lake_curated.training_samples',
      'data-snapshot': SNAPSHOT,
      'code-prepare': pin.code.prepare.uri,
      'code-baseline': pin.code.baseline.uri,
      'code-evaluate': pin.code.evaluate.uri,
      'image': run.calls.Train[0].AlgorithmSpecification.TrainingImage,
      'hyperparameters': Object.keys(pin.hyperparameters).sort().map((k) => `${k}=${pin.hyperparameters[k]}`).join(' '),
      'instance-types': 'prepare=ml.m5.xlarge train=ml.m5.xlarge evaluate=ml.m5.xlarge',
      'trigger': 'alarm',
      'execution': 'arn:aws:states:us-east-1:111111111111:execution:machine:run-1',
      'reproduces': 'none',
      'lineage': run.calls.WriteLineage[0].Key,
      'lineage-schema': 'mlops.lineage/v1',
    });
    expect(run.calls.WriteLineage[0].Key).toBe(`models/churn/runs/${run.output.run.id}/lineage.json`);
  });

  test('every new metadata value fits CustomerMetadataProperties (1-256 characters of the documented set), at most 50 entries', () => {
    // SageMaker API reference, ModelPackage.CustomerMetadataProperties: Map Entries max 50; Value 1-256,
    // pattern ^([\p{L}\p{Z}\p{N}_.:\/=+\-@]*)$.
    const m = run.calls.Register[0].CustomerMetadataProperties as Record<string, string>;
    expect(Object.keys(m).length).toBeLessThanOrEqual(50);
    const bad = Object.entries(m).filter(([, v]) => !METADATA_VALUE.test(v.replace(/\$\{[\w.:]+\}/g, 'x')));
    expect(bad).toEqual([]);
  });

  test('the lineage document holds the pinned inputs, the environment, the run (execution ARN and triggering input) and the outputs', () => {
    expect(run.calls.WriteLineage[0]).toMatchObject({ ContentType: 'application/json' });
    expect(doc.inputs).toEqual({
      snapshotId: SNAPSHOT, code: pin.code, image: pin.image, inferenceImage: pin.inferenceImage,
      hyperparameters: pin.hyperparameters, hyperparametersText: pin.hyperparametersText,
    });
    expect(doc.run).toEqual({ id: run.output.run.id, startedAt: run.output.run.startedAt, executionArn: 'arn:aws:states:us-east-1:111111111111:execution:machine:run-1', trigger: driftInput, reproduces: 'none' });
    expect(doc.environment.train).toMatchObject({ instanceType: 'ml.m5.xlarge', instanceCount: 1 });
    expect(doc.source).toEqual({ table: 'mlops_dev_lake_curated.training_samples', snapshotId: SNAPSHOT, exportQuery: 'export-q' });
    expect(doc.outputs).toMatchObject({ trainingJob: 'churn-t-run', modelData: 's3://a/model.tar.gz', metric: 'auc', metricValue: 0.91 });
    expect(doc.outputs.prepared).toMatch(new RegExp(`/models/churn/runs/${run.output.run.id}/prepared/$`));
  });

  test('lineage entities: a context for the run sourced at the model package, artifacts for data, code and image, each ContributedTo the context', () => {
    const ctx = run.calls.LineageContext[0];
    // CreateContext (SageMaker API reference): ContextName [a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}, Source.SourceUri, ContextType required.
    expect(ctx.ContextName).toBe(`churn-run-${run.output.run.id}`);
    expect(ctx.ContextName).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}$/);
    expect(ctx).toMatchObject({ ContextType: 'TrainingRun', Source: { SourceUri: PACKAGE }, Properties: { ModelPackageArn: PACKAGE, Reproduces: 'none' } });
    // CreateArtifact: Source.SourceUri and ArtifactType required; the values are in Properties.
    const docUri = doc.outputs.prepared.replace(/prepared\/$/, 'lineage.json');
    expect(run.calls.DataArtifact[0]).toEqual({ ArtifactType: 'DataSnapshot', Source: { SourceUri: `${docUri}#data` },
      Properties: { Table: 'mlops_dev_lake_curated.training_samples', SnapshotId: SNAPSHOT, ExportQuery: 'export-q', Prepared: doc.outputs.prepared } });
    expect(run.calls.CodeArtifact[0]).toEqual({ ArtifactType: 'Code', Source: { SourceUri: `${docUri}#code` },
      Properties: { Prepare: pin.code.prepare.uri, Baseline: pin.code.baseline.uri, Evaluate: pin.code.evaluate.uri } });
    expect(run.calls.ImageArtifact[0]).toMatchObject({ ArtifactType: 'Image', Properties: { TrainingImage: pin.image, InferenceImage: pin.inferenceImage } });
    // AddAssociation: AssociationType ContributedTo.
    for (const [link, what] of [['LinkData', 'data'], ['LinkCode', 'code'], ['LinkImage', 'image']]) {
      expect(run.calls[link][0]).toEqual({ SourceArn: arn('artifact', what), DestinationArn: arn('context', 'churn-run-x'), AssociationType: 'ContributedTo' });
    }
  });
});

describe('endpoint -> model version -> data snapshot and code', () => {
  test('the serving stack reads the version from an SSM parameter; that version\'s metadata leads to its document and the snapshot the export read', async () => {
    // The serving stack: a CloudFormation AWS::SSM::Parameter::Value<String> parameter holds the approved model package ARN.
    const serving = stage.servingStacks.map((st) => Template.fromStack(st).toJSON().Parameters ?? {})
      .flatMap((ps) => Object.values(ps) as any[]).filter((p) => p.Type === 'AWS::SSM::Parameter::Value<String>' && /churn/i.test(String(p.Default)));
    expect(serving.length).toBeGreaterThan(0);
    // The version (what promotion writes there is Register's ModelPackageArn) -> DescribeModelPackage
    // CustomerMetadataProperties.lineage -> the document -> the snapshot and scripts, as the reproduce path reads them.
    const fresh = await execute(definition, { trigger: 'schedule' }, mocks());
    const metadata = fresh.calls.Register[0].CustomerMetadataProperties;
    const again = await execute(definition, { reproduce: { modelPackageArn: fresh.output.registered.ModelPackageArn } }, mocks({
      DescribeRecorded: sequence({ ModelPackageArn: fresh.output.registered.ModelPackageArn, CustomerMetadataProperties: metadata }),
      ReadRecordedLineage: (p) => { expect(p.Key).toBe(fresh.calls.WriteLineage[0].Key); return { Body: fresh.calls.WriteLineage[0].Body }; },
    }));
    expect(again.status).toBe('SUCCEEDED');
    expect(again.calls.Export[0].QueryString.replace(again.output.run.id, 'RUN')).toBe(fresh.calls.Export[0].QueryString.replace(fresh.output.run.id, 'RUN'));
    expect(again.output.pinned).toEqual({ ...fresh.output.pinned, reproduces: fresh.output.registered.ModelPackageArn });
  });
});

describe('reproducing a version pins every recorded input', () => {
  // The record of version 7, made by an earlier deployment: another snapshot, older scripts, other hyperparameters.
  const old = (role: string) => ({ uri: `s3://assets/${role.padEnd(64, '0').slice(0, 64).replace(/[^0-9a-f]/g, 'a')}.py`, entrypoint: `/opt/ml/processing/input/code/${role}-old.py` });
  const recordedInputs = {
    snapshotId: '1111111111111111111',
    code: { prepare: old('prepare'), baseline: old('baseline'), evaluate: old('evaluate') },
    image: pin.image,
    inferenceImage: pin.inferenceImage,
    hyperparameters: { objective: 'binary:logistic', num_round: '42', max_depth: '3' },
    hyperparametersText: 'max_depth=3 num_round=42 objective=binary:logistic',
  };
  const recorded = (inputs: unknown) => ({
    // SageMaker API reference, DescribeModelPackage response.
    DescribeRecorded: sequence({ ModelPackageArn: PACKAGE, ModelPackageGroupName: 'mlops-dev-churn', CustomerMetadataProperties: { lineage: 'models/churn/runs/r7/lineage.json' } }),
    ReadRecordedLineage: sequence({ Body: JSON.stringify({ schema: 'mlops.lineage/v1', inputs }) }),
    Register: sequence({ ModelPackageArn: PACKAGE.replace(/\/7$/, '/8') }),
  });

  test('by ARN: no snapshot query; the export, scripts and hyperparameters are the recorded ones; the new version and its lineage point to the original', async () => {
    const run = await execute(definition, { reproduce: { modelPackageArn: PACKAGE } }, mocks(recorded(recordedInputs)));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path.slice(0, 9)).toEqual(['Init', 'HasTrigger?', 'ManualTrigger', 'Reproduce?', 'DescribeRecorded', 'HasLineage?', 'ReadRecordedLineage', 'SameImages?', 'PinRecorded']);
    expect(run.calls.CurrentSnapshot).toBeUndefined();
    expect(run.calls.DescribeRecorded[0]).toEqual({ ModelPackageName: PACKAGE });
    expect(run.calls.ReadRecordedLineage[0]).toMatchObject({ Key: 'models/churn/runs/r7/lineage.json' });
    expect(run.calls.Export[0].QueryString).toMatch(/FOR VERSION AS OF 1111111111111111111\) TO /);
    for (const [state, role] of [['Prepare', 'prepare'], ['Baseline', 'baseline'], ['Evaluate', 'evaluate']] as const) {
      const code = run.calls[state][0].ProcessingInputs.find((i: any) => i.InputName === 'code').S3Input;
      expect(code.S3Uri).toBe(recordedInputs.code[role].uri);
      expect(run.calls[state][0].AppSpecification.ContainerEntrypoint).toEqual(['python3', recordedInputs.code[role].entrypoint]);
    }
    expect(run.calls.Train[0].HyperParameters).toEqual(recordedInputs.hyperparameters);
    const m = run.calls.Register[0].CustomerMetadataProperties;
    expect(m).toMatchObject({ 'reproduces': PACKAGE, 'data-snapshot': '1111111111111111111', 'hyperparameters': recordedInputs.hyperparametersText, 'trigger': 'manual' });
    expect(run.calls.Register[0].ModelApprovalStatus).toBe('PendingManualApproval');
    const doc = JSON.parse(run.calls.WriteLineage[0].Body);
    expect(doc.inputs).toEqual(recordedInputs);
    expect(doc.run.reproduces).toBe(PACKAGE);
    expect(run.calls.LineageContext[0].Properties.Reproduces).toBe(PACKAGE);
  });

  test('by version number: the ARN is built from the model package group', async () => {
    const run = await execute(definition, { reproduce: { version: 7 } }, mocks(recorded(recordedInputs)));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.calls.DescribeRecorded[0].ModelPackageName).toBe('arn:aws:sagemaker:${AWS::Region}:${AWS::AccountId}:model-package/mlops-dev-churn/7');
  });

  test('a version registered before runs recorded lineage stops with NotReproducible', async () => {
    const run = await execute(definition, { reproduce: { modelPackageArn: PACKAGE } }, mocks({
      DescribeRecorded: sequence({ ModelPackageArn: PACKAGE, ModelPackageGroupName: 'mlops-dev-churn', ModelApprovalStatus: 'Approved' }),
    }));
    expect(run).toMatchObject({ status: 'FAILED', error: 'NotReproducible' });
    expect(run.calls.ReadRecordedLineage).toBeUndefined();
  });

  test('a record whose image is not the deployed one stops with ReproduceImageChanged before any job', async () => {
    const run = await execute(definition, { reproduce: { modelPackageArn: PACKAGE } }, mocks(recorded({ ...recordedInputs, image: 'other/image:1' })));
    expect(run).toMatchObject({ status: 'FAILED', error: 'ReproduceImageChanged' });
    expect(run.calls.Export).toBeUndefined();
  });
});

describe('an Iceberg source pins its snapshot id, not an object-version manifest', () => {
  test('no manifest states, no pinned data, no ListBucketVersions grant', async () => {
    const manifestStates = ['DataManifestStart', 'ListDataVersions', 'ListMoreDataVersions', 'WriteDataManifestPage', 'PinDataVersion', 'UseRecordedExport', 'DataRecorded?', 'RecordedDataGone'];
    expect(manifestStates.filter((s) => s in states)).toEqual([]);
    const run = await execute(definition, { trigger: 'schedule' }, mocks());
    expect(run.output.pinned.data).toBeUndefined();
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('s3:ListBucketVersions');
  });
});

describe('day 0 and failures', () => {
  test('an Iceberg table without a snapshot (no rows yet) stops with NoTrainingData before the export', async () => {
    const run = await execute(definition, { trigger: 'schedule' }, mocks({ ReadSnapshot: sequence(snapshotRows()) }));
    expect(run).toMatchObject({ status: 'FAILED', error: 'NoTrainingData' });
    expect(run.calls.Export).toBeUndefined();
  });

  test('a failed lineage call ends the run in RetrainingStepFailed (the version exists; the failure alert says so)', async () => {
    const run = await execute(definition, { trigger: 'schedule' }, mocks({ DataArtifact: sequence(Object.assign(new Error('denied'), { name: 'SageMaker.AccessDeniedException' })) }));
    expect(run).toMatchObject({ status: 'FAILED', error: 'RetrainingStepFailed' });
    expect(run.calls.Register).toHaveLength(1);
  });
});

describe('what protects the record, and who may write it', () => {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes('TrainingWorkflowRole'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as any[]);
  const actions = (s: any): string[] => [].concat(s.Action);

  test('the orchestrator may create the run\'s context and artifacts and associate them, write the lineage document and describe versions', () => {
    const ctx = policies.find((s) => actions(s).includes('sagemaker:CreateContext'));
    expect(JSON.stringify(ctx.Resource)).toMatch(/:context\/churn-run-\*/);
    expect(actions(ctx)).toContain('sagemaker:AddAssociation');
    const art = policies.find((s) => actions(s).includes('sagemaker:CreateArtifact'));
    expect(JSON.stringify(art.Resource)).toMatch(/:artifact\/\*/);
    expect(policies.some((s) => actions(s).includes('sagemaker:DescribeModelPackage'))).toBe(true);
    const put = policies.filter((s) => actions(s).includes('s3:PutObject') && JSON.stringify(s.Resource).includes('models/churn/runs/*'));
    expect(put.length).toBeGreaterThan(0);
  });

  test('the run prefix (prepared splits, lineage document) is never expired: the artifact bucket is versioned and expires only noncurrent versions, and is retained', () => {
    const registryStack = Stack.of(stage.registry);
    const buckets = Template.fromStack(registryStack).findResources('AWS::S3::Bucket');
    const [id, bucket] = Object.entries(buckets).find(([k]) => /ArtifactBucket/.test(k) && !/AccessLog/.test(k))!;
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    for (const rule of bucket.Properties.LifecycleConfiguration.Rules) {
      expect([id, rule.ExpirationInDays, rule.ExpirationDate, rule.Transitions]).toEqual([id, undefined, undefined, undefined]);
    }
    expect(bucket.DeletionPolicy).toBe('Retain');
  });
});

/**
 * The documented query "which data trained the model behind this endpoint" (issue 19), followed over
 * the synthesized default app: a training run and a promotion execute (ASL harness) against one
 * in-memory lineage store that keeps what their CreateContext / CreateArtifact / CreateAction /
 * AddAssociation calls create; then the query's calls are answered from that store, as SageMaker
 * would: ListActions(SourceUri, ActionType) filters by source URI and type (SageMaker API reference,
 * ListActions); QueryLineage(StartArns, Direction=Ascendants) walks associations from destination to
 * source (SageMaker API reference, QueryLineage).
 */
describe('the documented lineage query: serving stack parameter -> deployment -> version -> run -> data snapshot', () => {
  type Entity = { arn: string; kind: 'context' | 'artifact' | 'action'; type: string; sourceUri: string; properties: Record<string, string> };
  const store = { entities: [] as Entity[], associations: [] as Array<{ source: string; destination: string; type: string }> };
  let n = 0;
  // The default app is environment-agnostic: CloudFormation resolves the pseudo parameters at deploy time.
  const deployed = (v: string) => v.replace(/\$\{AWS::Region\}/g, 'us-east-1').replace(/\$\{AWS::AccountId\}/g, '123456789012');
  const create = (kind: Entity['kind'], type: string, sourceUri: string, properties: Record<string, string>) => {
    const e = { arn: arn(kind, `${kind}-${++n}`), kind, type, sourceUri: deployed(sourceUri),
      properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, deployed(v)])) };
    store.entities.push(e);
    return e.arn;
  };
  const associate: TaskMock = (p) => {
    // AddAssociation: both entities must exist (ResourceNotFound otherwise).
    for (const a of [p.SourceArn, p.DestinationArn]) if (!store.entities.some((e) => e.arn === a)) throw new Error(`no entity ${a}`);
    store.associations.push({ source: p.SourceArn, destination: p.DestinationArn, type: p.AssociationType });
    return { SourceArn: p.SourceArn, DestinationArn: p.DestinationArn };
  };
  const promotion = stage.promotions.get('churn');
  let parameterName: string;

  beforeAll(async () => {
    expect(promotion).toBeDefined();
    // 1. A run registers version 7 and records its lineage.
    const trainingRun = await execute(definition, { trigger: 'schedule' }, mocks({
      LineageContext: (p) => ({ ContextArn: create('context', p.ContextType, p.Source.SourceUri, p.Properties) }),
      DataArtifact: (p) => ({ ArtifactArn: create('artifact', p.ArtifactType, p.Source.SourceUri, p.Properties) }),
      CodeArtifact: (p) => ({ ArtifactArn: create('artifact', p.ArtifactType, p.Source.SourceUri, p.Properties) }),
      ImageArtifact: (p) => ({ ArtifactArn: create('artifact', p.ArtifactType, p.Source.SourceUri, p.Properties) }),
      LinkData: associate, LinkCode: associate, LinkImage: associate,
    }));
    expect(trainingRun.status).toBe('SUCCEEDED');

    // 2. The approval of version 7 promotes it to the first stage, whose serving stack is in this app.
    const workflowStack = Stack.of(promotion!);
    const promotionDefinition = stateMachineDefinition(Template.fromStack(workflowStack),
      new RegExp(`^${workflowStack.getLogicalId(promotion!.stateMachine.node.defaultChild as never)}$`)) as any;
    const first = promotion!.stages[0];
    parameterName = first.parameterName;
    const event = { 'detail-type': 'SageMaker Model Package State Change', 'source': 'aws.sagemaker',
      'detail': { ModelPackageGroupName: 'mlops-dev-churn', ModelPackageArn: PACKAGE, ModelApprovalStatus: 'Approved', ModelPackageVersion: 7 } };
    const s = first.name;
    const promoted = await execute(promotionDefinition, event, {
      [`${s}: Read current version`]: sequence({ Parameter: { Name: parameterName, Value: 'none', Version: 1 } }), // SSM GetParameter
      [`${s}: Write approved version`]: sequence({ Version: 2, Tier: 'Standard' }), // SSM PutParameter
      [`${s}: Update serving stack`]: sequence({ StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${first.stackName}/1` }), // UpdateStack
      [`${s}: Read stack status`]: sequence({ Stacks: [{ StackName: first.stackName, StackStatus: 'UPDATE_COMPLETE' }] }), // DescribeStacks
      [`${s} lineage: Find training run`]: (p) => ({ // ListContexts
        ContextSummaries: store.entities.filter((e) => e.kind === 'context' && e.sourceUri === p.SourceUri && e.type === p.ContextType).map((e) => ({ ContextArn: e.arn })),
      }),
      [`${s} lineage: Record deployment`]: (p) => ({ ActionArn: create('action', p.ActionType, p.Source.SourceUri, p.Properties) }),
      [`${s} lineage: Link to training run`]: associate,
    }, { Task: { Token: 't' } });
    expect(promoted.path).toContain(`${s} lineage: Link to training run`);
  });

  test('the serving stack reads the parameter the promotion wrote and sourced the deployment at; the query ends at the snapshot the run exported', () => {
    // The serving stack's template: an AWS::SSM::Parameter::Value<String> parameter whose default is that name.
    const served = stage.servingStacks.flatMap((st) => Object.values(Template.fromStack(st).toJSON().Parameters ?? {}) as any[])
      .filter((p) => p.Type === 'AWS::SSM::Parameter::Value<String>').map((p) => p.Default);
    expect(served).toContain(parameterName);

    // aws sagemaker list-actions --source-uri <parameter ARN> --action-type ModelDeployment
    const parameterArn = `arn:aws:ssm:us-east-1:123456789012:parameter${parameterName}`;
    const deployments = store.entities.filter((e) => e.kind === 'action' && e.sourceUri === parameterArn && e.type === 'ModelDeployment');
    expect(deployments).toHaveLength(1);
    expect(deployments[0].properties.ModelPackageArn).toBe(PACKAGE);

    // aws sagemaker query-lineage --start-arns <action ARN> --direction Ascendants --include-edges
    const ascendants = (start: string): Entity[] => {
      const seen = new Set<string>();
      const walk = (a: string) => store.associations.filter((x) => x.destination === a && !seen.has(x.source)).forEach((x) => { seen.add(x.source); walk(x.source); });
      walk(start);
      return store.entities.filter((e) => seen.has(e.arn));
    };
    const found = ascendants(deployments[0].arn);
    const run = found.find((e) => e.kind === 'context' && e.type === 'TrainingRun')!;
    expect(run.sourceUri).toBe(PACKAGE);
    const data = found.find((e) => e.type === 'DataSnapshot')!;
    expect(data.properties).toEqual(expect.objectContaining({ Table: 'mlops_dev_lake_curated.training_samples', SnapshotId: SNAPSHOT }));
    expect(found.map((e) => e.type).sort()).toEqual(['Code', 'DataSnapshot', 'Image', 'TrainingRun']);
  });
});
