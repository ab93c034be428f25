import { App, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Template } from 'aws-cdk-lib/assertions';
import { ALLOW_DESTROY_CONTEXT, EnvironmentProfile, Profiles } from '../../lib';
import { DeploymentStrategy, InferenceEndpoint, ModelSource } from '../../lib/inference';
import { logicalIdsOf, normalizedTemplate, synthFindings, testStack } from '../helpers/app';
import { lakehouseIn, registryIn } from './helpers';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1.0.0';

/** Every option: A/B with an image-based challenger, shadow, capture, async; plus a serverless endpoint and an invoker. */
function everything(nag: boolean, profile?: EnvironmentProfile, context: Record<string, unknown> = {}) {
  const stack = testStack({ nag, profile, context });
  const registry = registryIn(stack);
  const lakehouse = lakehouseIn(stack);
  const endpoint = new InferenceEndpoint(stack, 'Endpoint', {
    model: ModelSource.fromRegistry(registry, 'churn'),
    variants: [
      { name: 'Champion', weight: 9, initialInstanceCount: 2 },
      { name: 'Challenger', weight: 1, initialInstanceCount: 2, model: ModelSource.fromImage(IMAGE, 's3://models/churn.tar.gz', { repository: registry.inferenceRepository, modelDataBucket: registry.artifactBucket }) },
    ],
    shadowVariant: { name: 'Shadow', autoScaling: false, initialInstanceCount: 2 },
    dataCapture: { lakehouse, samplingPercentage: 50 },
    asyncInference: { bucket: new s3.Bucket(stack, 'Results', { encryption: s3.BucketEncryption.KMS, enforceSSL: true, serverAccessLogsBucket: lakehouse.accessLogBucket }) },
    deployment: DeploymentStrategy.canary({ wait: Duration.minutes(10) }),
  });
  new InferenceEndpoint(stack, 'Serverless', {
    model: ModelSource.fromRegistry(registry, 'churn'),
    variants: [{ serverless: { memorySizeMiB: 1024, maxConcurrency: 2 } }],
  });
  endpoint.grantInvoke(new iam.Role(stack, 'Invoker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
  return { stack, endpoint };
}

describe('InferenceEndpoint cdk-nag AwsSolutions', () => {
  // One nag synth (seconds each) proves both points: the only finding is the one planted here, so
  // every option and the invoke grant have zero unacknowledged findings, and the check is live
  // (the model role's acknowledgements are exact: they do not cover another wildcard).
  test('every option and the invoke grant: zero unacknowledged findings; an unacknowledged wildcard on the model role is reported', () => {
    const { stack, endpoint } = everything(true);
    endpoint.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sagemaker:DescribeEndpoint'], resources: ['arn:aws:sagemaker:us-east-1:123456789012:endpoint/*'] }));
    const { message, findings } = synthFindings(stack.node.root as App);
    expect(findings).toEqual([expect.stringContaining("'AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:sagemaker:us-east-1:123456789012:endpoint/*]'")]);
    expect(message).toContain('Test/Endpoint/Role/DefaultPolicy/Resource');
  });
});

describe('InferenceEndpoint stateful resources', () => {
  test("the key is the only stateful resource (none for serverless); its logical ID and the endpoint's are pinned and it is retained outside dev-with-flag", () => {
    const prod = Template.fromStack(everything(false, Profiles.PROD, { [ALLOW_DESTROY_CONTEXT]: true }).stack);
    expect(logicalIdsOf(prod, 'AWS::KMS::Key').filter((id) => id.startsWith('Endpoint') || id.startsWith('Serverless'))).toEqual(['EndpointKeyF20E8C6D']);
    expect(prod.toJSON().Resources.EndpointKeyF20E8C6D.DeletionPolicy).toBe('Retain');
    expect(prod.toJSON().Resources.EndpointKeyF20E8C6D.UpdateReplacePolicy).toBe('Retain');
    // The endpoint's own logical ID is public contract too: a new one would replace the endpoint (an outage).
    expect(logicalIdsOf(prod, 'AWS::SageMaker::Endpoint')).toEqual(['EndpointEEF1FD8F', 'Serverless54B8191B']);
    const dev = Template.fromStack(everything(false, Profiles.DEV, { [ALLOW_DESTROY_CONTEXT]: true }).stack);
    expect(dev.toJSON().Resources.EndpointKeyF20E8C6D.DeletionPolicy).toBe('Delete');
  });
});

describe('InferenceEndpoint snapshot', () => {
  test('defaults (prod profile), normalized', () => {
    const stack = testStack();
    new InferenceEndpoint(stack, 'Endpoint', { model: ModelSource.fromRegistry(registryIn(stack), 'churn') });
    expect(normalizedTemplate(stack)).toMatchSnapshot();
  });
});
