import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Validations } from 'aws-cdk-lib';
import { DataLakehouse, LakehouseZone, ObjectLockMode, Profiles, ReplicationDestinations, applyPlatform } from '../../lib';
import { testApp, testStack } from '../helpers/app';
import { Duration } from 'aws-cdk-lib';

const DR = { destinationRegion: 'us-west-2' };

describe('DataLakehouse replication', () => {
  test('every zone bucket replicates, SSE-KMS objects included, to a KMS-encrypted destination in the DR Region with RTC and metrics', () => {
    const stack = testStack();
    const lake = new DataLakehouse(stack, 'Lake', { replication: DR });
    const t = Template.fromStack(stack);
    const buckets = t.findResources('AWS::S3::Bucket', { Properties: { ReplicationConfiguration: Match.anyValue() } });
    expect(Object.keys(buckets)).toHaveLength(3);
    for (const zone of ['raw', 'curated', 'analytics']) {
      t.hasResourceProperties('AWS::S3::Bucket', {
        ReplicationConfiguration: {
          Role: Match.anyValue(),
          Rules: [{
            Id: 'DisasterRecovery', Status: 'Enabled', Priority: 0, Filter: { Prefix: '' },
            DeleteMarkerReplication: { Status: 'Enabled' },
            // S3 replicates SSE-KMS objects only when asked to (S3 User Guide, replication-config-for-kms-objects).
            SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
            Destination: {
              Bucket: { 'Fn::Join': ['', Match.arrayWith([`:s3:::mlops-prod-lake-${zone}-123456789012-us-west-2`])] },
              // Key ARN or alias ARN (AWS::S3::Bucket EncryptionConfiguration); the alias lives in the DR Region.
              EncryptionConfiguration: { ReplicaKmsKeyID: { 'Fn::Join': ['', Match.arrayWith([':kms:us-west-2:123456789012:alias/mlops-prod-replicas'])] } },
              // 15 is the only valid value (S3 API Reference, ReplicationTimeValue).
              ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } },
              Metrics: { Status: 'Enabled', EventThreshold: { Minutes: 15 } },
            },
          }],
        },
      });
    }
    expect(lake.replicationPurposes).toEqual(['lake-raw', 'lake-curated', 'lake-analytics']);
  });

  test('the replication role decrypts the source key through S3 of its Region and encrypts only with the aliased DR key through S3 of the DR Region', () => {
    const stack = testStack();
    new DataLakehouse(stack, 'Lake', { replication: DR });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 's3.amazonaws.com' } })] } });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'] }),
          Match.objectLike({ Action: ['s3:GetObjectVersionAcl', 's3:GetObjectVersionForReplication', 's3:GetObjectVersionTagging'] }),
          Match.objectLike({ Action: ['s3:ReplicateDelete', 's3:ReplicateObject', 's3:ReplicateTags'] }),
          Match.objectLike({ Action: 'kms:Decrypt', Condition: Match.objectLike({ StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } }) }),
          Match.objectLike({
            Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
            Condition: Match.objectLike({
              'StringEquals': { 'kms:ViaService': 's3.us-west-2.amazonaws.com' },
              'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/mlops-prod-replicas' },
            }),
          }),
        ]),
      },
    });
  });

  test('without replication no bucket has a replication configuration and no role trusts S3', () => {
    const stack = testStack();
    const lake = new DataLakehouse(stack, 'Lake');
    const t = Template.fromStack(stack);
    expect(t.findResources('AWS::S3::Bucket', { Properties: { ReplicationConfiguration: Match.anyValue() } })).toEqual({});
    expect(lake.replicationPurposes).toEqual([]);
  });

  test('in an environment-agnostic stack, a CloudFormation rule refuses deployment into the DR Region', () => {
    const app = testApp();
    applyPlatform(app, { project: 'mlops', profile: Profiles.PROD, owner: 'o', costCentre: 'c' });
    const stack = new Stack(app, 'Agnostic');
    new DataLakehouse(stack, 'Lake', { replication: DR });
    const rules = (Template.fromStack(stack).toJSON() as { Rules?: Record<string, unknown> }).Rules ?? {};
    expect(JSON.stringify(Object.values(rules))).toContain('"Fn::Not":[{"Fn::Equals":[{"Ref":"AWS::Region"},"us-west-2"]}]');
  });

  test('fails when the DR Region is the stack\'s Region or not a Region', () => {
    expect(() => new DataLakehouse(testStack(), 'Lake', { replication: { destinationRegion: 'us-east-1' } }))
      .toThrow(/replication.destinationRegion \("us-east-1"\): must differ from the stack's Region \(us-east-1\)/);
    expect(() => new DataLakehouse(testStack(), 'Lake', { replication: { destinationRegion: 'Oregon' } }))
      .toThrow(/replication.destinationRegion \("Oregon"\): must be a Region name/);
  });

  test('fails when a zone is unversioned or uses Object Lock with replication', () => {
    expect(() => new DataLakehouse(testStack(), 'Lake', { replication: DR, zones: { curated: { versioned: false } } }))
      .toThrow(/zones.curated.versioned \(false\): must be true when replication is on/);
    expect(() => new DataLakehouse(testStack(), 'Lake', {
      replication: DR, zones: { raw: { objectLock: { mode: ObjectLockMode.GOVERNANCE, retention: Duration.days(1) } } },
    })).toThrow(/zones.raw.objectLock/);
  });

  test('fails when a zone brings its own bucket with replication (its replication is not the lakehouse\'s to change)', () => {
    const stack = testStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Existing', 'existing-raw');
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(() => new DataLakehouse(stack, 'Lake', { replication: DR, encryptionKey: key, zones: { raw: { bucket } } }))
      .toThrow(/zones.raw.bucket \("an existing bucket"\): is not supported with replication/);
  });
});

describe('ReplicationDestinations', () => {
  function drStack(nag = false): Stack {
    const app = testApp();
    if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    applyPlatform(app, { project: 'mlops', profile: Profiles.PROD, owner: 'o', costCentre: 'c' });
    return new Stack(app, 'Dr', { env: { account: '123456789012', region: 'us-west-2' } });
  }

  test('creates versioned, KMS-encrypted, TLS-only destinations named as the sources name them, with a multi-Region aliased key', () => {
    const stack = drStack();
    new ReplicationDestinations(stack, 'Replicas', { purposes: ['lake-raw', 'artifacts'] });
    const t = Template.fromStack(stack);
    for (const name of ['mlops-prod-lake-raw-123456789012-us-west-2', 'mlops-prod-artifacts-123456789012-us-west-2']) {
      t.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: name,
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      });
    }
    t.hasResourceProperties('AWS::KMS::Key', { MultiRegion: true, EnableKeyRotation: true });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/mlops-prod-replicas' });
    t.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('alarms when replication into a destination falls behind the 15-minute RPO', () => {
    const stack = drStack();
    new ReplicationDestinations(stack, 'Replicas', { purposes: ['artifacts'] });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 900,
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: [Match.objectLike({ Expression: Match.stringLikeRegexp('SELECT MAX\\(ReplicationLatency\\) FROM SCHEMA\\("AWS/S3", DestinationBucket, RuleId, SourceBucket\\) WHERE DestinationBucket = \'mlops-prod-artifacts-123456789012-us-west-2\'') })],
    });
  });

  test('fails when its stack has no literal Region', () => {
    const app = testApp();
    const stack = new Stack(app, 'Agnostic');
    expect(() => new ReplicationDestinations(stack, 'Replicas', { purposes: ['artifacts'] })).toThrow(/stack region/);
  });

  test('has zero unacknowledged cdk-nag AwsSolutions findings', () => {
    const stack = drStack(true);
    new ReplicationDestinations(stack, 'Replicas', { purposes: ['lake-raw', 'artifacts'] });
    expect(() => (stack.node.root as App).synth()).not.toThrow();
  });

  test('the lakehouse with replication has zero unacknowledged cdk-nag findings', () => {
    const stack = testStack({ nag: true });
    new DataLakehouse(stack, 'Lake', { replication: DR });
    expect(() => (stack.node.root as App).synth()).not.toThrow();
  });
});

void LakehouseZone;
