import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ModelRegistry } from '../../lib';
import { testStack } from '../helpers/app';

describe('ModelRegistry replication', () => {
  test('the artifact bucket replicates to the KMS-encrypted artifacts destination in the DR Region', () => {
    const stack = testStack();
    const registry = new ModelRegistry(stack, 'Registry', { models: [{ name: 'churn' }], replication: { destinationRegion: 'us-west-2' } });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: {
        Rules: [Match.objectLike({
          SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
          Destination: Match.objectLike({
            Bucket: { 'Fn::Join': ['', Match.arrayWith([':s3:::mlops-prod-artifacts-123456789012-us-west-2'])] },
            EncryptionConfiguration: { ReplicaKmsKeyID: { 'Fn::Join': ['', Match.arrayWith([':kms:us-west-2:123456789012:alias/mlops-prod-replicas'])] } },
            ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } },
          }),
        })],
      },
    });
    expect(registry.replicationPurposes).toEqual(['artifacts']);
  });

  test('is off by default', () => {
    const stack = testStack();
    const registry = new ModelRegistry(stack, 'Registry', { models: [{ name: 'churn' }] });
    expect(Template.fromStack(stack).findResources('AWS::S3::Bucket', { Properties: { ReplicationConfiguration: Match.anyValue() } })).toEqual({});
    expect(registry.replicationPurposes).toEqual([]);
  });

  test('fails when the DR Region is the registry\'s own Region', () => {
    expect(() => new ModelRegistry(testStack(), 'Registry', { models: [{ name: 'churn' }], replication: { destinationRegion: 'us-east-1' } }))
      .toThrow(/replication.destinationRegion \("us-east-1"\): must differ/);
  });

  test('stays free of unacknowledged cdk-nag findings', () => {
    const stack = testStack({ nag: true });
    new ModelRegistry(stack, 'Registry', { models: [{ name: 'churn' }], replication: { destinationRegion: 'us-west-2' } });
    expect(() => (stack.node.root as App).synth()).not.toThrow();
  });
});
