import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ColumnType, DataLakehouse, EtlPipeline, EtlPipelineProps, GlueVersion, LakehouseZone, TableFormat } from '../../lib';
import { SKIP_BUNDLING, testStack } from '../helpers/app';
import { JOB_SCRIPT, RULESET, stateMachineDefinition } from '../helpers/etl';

const columns = [{ name: 'id', type: ColumnType.STRING }, { name: 'value', type: ColumnType.DOUBLE }];
const dt = { name: 'dt', type: ColumnType.STRING };

function lake(stack: Stack): DataLakehouse {
  return new DataLakehouse(stack, 'Lake', {
    tables: [
      { name: 'events', zone: LakehouseZone.RAW, columns, partitionKeys: [dt], partitionProjection: { column: 'dt', start: '2026-01-01' } },
      { name: 'clean', zone: LakehouseZone.CURATED, columns, partitionKeys: [dt, { name: 'run_id', type: ColumnType.STRING }] },
      { name: 'samples', zone: LakehouseZone.CURATED, format: TableFormat.ICEBERG, columns },
    ],
  });
}

type Batch = NonNullable<EtlPipelineProps['batch']>;
function build(batch: Partial<Batch> = {}) {
  const stack = testStack({ context: SKIP_BUNDLING });
  const lakehouse = lake(stack);
  new EtlPipeline(stack, 'Pipeline', {
    lakehouse,
    batch: {
      script: JOB_SCRIPT,
      source: { zone: LakehouseZone.RAW, table: 'events' },
      target: { zone: LakehouseZone.CURATED, table: 'clean' },
      dataQuality: { ruleset: RULESET },
      ...batch,
    },
  });
  return Template.fromStack(stack);
}

const bucketUrl = (zone: string, key: string) => ({ 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp(`^Lake${zone}Bucket`) }, key]] });

describe('Glue job arguments', () => {
  // Item 4b: raw partitions written by Firehose are never in the catalog; the job reads the files.
  test('passes the source table location as --source_path', () => {
    build().hasResourceProperties('AWS::Glue::Job', {
      DefaultArguments: Match.objectLike({ '--source_path': bucketUrl('Raw', '/events/'), '--source_table': 'events', '--run_id': 'manual' }),
    });
  });

  // Item 8: on Glue 5.0 --continuous-log-logGroup is not read; logs go to <prefix>/error and <prefix>/output.
  test('Glue 5.0 logs to <prefix>/error and <prefix>/output, both created encrypted and retained, and the role may write exactly there', () => {
    const t = build();
    const job = Object.values(t.findResources('AWS::Glue::Job'))[0];
    const args = job.Properties.DefaultArguments as Record<string, unknown>;
    expect(args['--continuous-log-logGroup']).toBeUndefined();
    expect(args['--enable-continuous-cloudwatch-log']).toBeUndefined();
    const prefix = args['--custom-logGroup-prefix'] as string;
    expect(prefix).toMatch(/^\/mlops\/glue\/Test-Pipeline-Batch-[0-9A-F]{8}$/);
    const groups = Object.entries(t.findResources('AWS::Logs::LogGroup')).filter(([id]) => /^PipelineBatchJob/.test(id));
    expect(groups.map(([, g]) => g.Properties.LogGroupName).sort()).toEqual([`${prefix}/error`, `${prefix}/output`]);
    for (const [, g] of groups) {
      expect(g.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^LakeKey/), 'Arn'] });
      expect(g.Properties.RetentionInDays).toBe(365);
      expect(g.DeletionPolicy).toBe('Retain');
    }
    const statements = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => /PipelineBatchRole/.test(r.Ref)))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
    const logWrite = statements.find((s) => ([] as string[]).concat(s.Action).includes('logs:PutLogEvents')
      && JSON.stringify(s.Resource).includes('PipelineBatchJobLogs'))!;
    expect(logWrite.Action).toEqual(['logs:AssociateKmsKey', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(logWrite.Resource).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^PipelineBatchJobLogs/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^PipelineBatchJobOutputLogs/), 'Arn'] },
    ]);
  });

  test('Glue 4.0 keeps continuous logging into the pipeline log group', () => {
    const t = build({ glueVersion: GlueVersion.V4_0 });
    t.hasResourceProperties('AWS::Glue::Job', {
      DefaultArguments: Match.objectLike({ '--enable-continuous-cloudwatch-log': 'true', '--continuous-log-logGroup': { Ref: Match.stringLikeRegexp('^PipelineBatchJobLogs') } }),
    });
    expect(Object.keys(t.findResources('AWS::Logs::LogGroup')).filter((id) => id.startsWith('PipelineBatchJobOutputLogs'))).toEqual([]);
  });

  // Item 11: the gate evaluates only the run's partitions.
  test('with runPartitionKey the job learns the key and the gate filters on the execution name', () => {
    const t = build({ dataQuality: { ruleset: RULESET, runPartitionKey: 'run_id' } });
    t.hasResourceProperties('AWS::Glue::Job', { DefaultArguments: Match.objectLike({ '--run_partition_key': 'run_id' }) });
    const def = stateMachineDefinition(t);
    expect((def.States.StartDataQuality.Parameters as { DataSource: unknown }).DataSource).toEqual({
      GlueTable: {
        DatabaseName: 'mlops_prod_lake_curated', TableName: 'clean',
        AdditionalOptions: { 'pushDownPredicate.$': "States.Format('run_id = \\'{}\\'', $$.Execution.Name)" },
      },
    });
    expect(def.States.RunJob.Next).toBe('StartCrawler');
  });

  // Item 6: Iceberg targets.
  test('an Iceberg target gets --datalake-formats iceberg and the glue_catalog Spark configuration, and no crawler', () => {
    const t = build({ source: { zone: LakehouseZone.CURATED, table: 'clean' }, target: { zone: LakehouseZone.CURATED, table: 'samples' } });
    t.hasResourceProperties('AWS::Glue::Job', {
      DefaultArguments: Match.objectLike({
        '--datalake-formats': 'iceberg',
        '--conf': {
          'Fn::Join': ['', [
            'spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions'
            + ' --conf spark.sql.catalog.glue_catalog=org.apache.iceberg.spark.SparkCatalog'
            + ' --conf spark.sql.catalog.glue_catalog.warehouse=s3://',
            { Ref: Match.stringLikeRegexp('^LakeCuratedBucket') },
            '/ --conf spark.sql.catalog.glue_catalog.catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog'
            + ' --conf spark.sql.catalog.glue_catalog.io-impl=org.apache.iceberg.aws.s3.S3FileIO',
          ]],
        },
      }),
    });
    t.resourceCountIs('AWS::Glue::Crawler', 0);
    expect(stateMachineDefinition(t).States.RunJob.Next).toBe('StartDataQuality');
  });

  test('a Parquet target gets no Iceberg arguments', () => {
    const args = Object.values(build().findResources('AWS::Glue::Job'))[0].Properties.DefaultArguments;
    expect(args['--datalake-formats']).toBeUndefined();
    expect(args['--conf']).toBeUndefined();
  });

  test('fails when runPartitionKey is not a string partition key of a Parquet target, or arguments override the Iceberg ones', () => {
    expect(() => build({ dataQuality: { ruleset: RULESET, runPartitionKey: 'nope' } })).toThrow(/batch\.dataQuality\.runPartitionKey.*nope.*must be a string partition key of curated\.clean \(dt string, run_id string\)/);
    expect(() => build({ target: { zone: LakehouseZone.CURATED, table: 'samples' }, dataQuality: { ruleset: RULESET, runPartitionKey: 'id' } }))
      .toThrow(/runPartitionKey.*only supported for Parquet targets/);
    expect(() => build({ target: { zone: LakehouseZone.CURATED, table: 'samples' }, arguments: { '--conf': 'x' } })).toThrow(/batch\.arguments\.--conf.*Iceberg target/);
    for (const reserved of ['--source_path', '--custom-logGroup-prefix', '--run_id', '--run_partition_key']) {
      expect(() => build({ arguments: { [reserved]: 'x' } })).toThrow(new RegExp(`batch\\.arguments\\.${reserved}.*cannot be overridden`));
    }
  });
});

describe('Glue scripts', () => {
  const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const scripts = ['curate_events.py', 'build_training_samples.py'].map((f) => path.join(__dirname, '..', '..', 'bin', 'glue', f));

  test('byte-compile (they need pyspark and awsglue to run, which are not here)', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'pycache-'));
    try {
      execFileSync(python, ['-m', 'py_compile', ...scripts], { env: { ...process.env, PYTHONPYCACHEPREFIX: cache }, stdio: 'pipe' });
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });

  test('the curation job reads the source files (not catalog partitions) under a bookmark and adds its partitions to the catalog', () => {
    const src = fs.readFileSync(scripts[0], 'utf8');
    expect(src).not.toMatch(/from_catalog\(/);
    expect(src).toMatch(/create_dynamic_frame\.from_options\(\s*connection_type="s3",\s*connection_options=\{"paths": \[args\["source_path"\]\], "recurse": True\},\s*format="parquet",\s*transformation_ctx="raw_events"/);
    expect(src).toMatch(/enableUpdateCatalog=True,\s*updateBehavior="LOG",\s*partitionKeys=partition_keys/);
    expect(src).toMatch(/setCatalogInfo\(catalogDatabase=args\["target_database"\], catalogTableName=args\["target_table"\]\)/);
    expect(src).toMatch(/\.dropDuplicates\(\["event_id"\]\)/);
  });

  test('the training-sample builder merges into the Iceberg table through glue_catalog in one statement', () => {
    const src = fs.readFileSync(scripts[1], 'utf8');
    expect(src).toMatch(/target = f"glue_catalog\./);
    expect(src.match(/spark\.sql\(/g)).toHaveLength(1);
    expect(src).toMatch(/spark\.sql\(\s*f"""\s*MERGE INTO \{target\} AS t\s*USING samples AS s\s*ON t\.sample_id = s\.sample_id/);
    for (const column of ['sample_id', 'tenure', 'monthly_charges', 'support_calls', 'churned', 'observed_at', 'sample_date']) {
      expect(src).toContain(`.alias("${column}")`);
    }
  });
});
