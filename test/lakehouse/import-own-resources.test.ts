import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ColumnType, DataLakehouse, DataLakehouseProps, LakehouseZone, ValidationError } from '../../lib';
import { testStack } from '../helpers/app';

const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const columns = [{ name: 'id', type: ColumnType.STRING }];

describe('DataLakehouse: bring your own key', () => {
  test('a key of this app encrypts every zone, the catalog and query results; no key is created', () => {
    const stack = testStack();
    const mine = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    const lake = new DataLakehouse(stack, 'Lake', { encryptionKey: mine });
    const t = Template.fromStack(stack);
    expect(lake.encryptionKey).toBe(mine);
    t.resourceCountIs('AWS::KMS::Key', 1);
    const arn = { 'Fn::GetAtt': [stack.getLogicalId(mine.node.defaultChild as kms.CfnKey), 'Arn'] };
    const zoneBuckets = Object.entries(t.findResources('AWS::S3::Bucket')).filter(([id]) => /Lake(Raw|Curated|Analytics)Bucket/.test(id));
    expect(zoneBuckets).toHaveLength(3);
    for (const [, b] of zoneBuckets) {
      expect(b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID).toEqual(arn);
    }
    t.hasResourceProperties('AWS::Glue::DataCatalogEncryptionSettings', {
      DataCatalogEncryptionSettings: { EncryptionAtRest: { CatalogEncryptionMode: 'SSE-KMS', SseAwsKmsKeyId: arn } },
    });
    t.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({ ResultConfiguration: Match.objectLike({ EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: arn } }) }),
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('is imported: its key policy'));
  });

  test('an imported key is used as is and a warning names the key policy statements to add', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', KEY_ARN);
    const lake = new DataLakehouse(stack, 'Lake', { encryptionKey: key });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    lake.grantRead(role, LakehouseZone.CURATED);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 0);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['kms:Decrypt']), Resource: KEY_ARN })]) },
    });
    Annotations.fromStack(stack).hasWarning('/Test/Lake', Match.stringLikeRegexp('encryptionKey .*Imported is imported: its key policy cannot be changed.*logs\\.<region>\\.amazonaws\\.com.*events\\.amazonaws\\.com'));
  });

  test('fails when encryptionKey is not a key (plain JavaScript or config input)', () => {
    const stack = testStack();
    expect(() => new DataLakehouse(stack, 'Lake', { encryptionKey: KEY_ARN as unknown as kms.IKey }))
      .toThrow(/encryptionKey \("arn:aws:kms[^)]*\)\: must be a kms\.IKey/);
  });
});

describe('DataLakehouse: existing zone buckets and databases', () => {
  function build(props: (stack: ReturnType<typeof testStack>, key: kms.IKey) => DataLakehouseProps) {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', KEY_ARN);
    const lake = new DataLakehouse(stack, 'Lake', props(stack, key));
    return { stack, lake, template: Template.fromStack(stack) };
  }

  test('an existing raw bucket is registered, located and granted on, but not created or configured', () => {
    const { lake, template: t } = build((stack, key) => ({
      encryptionKey: key,
      zones: { raw: { bucket: s3.Bucket.fromBucketAttributes(stack, 'Raw', { bucketName: 'acme-raw', encryptionKey: key }) } },
    }));
    // two zone buckets and the access-log bucket: the raw zone's bucket is the given one
    t.resourceCountIs('AWS::S3::Bucket', 3);
    expect(lake.zoneBucket(LakehouseZone.RAW).bucketName).toBe('acme-raw');
    t.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: Match.objectLike({ LocationUri: 's3://acme-raw' }) });
    t.hasResourceProperties('AWS::LakeFormation::Resource', { ResourceArn: 'arn:aws:s3:::acme-raw' });
  });

  test('an existing database is used for the zone and its tables, and not created', () => {
    const { lake, template: t } = build((_, key) => ({
      encryptionKey: key,
      zones: { raw: { existingDatabaseName: 'legacy_raw' } },
      tables: [{ name: 'events', zone: LakehouseZone.RAW, columns }],
    }));
    t.resourceCountIs('AWS::Glue::Database', 2);
    expect(lake.databaseName(LakehouseZone.RAW)).toBe('legacy_raw');
    t.hasResourceProperties('AWS::Glue::Table', { DatabaseName: 'legacy_raw', TableInput: Match.objectLike({ Name: 'events' }) });
  });

  test('fails when an existing bucket comes without the key, with settings its owner controls, or as a name', () => {
    const stack = testStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Raw', 'acme-raw');
    const err = (props: DataLakehouseProps): ValidationError => {
      try {
        new DataLakehouse(stack, `Lake${Math.random().toString(36).slice(2)}`, props);
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error('no error');
    };
    expect(err({ zones: { raw: { bucket } } }).message).toMatch(/encryptionKey \(undefined\): is required with zones\.raw\.bucket/);
    const key = kms.Key.fromKeyArn(stack, 'K', KEY_ARN);
    const e2 = err({ encryptionKey: key, zones: { raw: { bucket, versioned: false, bucketName: 'x-y-z' } } });
    expect(e2).toBeInstanceOf(ValidationError);
    expect(e2.message).toMatch(/zones\.raw\.bucketName \("x-y-z"\): must not be set with zones\.raw\.bucket/);
    expect(e2.message).toMatch(/zones\.raw\.versioned \(false\): must not be set with zones\.raw\.bucket/);
    expect(err({ encryptionKey: key, zones: { raw: { bucket: 'acme-raw' as unknown as s3.IBucket } } }).message)
      .toMatch(/zones\.raw\.bucket \("acme-raw"\): must be an s3\.IBucket/);
    expect(err({ encryptionKey: key, zones: { raw: { bucket }, curated: { bucket } } }).message)
      .toMatch(/zones\.curated\.bucket \("acme-raw"\): must differ from zones\.raw\.bucket/);
  });

  test('fails when a bucket is encrypted with another key than the lakehouse key', () => {
    const stack = testStack();
    const other = new kms.Key(stack, 'Other');
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Raw', { bucketName: 'acme-raw', encryptionKey: other });
    expect(() => new DataLakehouse(stack, 'Lake', { encryptionKey: kms.Key.fromKeyArn(stack, 'K', KEY_ARN), zones: { raw: { bucket } } }))
      .toThrow(/zones\.raw\.bucket \("acme-raw"\): is encrypted with another key than encryptionKey/);
  });

  test('fails when existingDatabaseName is not a Glue name or comes with databaseName', () => {
    const stack = testStack();
    expect(() => new DataLakehouse(stack, 'Lake', { zones: { raw: { existingDatabaseName: 'Legacy-Raw', databaseName: 'raw_db' } } }))
      .toThrow(/zones\.raw\.databaseName \("raw_db"\): must not be set with zones\.raw\.existingDatabaseName[\s\S]*zones\.raw\.existingDatabaseName \("Legacy-Raw"\)/);
  });
});
