import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ColumnType, DataLakehouse, DataLakehouseAttributes, EtlPipeline, LakehouseZone, MonitoringStack, TableFormat,
} from '../../lib';
import { TEST_ENV, testStack } from '../helpers/app';
import { JOB_SCRIPT, RULESET } from '../helpers/etl';

const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const columns = [{ name: 'id', type: ColumnType.STRING }, { name: 'value', type: ColumnType.DOUBLE }];

function imported(extra: Partial<DataLakehouseAttributes> = {}) {
  const stack = testStack();
  const attrs: DataLakehouseAttributes = {
    encryptionKey: kms.Key.fromKeyArn(stack, 'LakeKey', KEY_ARN),
    zones: {
      raw: { bucket: s3.Bucket.fromBucketName(stack, 'Raw', 'acme-raw'), databaseName: 'acme_prod_lake_raw' },
      curated: { bucket: s3.Bucket.fromBucketName(stack, 'Curated', 'acme-curated'), databaseName: 'acme_prod_lake_curated' },
      analytics: { bucket: s3.Bucket.fromBucketName(stack, 'Analytics', 'acme-analytics'), databaseName: 'acme_prod_lake_analytics' },
    },
    athenaWorkGroupName: 'acme-prod-lake',
    tables: [
      { name: 'events', zone: LakehouseZone.RAW, columns },
      { name: 'clean', zone: LakehouseZone.CURATED, columns, format: TableFormat.PARQUET, prefix: 'clean/v2/' },
    ],
    ...extra,
  };
  return { stack, lake: DataLakehouse.fromAttributes(stack, 'Lake', attrs) };
}

describe('DataLakehouse.fromAttributes', () => {
  test('creates nothing and answers like a lakehouse: zones, buckets, databases, tables, results location', () => {
    const { stack, lake } = imported();
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources ?? {})).toEqual([]);
    expect(lake.zones).toEqual(['raw', 'curated', 'analytics']);
    expect(lake.zoneBucket(LakehouseZone.CURATED).bucketName).toBe('acme-curated');
    expect(lake.databaseName(LakehouseZone.RAW)).toBe('acme_prod_lake_raw');
    expect(lake.findTable(LakehouseZone.CURATED, 'clean')?.location).toBe('s3://acme-curated/clean/v2/');
    expect(lake.findTable(LakehouseZone.CURATED, 'nope')).toBeUndefined();
    expect(lake.athenaResultsLocation).toBe('s3://acme-analytics/athena-results/');
  });

  test('grants S3, the key, the catalog and Lake Formation permissions in the grantee\'s stack', () => {
    const { stack, lake } = imported();
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    lake.grantRead(role, LakehouseZone.CURATED);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['kms:Decrypt']), Resource: KEY_ARN })]) },
    });
    t.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', Match.objectLike({
      Resource: Match.objectLike({ Database: Match.objectLike({ Name: 'acme_prod_lake_curated' }) }),
    }));
  });

  test('metrics name the given buckets and workgroup', () => {
    const { lake } = imported();
    expect(lake.metricBucketSizeBytes(LakehouseZone.RAW).dimensions).toEqual({ BucketName: 'acme-raw', StorageType: 'StandardStorage' });
    expect(lake.metricQueryProcessedBytes().dimensions).toEqual({ WorkGroup: 'acme-prod-lake' });
  });

  test('an EtlPipeline runs over an imported lakehouse and synthesizes', () => {
    const { stack, lake } = imported();
    const etl = new EtlPipeline(stack, 'Curate', {
      lakehouse: lake,
      batch: { script: JOB_SCRIPT, source: { zone: LakehouseZone.RAW, table: 'events' }, target: { zone: LakehouseZone.CURATED, table: 'clean' }, dataQuality: { ruleset: RULESET } },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Glue::Job', { DefaultArguments: Match.objectLike({ '--target_path': 's3://acme-curated/clean/v2/' }) });
    expect(etl.stateMachine).toBeDefined();
    // the imported key's policy cannot take the CloudWatch Logs statement: the pipeline says so
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('could not be changed \\(imported key\\)'));
  });

  test('a MonitoringStack watches an imported lakehouse', () => {
    const { stack, lake } = imported();
    const mon = new MonitoringStack(stack.node.root as never, 'Mon', { env: TEST_ENV, lakehouse: lake });
    const body = JSON.stringify(Template.fromStack(mon).findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('acme-raw');
    expect(body).toContain('acme-prod-lake');
  });

  test('fails naming each bad attribute (plain JavaScript input included)', () => {
    const stack = testStack();
    expect(() => DataLakehouse.fromAttributes(stack, 'Lake', {
      encryptionKey: KEY_ARN as never,
      zones: { raw: { bucket: 'acme-raw' as never, databaseName: '' }, bronze: {} } as never,
      athenaWorkGroupName: '',
      tables: [{ name: 'events', zone: LakehouseZone.CURATED, columns }],
    })).toThrow(/encryptionKey \("arn:aws:kms[^)]*\): must be a kms\.IKey[\s\S]*zones\.bronze[\s\S]*zones\.raw\.bucket \("acme-raw"\)[\s\S]*zones\.raw\.databaseName[\s\S]*athenaWorkGroupName[\s\S]*athenaResultsLocation[\s\S]*tables\[0\]\.zone \("curated"\): must be one of the given zones \(raw\)/);
    expect(() => DataLakehouse.fromAttributes(stack, 'Empty', { encryptionKey: kms.Key.fromKeyArn(stack, 'K', KEY_ARN), zones: {}, athenaWorkGroupName: 'w' }))
      .toThrow(/zones \(\{\}\): must give at least one zone/);
  });
});
