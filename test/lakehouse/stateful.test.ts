import { Template } from 'aws-cdk-lib/assertions';
import { ALLOW_DESTROY_CONTEXT, ColumnType, DataLakehouse, LakehouseZone, EnvironmentProfile, Profiles } from '../../lib';
import { logicalIdsOf, normalizedTemplate, testStack } from '../helpers/app';

const STATEFUL_TYPES = ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Glue::Database', 'AWS::Glue::Table'];

function lakeTemplate(profile: EnvironmentProfile, context: Record<string, unknown> = {}): Template {
  const stack = testStack({ profile, context });
  new DataLakehouse(stack, 'Lake', { tables: [{ name: 'events', zone: LakehouseZone.RAW, columns: [{ name: 'id', type: ColumnType.STRING }] }] });
  return Template.fromStack(stack);
}

describe('DataLakehouse stateful resources', () => {
  test('logical IDs of stateful resources are pinned (changing them replaces data: a breaking change)', () => {
    const t = lakeTemplate(Profiles.PROD);
    expect(STATEFUL_TYPES.flatMap((type) => logicalIdsOf(t, type))).toEqual([
      'LakeAccessLogBucket67A4777A', 'LakeAnalyticsBucketF31D4965', 'LakeCuratedBucketB28F5F4C', 'LakeRawBucketDA76DCB0',
      'LakeKey7B6C155C',
      'LakeAnalyticsDatabaseF6069EF6', 'LakeCuratedDatabase902F1ADA', 'LakeRawDatabaseDA8EBD87',
      'LakeTablesrawevents61BA739E',
    ]);
  });

  test.each([['staging', Profiles.STAGING], ['prod', Profiles.PROD]])('in %s every bucket, key, database and table retains on delete and on replacement', (_, profile) => {
    const t = lakeTemplate(profile, { [ALLOW_DESTROY_CONTEXT]: true });
    for (const type of STATEFUL_TYPES) {
      const resources = Object.values(t.findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) {
        expect(r.DeletionPolicy).toBe('Retain');
        expect(r.UpdateReplacePolicy).toBe('Retain');
      }
    }
  });

  test('dev without the allow-destroy flag still retains', () => {
    const t = lakeTemplate(Profiles.DEV);
    for (const r of Object.values(t.findResources('AWS::S3::Bucket'))) expect(r.DeletionPolicy).toBe('Retain');
  });

  test('dev with the allow-destroy flag deletes', () => {
    const t = lakeTemplate(Profiles.DEV, { [ALLOW_DESTROY_CONTEXT]: 'true' });
    for (const type of STATEFUL_TYPES) {
      for (const r of Object.values(t.findResources(type))) {
        expect(r.DeletionPolicy).toBe('Delete');
        expect(r.UpdateReplacePolicy).toBe('Delete');
      }
    }
  });
});

describe('DataLakehouse snapshot', () => {
  test('defaults (prod profile), normalized', () => {
    const stack = testStack();
    new DataLakehouse(stack, 'Lake');
    expect(normalizedTemplate(stack)).toMatchSnapshot();
  });
});
