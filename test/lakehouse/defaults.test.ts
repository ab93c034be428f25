import { Match, Template } from 'aws-cdk-lib/assertions';
import { DataLakehouse, LAKEHOUSE_DEFAULTS, Profiles } from '../../lib';
import { testStack } from '../helpers/app';
import { documentedDefaults } from '../helpers/docs';

const DOCS = documentedDefaults('lib/lakehouse/data-lakehouse-props.ts');

describe('documented defaults are the ones used', () => {
  test('the docs state the values in LAKEHOUSE_DEFAULTS', () => {
    expect(DOCS.get('name')).toBe(`'${LAKEHOUSE_DEFAULTS.name}'`);
    expect(DOCS.get('versioned')).toBe(String(LAKEHOUSE_DEFAULTS.versioned));
    expect(DOCS.get('eventBridgeEnabled')).toBe(String(LAKEHOUSE_DEFAULTS.eventBridgeEnabled));
    expect(DOCS.get('manageCatalogEncryption')).toBe(String(LAKEHOUSE_DEFAULTS.manageCatalogEncryption));
    expect(DOCS.get('manageSettings')).toBe(String(LAKEHOUSE_DEFAULTS.manageLakeFormationSettings));
    expect(DOCS.get('adminDeploymentRole')).toBe(String(LAKEHOUSE_DEFAULTS.adminDeploymentRole));
    expect(DOCS.get('resultsPrefix')).toBe(`'${LAKEHOUSE_DEFAULTS.resultsPrefix}'`);
    expect(DOCS.get('abortIncompleteMultipartUploadAfter')).toBe(`${LAKEHOUSE_DEFAULTS.abortIncompleteMultipartUploadAfter.toDays()} days`);
    const l = LAKEHOUSE_DEFAULTS.lifecycle;
    expect(DOCS.get('infrequentAccessAfter')).toBe(
      `per zone: raw ${l.raw.infrequentAccessAfter.toDays()} days, curated ${l.curated.infrequentAccessAfter.toDays()} days, analytics ${l.analytics.infrequentAccessAfter.toDays()} days`);
    expect(DOCS.get('glacierAfter')).toBe(
      `per zone: raw ${l.raw.glacierAfter.toDays()} days, curated ${l.curated.glacierAfter.toDays()} days, analytics never`);
    expect(l.analytics.glacierAfter).toBeUndefined();
    const profileDays = (['DEV', 'STAGING', 'PROD'] as const).map((p) => Profiles[p].noncurrentVersionRetention.toDays());
    expect(DOCS.get('noncurrentVersionExpiration')).toBe(
      `the environment profile's noncurrentVersionRetention (dev ${profileDays[0]}, staging ${profileDays[1]}, prod ${profileDays[2]} days)`);
    const gib = (['DEV', 'STAGING'] as const).map((p) => Profiles[p].athenaBytesScannedCutoff.toGibibytes());
    expect(DOCS.get('bytesScannedCutoffPerQuery')).toBe(
      `the environment profile's athenaBytesScannedCutoff (dev ${gib[0]} GiB, staging ${gib[1]} GiB, prod ${Profiles.PROD.athenaBytesScannedCutoff.toTebibytes()} TiB)`);
  });

  test('a lakehouse with no props synthesizes exactly those defaults', () => {
    const stack = testStack({ profile: Profiles.STAGING });
    new DataLakehouse(stack, 'Lake');
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: `mlops-staging-${LAKEHOUSE_DEFAULTS.name}`,
      WorkGroupConfiguration: Match.objectLike({
        BytesScannedCutoffPerQuery: Profiles.STAGING.athenaBytesScannedCutoff.toBytes(),
        ResultConfiguration: Match.objectLike({
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: Match.anyValue() }, `/${LAKEHOUSE_DEFAULTS.resultsPrefix}`]] },
        }),
      }),
    });
    const buckets = t.findResources('AWS::S3::Bucket');
    for (const zone of ['Raw', 'Curated', 'Analytics'] as const) {
      const [, bucket] = Object.entries(buckets).find(([id]) => id.startsWith(`Lake${zone}Bucket`))!;
      const d = LAKEHOUSE_DEFAULTS.lifecycle[zone.toLowerCase() as 'raw' | 'curated' | 'analytics'];
      const rule = bucket.Properties.LifecycleConfiguration.Rules[0];
      expect(rule.Transitions[0].TransitionInDays).toBe(d.infrequentAccessAfter.toDays());
      expect(rule.Transitions[1]?.TransitionInDays).toBe(d.glacierAfter?.toDays());
      expect(rule.NoncurrentVersionExpiration.NoncurrentDays).toBe(Profiles.STAGING.noncurrentVersionRetention.toDays());
      expect(rule.AbortIncompleteMultipartUpload.DaysAfterInitiation).toBe(LAKEHOUSE_DEFAULTS.abortIncompleteMultipartUploadAfter.toDays());
      expect(bucket.Properties.VersioningConfiguration.Status).toBe(LAKEHOUSE_DEFAULTS.versioned ? 'Enabled' : 'Suspended');
      expect(bucket.Properties.NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled).toBe(LAKEHOUSE_DEFAULTS.eventBridgeEnabled);
    }
    t.resourceCountIs('AWS::Glue::DataCatalogEncryptionSettings', LAKEHOUSE_DEFAULTS.manageCatalogEncryption ? 1 : 0);
    t.resourceCountIs('AWS::LakeFormation::DataLakeSettings', LAKEHOUSE_DEFAULTS.manageLakeFormationSettings ? 1 : 0);
  });
});
