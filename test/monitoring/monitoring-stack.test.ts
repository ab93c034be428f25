import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as fc from 'fast-check';
import {
  ALARM_THRESHOLDS, AlarmThresholds, DRIFT_METRIC_SPEC, InferenceEndpoint, MonitoringStack, Profiles, TrainingCluster, ValidationError, alarmThresholdsOf,
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

  test('errors, latency, drift and quality feed one composite model-health alarm, the only one of them that notifies', () => {
    for (const name of ['Invocation5XXErrors', 'InvocationModelErrors', 'ModelLatency']) {
      for (const a of alarmsBy(name)) expect(a.Properties.AlarmActions).toBeUndefined();
    }
    const composite = Object.values(mon.findResources('AWS::CloudWatch::CompositeAlarm'));
    expect(composite).toHaveLength(1);
    expect(composite[0].Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(composite[0].Properties.OKActions).toEqual([{ Ref: topicId }]);
    const rule = JSON.stringify(composite[0].Properties.AlarmRule);
    const driftId = Object.entries(mon.findResources('AWS::CloudWatch::Alarm'))
      .find(([, a]) => a.Properties.AlarmName === monitoring.endpointWatches.get('Churn')!.drift!.driftAlarmName)![0];
    const qualityId = Object.entries(mon.findResources('AWS::CloudWatch::Alarm'))
      .find(([, a]) => a.Properties.AlarmName === monitoring.endpointWatches.get('Churn')!.drift!.qualityAlarmName)![0];
    for (const id of [driftId, qualityId, ...['5xx', 'ModelErrors', 'LatencyP99'].map((s) => `ChurnAllTraffic${s}`)]) expect(rule).toContain(id);
    for (const a of [...alarmsBy('MaxFeatureDrift'), ...alarmsBy('ModelQuality')]) expect(a.Properties.AlarmActions).toBeUndefined();
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

  test('failed ETL, retraining and drift-job runs and rolled-back rollouts go to the topic', () => {
    const rules = Object.values(mon.findResources('AWS::Events::Rule'));
    const glue = rules.filter((r) => r.Properties.EventPattern['detail-type']?.[0] === 'Glue Job State Change');
    expect(glue).toHaveLength(1);
    expect(glue[0].Properties.Targets[0].Arn).toEqual({ Ref: topicId });
    const failed = rules.filter((r) => JSON.stringify(r.Properties.EventPattern.detail?.status) === '["FAILED","TIMED_OUT","ABORTED"]');
    expect(failed).toHaveLength(2);
    for (const r of failed) expect(r.Properties.Targets[0].Arn).toEqual({ Ref: topicId });
    const rolledBack = rules.find((r) => r.Properties.EventPattern['detail-type']?.[0] === 'CloudFormation Stack Status Change')!;
    expect(JSON.stringify(rolledBack.Properties.EventPattern.detail['stack-id'])).toContain('stack/quick-dev-serving/');
    expect(rolledBack.Properties.Targets[0].Arn).toEqual({ Ref: topicId });
  });

  test('the dashboard shows every section and the drift metric', () => {
    const body = JSON.stringify(Object.values(mon.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    for (const text of ['Data: ETL runs', 'Training and registry', 'Endpoint Churn', 'Invocations', 'ModelLatency', 'SampleCount',
      'drift per feature', 'largest feature drift vs alarm threshold', 'captured records per window', 'model quality (auc) vs alarm threshold']) {
      expect(body).toContain(text);
    }
    const driftId = Object.entries(mon.findResources('AWS::CloudWatch::Alarm'))
      .find(([, a]) => a.Properties.AlarmName === monitoring.endpointWatches.get('Churn')!.drift!.driftAlarmName)![0];
    expect(body).toContain(`{"Fn::GetAtt":["${driftId}","Arn"]}`);
  });

  test('the drift and quality alarms start retraining from the ML stack, by name', () => {
    const watch = monitoring.endpointWatches.get('Churn')!.drift!;
    for (const name of [watch.driftAlarmName, watch.qualityAlarmName!]) {
      mlTemplate.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { 'source': ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], 'detail': { alarmName: [name], state: { value: ['ALARM'] } } },
      });
    }
    expect(ml.dependencies).not.toContain(monitoring);
  });

  test('drift is on by default for an endpoint that captures data, with the features of its retraining data contract; no Model Monitor', () => {
    mon.resourceCountIs('AWS::Glue::Job', 1);
    mon.resourceCountIs('AWS::Glue::Trigger', 1);
    expect(Object.keys(mon.toJSON().Resources).filter((id) => mon.toJSON().Resources[id].Type.startsWith('AWS::SageMaker::'))).toEqual([]);
    expect(monitoring.endpointWatches.get('Churn')!.drift!.features).toEqual(['tenure']);
  });

  test('the metric names and dimensions the drift job is given are the ones its alarms and dashboard widgets read', () => {
    // What the job publishes: the --metric_spec argument it is given (drift_job.py publishes exactly these).
    const job = Object.values(mon.findResources('AWS::Glue::Job'))[0];
    const spec = JSON.parse(job.Properties.DefaultArguments['--metric_spec']) as typeof DRIFT_METRIC_SPEC;
    const endpointName = job.Properties.DefaultArguments['--endpoint_name'];
    const published = new Set(Object.values(spec.metrics));
    const dims = spec.dimensions;
    // What the alarms read.
    const read: Array<{ name: string; dims: Record<string, string> }> = [];
    type MetricRef = { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: string }> };
    const dimsOf = (m: MetricRef) => Object.fromEntries(m.Dimensions.map((d) => [d.Name, d.Value]));
    for (const a of Object.values(mon.findResources('AWS::CloudWatch::Alarm'))) {
      // A plain metric alarm, or one on metric math (the drift alarm: MAX over the features' FeatureDrift).
      const metrics: MetricRef[] = a.Properties.Metrics
        ? a.Properties.Metrics.filter((q: { MetricStat?: unknown }) => q.MetricStat).map((q: { MetricStat: { Metric: MetricRef } }) => q.MetricStat.Metric)
        : [a.Properties as MetricRef];
      for (const m of metrics) if (m.Namespace === spec.namespace) read.push({ name: m.MetricName, dims: dimsOf(m) });
    }
    // What the dashboard widgets read: [namespace, metricName, dimName, dimValue, ...] arrays in the body.
    const body = mon.toJSON().Resources[Object.keys(mon.findResources('AWS::CloudWatch::Dashboard'))[0]].Properties.DashboardBody;
    const rendered = (body['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : 'REF')).join('');
    const widgets = (JSON.parse(rendered) as { widgets: Array<{ properties: { metrics?: unknown[][] } }> }).widgets;
    for (const w of widgets) {
      for (const m of w.properties.metrics ?? []) {
        if (m[0] !== spec.namespace) continue;
        const parts = m.filter((x) => typeof x === 'string') as string[];
        const d: Record<string, string> = {};
        for (let i = 2; i + 1 < parts.length; i += 2) d[parts[i]] = parts[i + 1];
        read.push({ name: parts[1], dims: d });
      }
    }
    expect(read.length).toBe(8); // alarms: drift (MAX over the one feature), quality; graphs: feature drift, max drift, captured, insufficient, quality, ground truth
    const names = new Set(read.map((r) => r.name));
    for (const name of names) expect(published).toContain(name);
    for (const name of published) expect(names).toContain(name);
    for (const r of read) {
      expect(r.dims[dims.endpoint]).toBe(endpointName);
      const expected = r.name === spec.metrics.featureDrift ? [dims.endpoint, dims.feature]
        : r.name === spec.metrics.modelQuality ? [dims.endpoint, dims.qualityMetric] : [dims.endpoint];
      expect(Object.keys(r.dims).sort()).toEqual(expected.sort());
    }
    expect(read.filter((r) => r.name === spec.metrics.featureDrift).map((r) => r.dims[dims.feature])).toEqual(['tenure', 'tenure']);
    expect(read.filter((r) => r.name === spec.metrics.modelQuality).map((r) => r.dims[dims.qualityMetric])).toContain(job.Properties.DefaultArguments['--quality_metric']);
  });
});

describe('MonitoringStack thresholds and validation', () => {
  const DOCS = documentedDefaults('lib/monitoring/monitoring-stack-props.ts');

  test('documented defaults: the profile thresholds, shipped per environment name', () => {
    expect(DOCS.get('MonitoringStackProps.thresholds')).toBe("the profile's thresholds (see `alarmThresholdsOf`)");
    expect(alarmThresholdsOf(Profiles.DEV)).toBe(ALARM_THRESHOLDS.dev);
    expect(alarmThresholdsOf({ ...Profiles.STAGING, alarms: undefined })).toBe(ALARM_THRESHOLDS.staging);
    expect(alarmThresholdsOf({ ...Profiles.DEV, name: 'qa', alarms: undefined })).toBe(ALARM_THRESHOLDS.prod);
    expect(DOCS.get('MonitoredEndpoint.modelMonitor')).toBe('no Model Monitor schedules');
    expect(DOCS.get('MonitoredEndpoint.drift')).toMatch(/^on when the endpoint captures data/);
  });

  const stackWith = (props: ConstructorParameters<typeof MonitoringStack>[2]) => () => new MonitoringStack(testApp(), 'Mon', props);

  test('fails when thresholds are out of range, naming each', () => {
    expect(stackWith({ thresholds: { etlMaxSilence: Duration.days(10), evaluationPeriods: 0 } }))
      .toThrow(/thresholds.evaluationPeriods \(0\)[\s\S]*thresholds.etlMaxSilence \("10 days"\): must be between 1 hour and 7 days/);
  });

  test('fails when an alarm email is not an address', () => {
    expect(stackWith({ alarmEmails: ['oncall'] })).toThrow(/alarmEmails\[0\] \("oncall"\): must be an email address/);
  });

  test('fails when an endpoint asks for retraining without drift or Model Monitor, drift lacks its registry, model or lakehouse, or Model Monitor its lakehouse', () => {
    const root = ml.node.root as App;
    const endpoint = (root.node.findChild('quick-dev-serving') as Stack).node.findChild('Churn') as InferenceEndpoint;
    const training = ml.node.findChild('Training') as TrainingCluster;
    expect(() => new MonitoringStack(root, 'M1', { endpoints: [{ endpoint, drift: false, retrain: training }] }))
      .toThrow(/endpoints\[0\].retrain \("quick-dev-ml\/Training"\): needs drift/);
    expect(() => new MonitoringStack(root, 'M3', { endpoints: [{ endpoint }] }))
      .toThrow(/endpoints\[0\].drift \("on"\): needs the lakehouse prop[\s\S]*endpoints\[0\].registry \(undefined\): must be set while drift is on[\s\S]*endpoints\[0\].model/);
    expect(() => new MonitoringStack(root, 'M2', { endpoints: [{ endpoint, drift: false, modelMonitor: { dataQuality: { driftFeatures: ['a'] } } }] }))
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

describe('Athena bytes-scanned widget (issue 13: it read ProcessedBytes with the WorkGroup dimension only)', () => {
  test('sums a SEARCH over every QueryState and QueryType of the workgroup', () => {
    const body = mon.toJSON().Resources[Object.keys(mon.findResources('AWS::CloudWatch::Dashboard'))[0]].Properties.DashboardBody;
    const rendered = (body['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : 'REF')).join('');
    const widgets = (JSON.parse(rendered) as { widgets: Array<{ properties: { title?: string; metrics?: unknown[][] } }> }).widgets;
    const athena = widgets.find((w) => w.properties.title === 'Lakehouse: bytes scanned by queries')!;
    expect(athena.properties.metrics).toEqual([[expect.objectContaining({
      expression: 'SUM(SEARCH(\'{AWS/Athena,QueryState,QueryType,WorkGroup} MetricName="ProcessedBytes" WorkGroup="quick-dev-lake"\', \'Sum\', 300))',
    })]]);
  });
});
