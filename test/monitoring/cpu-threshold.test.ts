import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ALARM_THRESHOLDS, InferenceEndpoint, InferenceInstanceType, ModelRegistry, ModelSource, MonitoringStack, Profiles, applyPlatform } from '../../lib';
import { TEST_ENV, testApp } from '../helpers/app';

// Item 10: /aws/sagemaker/Endpoints CPUUtilization is "the sum of each individual CPU core's utilization
// ... if there are four CPUs, the CPUUtilization range is 0%-400%" (SageMaker, Monitor Amazon SageMaker AI
// with Amazon CloudWatch). Comparing it with the plain percentage fired at 40 % of an ml.m5.large.
describe('endpoint CPU alarms are scaled by the instance type\'s vCPUs', () => {
  const app = testApp();
  applyPlatform(app, { project: 'mlops', profile: Profiles.PROD, owner: 'team-ml', costCentre: 'cc-42' });
  const serving = new Stack(app, 'Serving', { env: TEST_ENV });
  const registry = new ModelRegistry(serving, 'Registry', { models: [{ name: 'churn' }] });
  const endpoint = new InferenceEndpoint(serving, 'Churn', {
    model: ModelSource.fromRegistry(registry, 'churn'),
    variants: [
      { name: 'Small', instanceType: InferenceInstanceType.M5_LARGE, initialInstanceCount: 2 },
      { name: 'Large', instanceType: InferenceInstanceType.C5_XLARGE, initialInstanceCount: 2 },
    ],
  });
  const monitoring = new MonitoringStack(app, 'Monitoring', { env: TEST_ENV, endpoints: [{ endpoint }] });
  const t = Template.fromStack(monitoring);
  const cpu = (variant: string) => Object.values(t.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'CPUUtilization' } }))
    .find((a) => JSON.stringify(a.Properties.Dimensions).includes(`"${variant}"`))!.Properties;
  const pct = ALARM_THRESHOLDS.prod.endpointCpuUtilization;

  test('a 2-vCPU variant (ml.m5.large) alarms at the threshold x 2, a 4-vCPU variant (ml.c5.xlarge) at x 4', () => {
    expect(endpoint.variantVcpus).toEqual({ Small: 2, Large: 4 });
    expect(cpu('Small').Threshold).toBe(pct * 2);
    expect(cpu('Large').Threshold).toBe(pct * 4);
    expect(cpu('Large').AlarmDescription).toContain(`${pct} percent of 4 vCPUs (${pct * 4})`);
  });

  test('vCPUs follow the documented instance sizes', () => {
    expect(['ml.t2.medium', 'ml.m5.large', 'ml.m5.xlarge', 'ml.c5.9xlarge', 'ml.g5.12xlarge', 'ml.p4d.24xlarge'].map((n) => InferenceInstanceType.of(n).vcpus))
      .toEqual([2, 2, 4, 36, 48, 96]);
    expect(InferenceInstanceType.of('ml.m5.huge').vcpus).toBeUndefined();
  });
});
