import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { InferenceEndpoint, ModelSource } from '../../lib/inference';
import { ModelMonitor, ModelQualityProblemType } from '../../lib/monitoring/model-monitor-index';
import { normalizedTemplate, synthFindings, TEST_ENV, testStack } from '../helpers/app';
import { lakehouseIn, registryIn } from '../inference/helpers';

/** The platform's layout: lakehouse, registry and endpoint in one stack, the monitor in another. */
function twoStacks(nag: boolean) {
  const base = testStack({ nag });
  const lakehouse = lakehouseIn(base);
  const endpoint = new InferenceEndpoint(base, 'Endpoint', { model: ModelSource.fromRegistry(registryIn(base), 'churn'), dataCapture: { lakehouse } });
  const stack = new Stack(base.node.root as App, 'Monitoring', { env: TEST_ENV });
  return { stack, lakehouse, endpoint };
}

describe('ModelMonitor cdk-nag AwsSolutions', () => {
  // One nag synth proves both points: the only finding is the one planted here, so every option
  // and both write grants have zero unacknowledged findings, and the check is live (the role's
  // acknowledgements are exact: they do not cover another wildcard).
  test('every option and grant: zero unacknowledged findings; an unacknowledged wildcard on the job role is reported', () => {
    const { stack, lakehouse, endpoint } = twoStacks(true);
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 2, subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    vpc.addFlowLog('FlowLog');
    const monitor = new ModelMonitor(stack, 'Monitor', {
      endpoint, lakehouse, vpc,
      dataQuality: { driftFeatures: ['tenure', 'monthly_charges'] },
      modelQuality: { problemType: ModelQualityProblemType.BINARY_CLASSIFICATION, qualityThreshold: 0.7, groundTruthUri: 's3://labels-bucket/churn/' },
    });
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    monitor.grantWriteBaselines(writer);
    monitor.grantWriteGroundTruth(writer);
    monitor.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sagemaker:DescribeEndpoint'], resources: ['arn:aws:sagemaker:us-east-1:123456789012:endpoint/*'] }));
    const { message, findings } = synthFindings(stack.node.root as App);
    expect(findings).toEqual([expect.stringContaining("'AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:sagemaker:us-east-1:123456789012:endpoint/*]'")]);
    expect(message).toContain('Monitoring/Monitor/Role/DefaultPolicy/Resource');
  });
});

describe('ModelMonitor snapshot', () => {
  test('defaults (prod profile), normalized; nothing in it holds data', () => {
    const { stack, lakehouse, endpoint } = twoStacks(false);
    new ModelMonitor(stack, 'Monitor', { endpoint, lakehouse, dataQuality: { driftFeatures: ['tenure'] } });
    const template = normalizedTemplate(stack) as { Resources: Record<string, { Type: string; DeletionPolicy?: string }> };
    expect(Object.values(template.Resources).map((r) => r.Type).sort()).toEqual([
      'AWS::CloudWatch::Alarm', 'AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::SageMaker::DataQualityJobDefinition', 'AWS::SageMaker::MonitoringSchedule',
    ]);
    expect(template).toMatchSnapshot();
  });
});
