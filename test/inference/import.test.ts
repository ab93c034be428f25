import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { InferenceEndpoint, MonitoringStack, Profiles, applyPlatform } from '../../lib';
import { TEST_ENV, testApp } from '../helpers/app';

function app() {
  const a = testApp();
  applyPlatform(a, { project: 'mlops', profile: Profiles.PROD, owner: 'team-ml', costCentre: 'cc-42' });
  return { app: a, stack: new Stack(a, 'Consumer', { env: TEST_ENV }) };
}

describe('InferenceEndpoint.fromEndpointName / fromEndpointAttributes', () => {
  test('fromEndpointName: the ARN in this account and region (name in lower case), metrics on the default variant', () => {
    const { stack } = app();
    const churn = InferenceEndpoint.fromEndpointName(stack, 'Churn', 'Acme-Prod-Churn');
    expect(churn.endpointName).toBe('Acme-Prod-Churn');
    expect(stack.resolve(churn.endpointArn)).toBe('arn:aws:sagemaker:us-east-1:123456789012:endpoint/acme-prod-churn');
    expect(churn.variantNames).toEqual(['AllTraffic']);
    const latency = churn.metricLatency();
    expect(latency.namespace).toBe('AWS/SageMaker');
    expect(latency.metricName).toBe('ModelLatency');
    expect(latency.dimensions).toEqual({ EndpointName: 'Acme-Prod-Churn', VariantName: 'AllTraffic' });
    expect(churn.metricCpuUtilization({ variantName: 'Green' }).dimensions).toEqual({ EndpointName: 'Acme-Prod-Churn', VariantName: 'Green' });
  });

  test('grantInvoke on an imported endpoint grants InvokeEndpoint on its ARN only', () => {
    const { stack } = app();
    const churn = InferenceEndpoint.fromEndpointName(stack, 'Churn', 'acme-prod-churn');
    const role = new iam.Role(stack, 'Client', { assumedBy: new iam.AccountRootPrincipal() });
    churn.grantInvoke(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['sagemaker:InvokeEndpoint']), Resource: stack.resolve(churn.endpointArn) })] },
    });
  });

  test('a MonitoringStack over an imported endpoint alarms on its metrics and synthesizes', () => {
    const { app: a, stack } = app();
    const churn = InferenceEndpoint.fromEndpointAttributes(stack, 'Churn', {
      endpointName: 'acme-prod-churn', variantNames: ['Blue', 'Green'], variantVcpus: { Blue: 2 },
    });
    const mon = new MonitoringStack(a, 'Monitoring', { env: TEST_ENV, endpoints: [{ endpoint: churn, drift: false }] });
    const t = Template.fromStack(mon);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Invocation5XXErrors',
      Dimensions: Match.arrayWith([{ Name: 'EndpointName', Value: 'acme-prod-churn' }, { Name: 'VariantName', Value: 'Blue' }]),
    });
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    a.synth();
  });

  test('fails naming each bad attribute, plain JavaScript values included', () => {
    const { stack } = app();
    expect(() => InferenceEndpoint.fromEndpointName(stack, 'A', 'churn_v2')).toThrow(/endpointName \("churn_v2"\): must be 1-63 letters, digits or hyphens/);
    expect(() => InferenceEndpoint.fromEndpointAttributes(stack, 'B', {
      endpointName: 42 as never, variantNames: [], dataCaptureLocation: 'acme-raw/capture',
    })).toThrow(/endpointName \(42\)[\s\S]*variantNames \(\[\]\): must name at least one variant[\s\S]*dataCaptureLocation \("acme-raw\/capture"\)/);
  });
});
