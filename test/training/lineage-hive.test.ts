/* eslint-disable @typescript-eslint/no-explicit-any -- state machine JSON and mocked API responses. */
import { Template } from 'aws-cdk-lib/assertions';
import { TrainingCluster } from '../../lib/training';
import { MANIFEST_MAX_PAGES, MANIFEST_PAGE_SIZE } from '../../lib/training/private/data-manifest';
import { METADATA_VALUE } from '../../lib/training/private/lineage';
import { TaskMock, execute, sequence } from '../helpers/asl';
import { testStack } from '../helpers/app';
import { stateMachineDefinition } from '../helpers/etl';
import { managedOptions, trainingInputs } from './helpers-training';

/**
 * Issue 19 on a non-Iceberg (Hive) source table: a fresh run records a manifest of the table's S3
 * object versions and its export as the data version; a reproduce run reads that export back.
 * Task results are shaped as the API references document them (named next to each mock).
 */
const stack = testStack();
const { lakehouse, registry } = trainingInputs(stack);
new TrainingCluster(stack, 'Training', { lakehouse, registry, model: 'churn', managed: managedOptions() });
const template = Template.fromStack(stack);
const definition = stateMachineDefinition(template) as any;

const CURATED = '${LakeCuratedBucketB28F5F4C}';
const ANALYTICS = '${LakeAnalyticsBucketF31D4965}';
const ARTIFACTS = '${RegistryArtifactBucketE7127E99}';
const PACKAGE = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-prod-churn/3';

// S3 API reference, ListObjectVersions response: Versions[] (ObjectVersion: Key, VersionId, IsLatest,
// ETag, Size, LastModified, StorageClass), DeleteMarkers[], IsTruncated, NextKeyMarker and
// NextVersionIdMarker (only when truncated), Name, Prefix, MaxKeys. Versions is absent on a page without any.
// S3 returns ETag in double quotes; the local interpreter's States.JsonToString (aws-local-stepfunctions)
// does not escape quotes inside strings, so the mocks leave them out.
const version = (key: string, id: string, latest: boolean) => ({
  Key: `samples/${key}`, VersionId: id, IsLatest: latest, ETag: `${id}-etag`, Size: 1024, LastModified: '2026-12-01T00:00:00.000Z', StorageClass: 'STANDARD',
});
const page = (versions: any[], next?: [string, string], deleteMarkers: any[] = []) => ({
  Name: 'curated', Prefix: 'samples/', MaxKeys: MANIFEST_PAGE_SIZE, IsTruncated: next !== undefined,
  ...(versions.length ? { Versions: versions } : {}),
  ...(deleteMarkers.length ? { DeleteMarkers: deleteMarkers } : {}),
  ...(next ? { NextKeyMarker: next[0], NextVersionIdMarker: next[1] } : {}),
});
const PAGE_1 = page([version('a.parquet', 'va2', true), version('a.parquet', 'va1', false), version('b.parquet', 'vb1', true)], ['samples/b.parquet', 'vb1']);
const PAGE_2 = page([version('c.parquet', 'vc1', true)]);

const query = { QueryExecution: { QueryExecutionId: 'export-q', Status: { State: 'SUCCEEDED' } } }; // Athena GetQueryExecution
const job = (name: string) => ({ ProcessingJobName: name, ProcessingJobStatus: 'Completed' }); // DescribeProcessingJob
const arn = (type: string, name: string) => `arn:aws:sagemaker:us-east-1:123456789012:${type}/${name}`;

function mocks(overrides: Record<string, TaskMock> = {}): Record<string, TaskMock> {
  return {
    ListDataVersions: sequence(PAGE_1),
    ListMoreDataVersions: sequence(PAGE_2),
    WriteDataManifestPage: sequence({ ETag: '"m"' }), // S3 PutObject
    Export: sequence(query),
    CheckExport: sequence({ KeyCount: 1 }), // S3 ListObjectsV2 (KeyCount always returned)
    Prepare: sequence(job('p')),
    Baseline: sequence(job('b')),
    Train: sequence({ TrainingJobName: 'churn-t-run', TrainingJobStatus: 'Completed', ModelArtifacts: { S3ModelArtifacts: 's3://a/model.tar.gz' } }),
    Evaluate: sequence(job('e')),
    ReadEvaluation: sequence({ Body: JSON.stringify({ metrics: { auc: 0.91 } }) }), // S3 GetObject (aws-sdk: Body as a string)
    WriteLineage: sequence({ ETag: '"e"' }),
    Register: sequence({ ModelPackageArn: PACKAGE }), // CreateModelPackage
    LineageContext: sequence({ ContextArn: arn('context', 'churn-run-x') }),
    DataArtifact: sequence({ ArtifactArn: arn('artifact', 'data') }),
    CodeArtifact: sequence({ ArtifactArn: arn('artifact', 'code') }),
    ImageArtifact: sequence({ ArtifactArn: arn('artifact', 'image') }),
    ...Object.fromEntries(['LinkData', 'LinkCode', 'LinkImage'].map((s) => [s, (p: any) => ({ SourceArn: p.SourceArn, DestinationArn: p.DestinationArn })])),
    ...overrides,
  };
}

describe('a fresh run on a Hive table records a manifest of its object versions and its export', () => {
  let run: Awaited<ReturnType<typeof execute>>;
  let id: string;
  beforeAll(async () => {
    run = await execute(definition, { trigger: 'schedule' }, mocks());
    id = run.output.run.id;
  });

  test('the manifest lists the table location page by page, immediately before the export', () => {
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path.slice(run.path.indexOf('PinCurrent'), run.path.indexOf('Export') + 1)).toEqual([
      'PinCurrent', 'DataManifestStart',
      'ListDataVersions', 'HasVersions?', 'DataManifestPage', 'WriteDataManifestPage', 'MoreDataVersions?', 'NextDataManifestPage',
      'ListMoreDataVersions', 'HasVersions?', 'DataManifestPage', 'WriteDataManifestPage', 'MoreDataVersions?',
      'DataManifestDone', 'PinDataVersion', 'Export',
    ]);
    // ListObjectVersions request: Bucket, Prefix (the table's key prefix in its zone bucket), MaxKeys;
    // the next page continues at KeyMarker = NextKeyMarker, VersionIdMarker = NextVersionIdMarker.
    expect(run.calls.ListDataVersions).toEqual([{ Bucket: CURATED, Prefix: 'samples/', MaxKeys: MANIFEST_PAGE_SIZE }]);
    expect(run.calls.ListMoreDataVersions).toEqual([{ Bucket: CURATED, Prefix: 'samples/', MaxKeys: MANIFEST_PAGE_SIZE, KeyMarker: 'samples/b.parquet', VersionIdMarker: 'vb1' }]);
  });

  test('each page is a JSON object in the registry bucket under the run, holding only the current versions', () => {
    const writes = run.calls.WriteDataManifestPage;
    expect(writes.map((w: any) => [w.Bucket, w.Key, w.ContentType])).toEqual([
      [ARTIFACTS, `models/churn/runs/${id}/data-manifest/0.json`, 'application/json'],
      [ARTIFACTS, `models/churn/runs/${id}/data-manifest/1.json`, 'application/json'],
    ]);
    const bodies = writes.map((w: any) => JSON.parse(w.Body));
    expect(bodies[0]).toEqual({ table: 'mlops_prod_lake_curated.samples', bucket: CURATED, prefix: 'samples/', page: 0, versions: [PAGE_1.Versions![0], PAGE_1.Versions![2]] });
    expect(bodies[1]).toMatchObject({ page: 1, versions: [PAGE_2.Versions![0]] });
    expect(bodies.flatMap((b: any) => b.versions).map((v: any) => [v.Key, v.VersionId, v.ETag, v.Size])).toEqual([
      ['samples/a.parquet', 'va2', 'va2-etag', 1024], ['samples/b.parquet', 'vb1', 'vb1-etag', 1024], ['samples/c.parquet', 'vc1', 'vc1-etag', 1024],
    ]);
    // The listing is not carried through the rest of the run.
    expect(run.output.manifest).toEqual({ pages: 2 });
  });

  test('$.pinned.data names the manifest, its page count and the export, which Export writes, CheckExport checks and Prepare reads', () => {
    const exported = `s3://${ANALYTICS}/training-exports/churn/${id}/`;
    expect(run.output.pinned.data).toEqual({
      manifest: `s3://${ARTIFACTS}/models/churn/runs/${id}/data-manifest/`, manifestPages: 2,
      export: exported, exportKey: `training-exports/churn/${id}/`,
    });
    expect(run.calls.Export[0].QueryString).toContain(`TO '${exported}'`);
    expect(run.calls.CheckExport[0]).toMatchObject({ Bucket: ANALYTICS, Prefix: `training-exports/churn/${id}/` });
    expect(run.calls.Prepare[0].ProcessingInputs.find((i: any) => i.InputName === 'data').S3Input.S3Uri).toBe(exported);
  });

  test('the version\'s metadata, the lineage document and the DataSnapshot artifact record the data version', () => {
    const m = run.calls.Register[0].CustomerMetadataProperties;
    expect(m).toMatchObject({
      'data-snapshot': 'none',
      'data-export': `s3://${ANALYTICS}/training-exports/churn/${id}/`,
      'data-manifest': `s3://${ARTIFACTS}/models/churn/runs/${id}/data-manifest/`,
      'data-manifest-pages': '2',
    });
    // SageMaker API reference, CustomerMetadataProperties: values 1-256 characters of the documented set, at most 50 entries.
    expect(Object.entries(m).filter(([, v]) => !METADATA_VALUE.test(String(v).replace(/\$\{[\w.:]+\}/g, 'x')))).toEqual([]);
    expect(Object.keys(m).length).toBeLessThanOrEqual(50);
    const doc = JSON.parse(run.calls.WriteLineage[0].Body);
    expect(doc.inputs.data).toEqual(run.output.pinned.data);
    expect(doc.source).toEqual({ table: 'mlops_prod_lake_curated.samples', snapshotId: 'none', exportQuery: 'export-q', data: run.output.pinned.data });
    expect(run.calls.DataArtifact[0].Properties).toMatchObject({
      Manifest: run.output.pinned.data.manifest, ManifestPages: '2', Export: run.output.pinned.data.export,
    });
  });
});

describe('manifest pages', () => {
  test('a page without Versions (only delete markers) is written empty and the listing goes on', async () => {
    const markers = [{ Key: 'samples/old.parquet', VersionId: 'd1', IsLatest: true, LastModified: '2026-12-01T00:00:00.000Z' }];
    const run = await execute(definition, { trigger: 'schedule' }, mocks({ ListDataVersions: sequence(page([], ['samples/old.parquet', 'd1'], markers)) }));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toContain('EmptyDataManifestPage');
    expect(JSON.parse(run.calls.WriteDataManifestPage[0].Body).versions).toEqual([]);
    expect(run.calls.ListMoreDataVersions[0]).toMatchObject({ KeyMarker: 'samples/old.parquet', VersionIdMarker: 'd1' });
    expect(run.output.pinned.data.manifestPages).toBe(2);
  });

  test('a table with more than the page cap stops with DataManifestTooLarge after writing the cap, before the export', async () => {
    const truncated = page([version('x.parquet', 'vx', true)], ['samples/x.parquet', 'vx']);
    const run = await execute(definition, { trigger: 'schedule' }, mocks({ ListDataVersions: sequence(truncated), ListMoreDataVersions: sequence(truncated) }));
    expect(run).toMatchObject({ status: 'FAILED', error: 'DataManifestTooLarge' });
    expect(run.cause).toMatch(new RegExp(`more than ${MANIFEST_MAX_PAGES * MANIFEST_PAGE_SIZE} objects`));
    expect(run.calls.WriteDataManifestPage).toHaveLength(MANIFEST_MAX_PAGES);
    expect(run.calls.Export).toBeUndefined();
  }, 60_000);

  test('a failed listing ends the run in RetrainingStepFailed before the export', async () => {
    const denied = Object.assign(new Error('Access Denied'), { name: 'S3.AccessDeniedException' });
    const run = await execute(definition, { trigger: 'schedule' }, mocks({ ListDataVersions: sequence(denied) }));
    expect(run).toMatchObject({ status: 'FAILED', error: 'RetrainingStepFailed' });
    expect(run.calls.Export).toBeUndefined();
  });
});

describe('reproducing a version trained on a Hive table reads the recorded export', () => {
  let fresh: Awaited<ReturnType<typeof execute>>;
  const reproduce = (body: string, overrides: Record<string, TaskMock> = {}) => execute(definition, { reproduce: { modelPackageArn: PACKAGE } }, mocks({
    // SageMaker API reference, DescribeModelPackage response.
    DescribeRecorded: sequence({ ModelPackageArn: PACKAGE, CustomerMetadataProperties: fresh.calls.Register[0].CustomerMetadataProperties }),
    ReadRecordedLineage: sequence({ Body: body }), // S3 GetObject
    Register: sequence({ ModelPackageArn: PACKAGE.replace(/\/3$/, '/4') }),
    ...overrides,
  }));
  beforeAll(async () => { fresh = await execute(definition, { trigger: 'schedule' }, mocks()); });

  test('no manifest, no Athena export: Prepare reads the recorded export and the new version records it and the original query', async () => {
    const run = await reproduce(fresh.calls.WriteLineage[0].Body);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path.slice(run.path.indexOf('SameImages?'), run.path.indexOf('HasData?') + 1)).toEqual(['SameImages?', 'DataRecorded?', 'PinRecorded', 'UseRecordedExport', 'CheckExport', 'HasData?']);
    expect([run.calls.Export, run.calls.ListDataVersions, run.calls.WriteDataManifestPage]).toEqual([undefined, undefined, undefined]);
    const recorded = fresh.output.pinned.data;
    expect(run.output.pinned.data).toEqual(recorded);
    expect(run.calls.CheckExport[0]).toEqual({ Bucket: ANALYTICS, Prefix: recorded.exportKey, MaxKeys: 1 });
    expect(run.calls.Prepare[0].ProcessingInputs.find((i: any) => i.InputName === 'data').S3Input.S3Uri).toBe(recorded.export);
    expect(run.calls.Prepare[0].ProcessingInputs.find((i: any) => i.InputName === 'data').S3Input.S3Uri).not.toContain(run.output.run.id);
    expect(run.calls.Register[0].CustomerMetadataProperties).toMatchObject({
      'reproduces': PACKAGE, 'data-export': recorded.export, 'data-manifest': recorded.manifest, 'export-query': 'export-q',
    });
    const doc = JSON.parse(run.calls.WriteLineage[0].Body);
    expect(doc.inputs.data).toEqual(recorded);
    expect(doc.source.exportQuery).toBe('export-q');
  });

  test('a recorded export with no objects left stops with RecordedDataGone naming the URI, not NoTrainingData', async () => {
    const run = await reproduce(fresh.calls.WriteLineage[0].Body, { CheckExport: sequence({ KeyCount: 0 }) });
    expect(run).toMatchObject({ status: 'FAILED', error: 'RecordedDataGone' });
    expect(run.cause).toContain(`The recorded export ${fresh.output.pinned.data.export} of version ${PACKAGE} has no objects`);
    expect(run.calls.Prepare).toBeUndefined();
  });

  test('a fresh run with an empty export still stops with NoTrainingData', async () => {
    const run = await execute(definition, { trigger: 'schedule' }, mocks({ CheckExport: sequence({ KeyCount: 0 }) }));
    expect(run).toMatchObject({ status: 'FAILED', error: 'NoTrainingData' });
  });

  test('a version recorded before Hive runs kept their data version stops with NotReproducible before any export', async () => {
    const doc = JSON.parse(fresh.calls.WriteLineage[0].Body);
    delete doc.inputs.data;
    delete doc.source.data;
    const run = await reproduce(JSON.stringify(doc));
    expect(run).toMatchObject({ status: 'FAILED', error: 'NotReproducible' });
    expect(run.cause).toMatch(/names no export \(inputs\.data\)/);
    expect([run.calls.Export, run.calls.CheckExport, run.calls.Prepare]).toEqual([undefined, undefined, undefined]);
  });
});

describe('who may list the table\'s versions', () => {
  test('the orchestrator has exactly s3:ListBucketVersions on the source table\'s zone bucket, in one statement of its own', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as any[])
      .filter((s) => [].concat(s.Action).includes('s3:ListBucketVersions' as never));
    expect(statements).toEqual([{ Effect: 'Allow', Action: 's3:ListBucketVersions', Resource: { 'Fn::GetAtt': ['LakeCuratedBucketB28F5F4C', 'Arn'] } }]);
    const roles = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('s3:ListBucketVersions')).map((p) => JSON.stringify(p.Properties.Roles));
    expect(roles).toHaveLength(1);
    expect(roles[0]).toMatch(/TrainingWorkflowRole/);
  });
});
