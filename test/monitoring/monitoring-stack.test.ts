import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as fc from 'fast-check';
import {
  ALARM_THRESHOLDS, AlarmThresholds, InferenceEndpoint, MonitoringStack, Profiles, TrainingCluster, ValidationError, alarmThresholdsOf,
} from '../../lib';
import { buildQuickstart } from '../../examples/quickstart';
import { SKIP_BUNDLING, testApp } from '../helpers/app';
import { documentedDefaults } from '../helpers/docs';

// The quickstart (dev profile) watched by one MonitoringStack; every assertion reads the same synth.
const app = testApp(SKIP_BUNDLING);
const { ml, monitoring } = buildQuickstart(app);
const mon = Template.fromStack(monitoring);
const mlTemplate = Template.fromStack(ml);
const dev = ALARM_THRESHOLDS.dev;
const topicId = Object.keys(mon.findResources('AWS::SNS::Topic'))[0];
const alarmsBy = (metricName: string) => Object.values(mon.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: metricName } }));

describe('MonitoringStack', () => {
  test('alarm thresholds come from the environment profile', () => {
    expect(monitoring.thresholds).toEqual(dev);
    const [fiveXx] = alarmsBy('Invocation5XXErrors');
    expect(fiveXx.Properties).toEqual(expect.objectContaining({ Threshold: dev.endpoint5xxErrors, EvaluationPeriods: dev.evaluationPeriods, DatapointsToAlarm: dev.evaluationPeriods }));
    const [latency] = alarmsBy('ModelLatency');
    expect(latency.Properties).toEqual(expect.objectContaining({ Threshold: dev.endpointLatencyP99.toMilliseconds() * 1000, ExtendedStatistic: 'p99' }));
    const [cpu] = alarmsBy('CPUUtilization');
    // Item 10: CPUUtilization is summed over cores; the quickstart's ml.m5.large has 2 vCPUs.
    expect(cpu.Properties.Threshold).toBe(dev.endpointCpuUtilization * 2);
  });

  test('a batch pipeline alarms on failed runs and on staleness (no success for etlMaxSilence, missing data breaching)', () => {
    const [failed] = alarmsBy('ExecutionsFailed').filter((a) => JSON.stringify(a.Properties.Dimensions).includes('Curate'));
    expect(failed.Properties).toEqual(expect.objectContaining({ Threshold: dev.etlFailedRuns, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }));
    const [stale] = alarmsBy('ExecutionsSucceeded');
    expect(stale.Properties).toEqual(expect.objectContaining({
      Threshold: 0, ComparisonOperator: 'LessThanOrEqualToThreshold', Period: 3600,
      EvaluationPeriods: dev.etlMaxSilence.toHours(), TreatMissingData: 'breaching',
    }));
  });

  test('retraining alarms on failed runs and long runs; the registry on rejections', () => {
    const [runTime] = alarmsBy('ExecutionTime').filter((a) => JSON.stringify(a.Properties.Dimensions).includes('Training'));
    expect(runTime.Properties.Threshold).toBe(dev.trainingMaxRunTime.toMilliseconds());
    mon.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TriggeredRules', Threshold: dev.registryRejections });
  });

  test('errors, latency and drift feed one composite model-health alarm, the only one of them that notifies', () => {
    for (const name of ['Invocation5XXErrors', 'InvocationModelErrors', 'ModelLatency']) {
      for (const a of alarmsBy(name)) expect(a.Properties.AlarmActions).toBeUndefined();
    }
    const composite = Object.values(mon.findResources('AWS::CloudWatch::CompositeAlarm'));
    expect(composite).toHaveLength(1);
    expect(composite[0].Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(composite[0].Properties.OKActions).toEqual([{ Ref: topicId }]);
    const rule = JSON.stringify(composite[0].Properties.AlarmRule);
    const driftId = Object.entries(mon.findResources('AWS::CloudWatch::Alarm'))
      .find(([, a]) => a.Properties.AlarmName === monitoring.endpointWatches.get('Churn')!.modelMonitor!.driftAlarmName)![0];
    for (const id of [driftId, ...['5xx', 'ModelErrors', 'LatencyP99'].map((s) => `ChurnAllTraffic${s}`)]) expect(rule).toContain(id);
    for (const a of [...alarmsBy('Invocation4XXErrors'), ...alarmsBy('CPUUtilization')]) expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  test('the alarm topic is KMS-encrypted, TLS-only, subscribed by email, and CloudWatch and EventBridge may use its key', () => {
    mon.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    mon.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    })]) } });
    mon.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ml-oncall@example.com' });
    const key = Object.values(mon.findResources('AWS::KMS::Key'))[0];
    const principals = JSON.stringify(key.Properties.KeyPolicy.Statement.map((s: { Principal: unknown }) => s.Principal));
    expect(principals).toContain('cloudwatch.amazonaws.com');
    expect(principals).toContain('events.amazonaws.com');
    expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  test('failed ETL and retraining runs and rolled-back rollouts go to the topic', () => {
    const rules = Object.values(mon.findResources('AWS::Events::Rule'));
    const failed = rules.filter((r) => JSON.stringify(r.Properties.EventPattern.detail?.status) === '["FAILED","TIMED_OUT","ABORTED"]');
    expect(failed).toHaveLength(2);
    for (const r of failed) expect(r.Properties.Targets[0].Arn).toEqual({ Ref: topicId });
    const rolledBack = rules.find((r) => r.Properties.EventPattern['detail-type']?.[0] === 'CloudFormation Stack Status Change')!;
    expect(JSON.stringify(rolledBack.Properties.EventPattern.detail['stack-id'])).toContain('stack/quick-dev-serving/');
    expect(rolledBack.Properties.Targets[0].Arn).toEqual({ Ref: topicId });
  });

  test('the dashboard shows every section and the drift metric', () => {
    const body = JSON.stringify(Object.values(mon.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    for (const text of ['Data: ETL runs', 'Training and registry', 'Endpoint Churn', 'Invocations', 'ModelLatency', 'SampleCount', 'data drift vs violation threshold']) {
      expect(body).toContain(text);
    }
    const driftId = Object.entries(mon.findResources('AWS::CloudWatch::Alarm'))
      .find(([, a]) => a.Properties.AlarmName === monitoring.endpointWatches.get('Churn')!.modelMonitor!.driftAlarmName)![0];
    expect(body).toContain(`{"Fn::GetAtt":["${driftId}","Arn"]}`);
  });

  test('the drift alarm starts retraining from the ML stack, by name', () => {
    const drift = monitoring.endpointWatches.get('Churn')!.modelMonitor!.driftAlarmName;
    mlTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], 'detail': { alarmName: [drift], state: { value: ['ALARM'] } } },
    });
    expect(ml.dependencies).not.toContain(monitoring);
  });
});

describe('MonitoringStack thresholds and validation', () => {
  const DOCS = documentedDefaults('lib/monitoring/monitoring-stack-props.ts');

  test('documented defaults: the profile thresholds, shipped per environment name', () => {
    expect(DOCS.get('MonitoringStackProps.thresholds')).toBe("the profile's thresholds (see `alarmThresholdsOf`)");
    expect(alarmThresholdsOf(Profiles.DEV)).toBe(ALARM_THRESHOLDS.dev);
    expect(alarmThresholdsOf({ ...Profiles.STAGING, alarms: undefined })).toBe(ALARM_THRESHOLDS.staging);
    expect(alarmThresholdsOf({ ...Profiles.DEV, name: 'qa', alarms: undefined })).toBe(ALARM_THRESHOLDS.prod);
    expect(DOCS.get('MonitoredEndpoint.modelMonitor')).toBe('no Model Monitor schedules (nor drift alarms)');
  });

  const stackWith = (props: ConstructorParameters<typeof MonitoringStack>[2]) => () => new MonitoringStack(testApp(), 'Mon', props);

  test('fails when thresholds are out of range, naming each', () => {
    expect(stackWith({ thresholds: { etlMaxSilence: Duration.days(10), evaluationPeriods: 0 } }))
      .toThrow(/thresholds.evaluationPeriods \(0\)[\s\S]*thresholds.etlMaxSilence \("10 days"\): must be between 1 hour and 7 days/);
  });

  test('fails when an alarm email is not an address', () => {
    expect(stackWith({ alarmEmails: ['oncall'] })).toThrow(/alarmEmails\[0\] \("oncall"\): must be an email address/);
  });

  test('fails when an endpoint asks for retraining without Model Monitor, or Model Monitor without a lakehouse', () => {
    const root = ml.node.root as App;
    const endpoint = (root.node.findChild('quick-dev-serving') as Stack).node.findChild('Churn') as InferenceEndpoint;
    const training = ml.node.findChild('Training') as TrainingCluster;
    expect(() => new MonitoringStack(root, 'M1', { endpoints: [{ endpoint, retrain: training }] }))
      .toThrow(/endpoints\[0\].retrain \("quick-dev-ml\/Training"\): needs modelMonitor/);
    expect(() => new MonitoringStack(root, 'M2', { endpoints: [{ endpoint, modelMonitor: { dataQuality: { driftFeatures: ['a'] } } }] }))
      .toThrow(/endpoints\[0\].modelMonitor \("set"\): needs the lakehouse prop/);
  });

  test('random bad thresholds always give a ValidationError naming the threshold', () => {
    const counts: Array<keyof AlarmThresholds> = ['evaluationPeriods', 'etlFailedRuns', 'trainingFailedRuns', 'registryRejections', 'endpoint5xxErrors', 'endpoint4xxErrors', 'endpointModelErrors'];
    const app = testApp();
    let n = 0;
    fc.assert(fc.property(fc.constantFrom(...counts), fc.oneof(fc.integer({ max: 0 }), fc.double({ min: 0.01, max: 0.99, noNaN: true })), (name, value) => {
      try {
        new MonitoringStack(app, `Case${n++}`, { thresholds: { [name]: value } });
        return false;
      } catch (e) {
        return e instanceof ValidationError && e.message.includes(`thresholds.${name}`);
      }
    }), { numRuns: 40 });
  });
});
