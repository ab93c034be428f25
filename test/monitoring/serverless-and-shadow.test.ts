import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildDefaultApp } from '../../bin/main';
import { ALARM_THRESHOLDS, Profiles, applyPlatform } from '../../lib';
import { ValidationError } from '../../lib/core';
import { InferenceEndpoint, InferenceInstanceType, ModelSource } from '../../lib/inference';
import { DriftMonitor, MonitoringStack } from '../../lib/monitoring';
import { SKIP_BUNDLING, TEST_ENV, testApp, testStack } from '../helpers/app';
import { lakehouseIn, registryIn } from '../inference/helpers';

type Resource = ReturnType<Template['findResources']>[string];

// "The metrics below are an exhaustive list of metrics for serverless endpoints. Any metric not listed
// below is not published for serverless endpoints": OverheadLatency, Invocation4XXErrors,
// Invocation5XXErrors, Invocations, ModelLatency, ModelSetupTime, MemoryUtilization,
// ServerlessConcurrentExecutionsUtilization ("the number of concurrent executions divided by the maximum
// concurrency", statistics Average, Max, Min) and the ServerlessProvisionedConcurrency* metrics
// (https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-monitoring.html).
const NOT_PUBLISHED_FOR_SERVERLESS = ['CPUUtilization', 'DiskUtilization', 'GPUUtilization', 'InvocationModelErrors'];

const alarmsOf = (t: Template): Resource[] => Object.values(t.findResources('AWS::CloudWatch::Alarm'));
const metricNames = (alarms: Resource[]) => alarms.map((a) => a.Properties.MetricName as string).sort();
const ofVariant = (alarms: Resource[], variant: string) => alarms.filter((a) => JSON.stringify(a.Properties.Dimensions).includes(`"Value":"${variant}"`));

describe('serverless variants of the default app (dev) get only alarms on metrics they publish', () => {
  const app = testApp({ ...SKIP_BUNDLING, env: 'dev' });
  const { stages } = buildDefaultApp(app);
  const dev = stages.get('dev')!;
  const endpoint = [...dev.endpoints.values()][0];
  const monitoring = dev.monitoringStacks[0];
  const t = Template.fromStack(monitoring);
  const alarms = alarmsOf(t);
  const dev_ = ALARM_THRESHOLDS.dev;

  test('the dev endpoint is serverless, with one variant', () => {
    expect(endpoint.serverlessVariantNames).toEqual(endpoint.variantNames);
    expect(endpoint.variantNames).toHaveLength(1);
  });

  test('no alarm on CPU, disk, GPU or model errors (never published for serverless: they would stay in INSUFFICIENT_DATA)', () => {
    for (const name of NOT_PUBLISHED_FOR_SERVERLESS) expect(metricNames(alarms)).not.toContain(name);
  });

  test('errors, latency, memory and concurrency alarms per serverless variant', () => {
    const variant = endpoint.variantNames[0];
    expect(metricNames(ofVariant(alarms, variant))).toEqual([
      'Invocation4XXErrors', 'Invocation5XXErrors', 'MemoryUtilization', 'ModelLatency', 'ServerlessConcurrentExecutionsUtilization',
    ]);
    const concurrency = alarms.find((a) => a.Properties.MetricName === 'ServerlessConcurrentExecutionsUtilization')!.Properties;
    expect(concurrency).toEqual(expect.objectContaining({
      Namespace: 'AWS/SageMaker', Statistic: 'Maximum', Period: 60, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: dev_.endpointServerlessConcurrency! / 100, EvaluationPeriods: dev_.evaluationPeriods,
    }));
    expect(concurrency.AlarmActions).toHaveLength(1);
    const memory = alarms.find((a) => a.Properties.MetricName === 'MemoryUtilization')!.Properties;
    expect(memory).toEqual(expect.objectContaining({ Namespace: '/aws/sagemaker/Endpoints', Threshold: dev_.endpointMemoryUtilization }));
  });

  test('the model-health composite watches 5xx and latency only', () => {
    const composite = Object.values(t.findResources('AWS::CloudWatch::CompositeAlarm'))[0].Properties;
    const rule = JSON.stringify(composite.AlarmRule);
    const refs = Object.entries(t.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => rule.includes(id)).map(([, a]) => a.Properties.MetricName).sort();
    expect(refs).toEqual(['Invocation5XXErrors', 'ModelLatency']);
  });

  test('the dashboard graphs memory and concurrency of the serverless variant, no instance metric', () => {
    const body = JSON.stringify(monitoring.resolve(Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody));
    expect(body).toContain('ServerlessConcurrentExecutionsUtilization');
    expect(body).toContain('serverless memory utilization');
    for (const name of ['CPUUtilization', 'DiskUtilization', 'GPUUtilization', 'InvocationModelErrors']) expect(body).not.toContain(name);
  });
});

describe('instance-based variants keep their instance alarms', () => {
  const app = testApp();
  applyPlatform(app, { project: 'mlops', profile: Profiles.PROD, owner: 'team-ml', costCentre: 'cc-42' });
  const serving = new Stack(app, 'Serving', { env: TEST_ENV });
  const registry = registryIn(serving);
  const endpoint = new InferenceEndpoint(serving, 'Churn', {
    model: ModelSource.fromRegistry(registry, 'churn'),
    variants: [{ name: 'Blue', instanceType: InferenceInstanceType.M5_LARGE, initialInstanceCount: 2 }],
  });
  const imported = InferenceEndpoint.fromEndpointAttributes(serving, 'Imported', {
    endpointName: 'other', variantNames: ['Prod', 'Cheap'], serverlessVariantNames: ['Cheap'],
  });
  const monitoring = new MonitoringStack(app, 'Monitoring', { env: TEST_ENV, endpoints: [{ endpoint }, { endpoint: imported, drift: false }] });
  const alarms = alarmsOf(Template.fromStack(monitoring));

  test('a provisioned variant: 5xx, model errors, latency, 4xx, CPU, memory and disk alarms, no concurrency alarm', () => {
    expect(endpoint.serverlessVariantNames).toEqual([]);
    expect(metricNames(ofVariant(alarms, 'Blue'))).toEqual([
      'CPUUtilization', 'DiskUtilization', 'Invocation4XXErrors', 'Invocation5XXErrors', 'InvocationModelErrors', 'MemoryUtilization', 'ModelLatency',
    ]);
  });

  test('an imported endpoint tells which variants are serverless; each variant gets the alarms of its kind', () => {
    expect(metricNames(ofVariant(alarms, 'Prod'))).toContain('CPUUtilization');
    expect(metricNames(ofVariant(alarms, 'Cheap'))).toEqual([
      'Invocation4XXErrors', 'Invocation5XXErrors', 'MemoryUtilization', 'ModelLatency', 'ServerlessConcurrentExecutionsUtilization',
    ]);
  });
});

describe('thresholds and imported attributes are validated', () => {
  const make = (attrs: Parameters<typeof InferenceEndpoint.fromEndpointAttributes>[2]) => () =>
    InferenceEndpoint.fromEndpointAttributes(testStack(), 'Imported', attrs);

  test('fails when endpointServerlessConcurrency is not a percentage', () => {
    for (const bad of [0, 101, Number.NaN]) {
      const app = testApp();
      applyPlatform(app, { project: 'mlops', profile: Profiles.PROD, owner: 'team-ml', costCentre: 'cc-42' });
      expect(() => new MonitoringStack(app, 'M', { env: TEST_ENV, thresholds: { endpointServerlessConcurrency: bad } }))
        .toThrow(/thresholds\.endpointServerlessConcurrency.*must be between 1 and 100/);
    }
  });

  test('fails when shadowVariantName is not the last variant or serverlessVariantNames names an unknown variant', () => {
    expect(make({ endpointName: 'e', variantNames: ['A', 'S'], shadowVariantName: 'A' })).toThrow(ValidationError);
    expect(make({ endpointName: 'e', variantNames: ['A'], shadowVariantName: 'A' })).toThrow(/shadowVariantName \("A"\): must be the last of variantNames/);
    expect(make({ endpointName: 'e', variantNames: ['A'], serverlessVariantNames: ['B'] })).toThrow(/serverlessVariantNames\[0\] \("B"\): must be one of variantNames/);
    expect(make({ endpointName: 'e', variantNames: ['A', 'S'], shadowVariantName: 'S', serverlessVariantNames: ['A'] })).not.toThrow();
  });
});

describe('the drift job reads the production variants, not the shadow variant', () => {
  const base = testStack();
  const lakehouse = lakehouseIn(base);
  const registry = registryIn(base);
  const endpoint = new InferenceEndpoint(base, 'Endpoint', {
    model: ModelSource.fromRegistry(registry, 'churn'),
    variants: [{ name: 'Blue', weight: 9 }, { name: 'Green', weight: 1 }],
    shadowVariant: { name: 'Candidate', autoScaling: false, initialInstanceCount: 2 },
    dataCapture: { lakehouse },
  });
  const stack = new Stack(base.node.root as App, 'Monitoring', { env: TEST_ENV });
  new DriftMonitor(stack, 'Drift', { endpoint, lakehouse, registry, model: 'churn' });
  const job = Object.values(Template.fromStack(stack).findResources('AWS::Glue::Job'))[0];

  test('the endpoint names its shadow variant', () => {
    expect(endpoint.variantNames).toEqual(['Blue', 'Green', 'Candidate']);
    expect(endpoint.shadowVariantName).toBe('Candidate');
  });

  test('--variant_names lists the production variants only', () => {
    expect(job.Properties.DefaultArguments['--variant_names']).toBe('Blue,Green');
  });
});
