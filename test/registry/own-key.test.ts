import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ModelRegistry } from '../../lib/registry';
import { testStack } from '../helpers/app';

const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('ModelRegistry: bring your own key', () => {
  test('an imported key encrypts the artifact bucket and both repositories, is published, and warns about its policy', () => {
    const stack = testStack();
    const registry = new ModelRegistry(stack, 'Registry', {
      models: [{ name: 'churn' }], encryptionKey: kms.Key.fromKeyArn(stack, 'Key', KEY_ARN), crossAccountReaders: ['arn:aws:iam::210987654321:role/serving'],
    });
    const t = Template.fromStack(stack);
    expect(registry.encryptionKey.keyArn).toBe(KEY_ARN);
    // the only key is the stack's event dead-letter queue key, not a registry key
    expect(Object.keys(t.findResources('AWS::KMS::Key'))).toEqual([expect.stringMatching(/^EventDeadLetters/)]);
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN } })] },
    });
    expect(Object.values(t.findResources('AWS::ECR::Repository')).map((r) => r.Properties.EncryptionConfiguration))
      .toEqual([{ EncryptionType: 'KMS', KmsKey: KEY_ARN }, { EncryptionType: 'KMS', KmsKey: KEY_ARN }]);
    t.hasResourceProperties('AWS::SSM::Parameter', { Name: registry.parameterNames.keyArn, Value: KEY_ARN });
    Annotations.fromStack(stack).hasWarning('/Test/Registry', Match.stringLikeRegexp('encryptionKey .* is imported.*decision log.*crossAccountReaders'));
  });

  test('fails when encryptionKey is not a key', () => {
    const stack = testStack();
    expect(() => new ModelRegistry(stack, 'Registry', { models: [{ name: 'churn' }], encryptionKey: KEY_ARN as never }))
      .toThrow(/encryptionKey \("arn:aws:kms[^)]*\): must be a kms\.IKey/);
  });
});
