import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ValidationError } from '../../lib/core';
import { InferenceEndpoint, ModelSource } from '../../lib/inference';
import {
  DRIFT_METRIC_SPEC, DRIFT_MONITOR_DEFAULTS, DriftMonitor, DriftMonitorProps, DriftProblemType, FAILED_GLUE_JOB_STATES,
} from '../../lib/monitoring';
import { ModelRegistry } from '../../lib/registry';
import { TEST_ENV, normalizedTemplate, synthFindings, testStack } from '../helpers/app';
import { documentedDefaults } from '../helpers/docs';
import { lakehouseIn, registryIn } from '../inference/helpers';

type Resource = ReturnType<Template['findResources']>[string];
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

/** The platform's layout: lakehouse, registry and endpoint in one stack, the monitor in another. */
function layout(options: { nag?: boolean; capture?: boolean } = {}) {
  const base = testStack({ nag: options.nag });
  const lakehouse = lakehouseIn(base);
  const registry = registryIn(base);
  const endpoint = new InferenceEndpoint(base, 'Endpoint', {
    model: ModelSource.fromRegistry(registry, 'churn'),
    dataCapture: options.capture === false ? undefined : { lakehouse },
  });
  const stack = new Stack(base.node.root as App, 'Monitoring', { env: TEST_ENV });
  const required: DriftMonitorProps = { endpoint, lakehouse, registry, model: 'churn' };
  return { base, stack, lakehouse, registry, endpoint, required };
}

const resolve = (stack: Stack, v: unknown): string => JSON.stringify(stack.resolve(v));

describe('DriftMonitor with its defaults', () => {
  const { stack, required, base } = layout();
  const topic = new sns.Topic(stack, 'Topic');
  const monitor = new DriftMonitor(stack, 'ChurnDrift', { ...required, features: ['tenure', 'monthly_charges'], alertTopic: topic });
  let template: Template;
  let job: Resource;
  beforeAll(() => {
    template = Template.fromStack(stack);
    job = Object.values(template.findResources('AWS::Glue::Job'))[0];
  });

  test('one Glue 5.0 Spark job (glueetl, Python 3, 2 x G.1X) runs drift_job.py, with its own logs and security configuration', () => {
    template.resourceCountIs('AWS::Glue::Job', 1);
    expect(job.Properties).toEqual(expect.objectContaining({
      Command: { Name: 'glueetl', PythonVersion: '3', ScriptLocation: expect.anything() },
      GlueVersion: '5.0', WorkerType: 'G.1X', NumberOfWorkers: 2, MaxRetries: 0, ExecutionProperty: { MaxConcurrentRuns: 1 },
      SecurityConfiguration: { Ref: expect.stringMatching(/^ChurnDriftJobLoggingSecurityConfiguration/) },
    }));
    const prefix = job.Properties.DefaultArguments['--custom-logGroup-prefix'];
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `${prefix}/error`, KmsKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `${prefix}/output`, KmsKeyId: Match.anyValue() });
  });

  test('the job arguments are exactly the interface of drift_job.py', () => {
    const args = stack.resolve(job.Properties.DefaultArguments) as Record<string, unknown>;
    const own = Object.fromEntries(Object.entries(args).filter(([k]) => !['--job-language', '--job-bookmark-option', '--custom-logGroup-prefix', '--extra-py-files'].includes(k)));
    const captureBucket = base.resolve((required.lakehouse.zoneBucket('raw' as never)).bucketName);
    expect(Object.keys(own).sort()).toEqual([
      '--capture_uri', '--endpoint_name', '--ground_truth_uri', '--metric_spec', '--min_records', '--placeholder', '--problem_type',
      '--quality_metric', '--report_uri', '--served_version_parameter', '--variant_names', '--window_hours',
    ]);
    expect(own['--endpoint_name']).toBe('mlops-prod-endpoint');
    expect(own['--variant_names']).toBe('AllTraffic');
    expect(JSON.stringify(own['--capture_uri'])).toContain('/data-capture/mlops-prod-endpoint/');
    expect(JSON.stringify(own['--capture_uri'])).toMatch(/^"?\{?.*s3:\/\//);
    expect(own['--served_version_parameter']).toBe('/mlops/prod/models/churn/approved-package-arn');
    expect(own['--placeholder']).toBe('none');
    expect(JSON.stringify(own['--report_uri'])).toMatch(/LakehouseAnalyticsBucket.*\/model-monitoring\/mlops-prod-endpoint\//);
    expect(own['--window_hours']).toBe('24');
    expect(own['--min_records']).toBe('100');
    expect(own['--ground_truth_uri']).toBe('none');
    expect(own['--problem_type']).toBe('binary_classification');
    expect(own['--quality_metric']).toBe('auc');
    expect(JSON.parse(own['--metric_spec'] as string)).toEqual(DRIFT_METRIC_SPEC);
    expect(captureBucket).toBeDefined();
  });

  test('--extra-py-files points at the model_stats asset: a zip holding only model_stats.py (importable as model_stats)', () => {
    const extra = resolve(stack, job.Properties.DefaultArguments['--extra-py-files']);
    expect(extra).toMatch(/\.zip/);
    const asset = (stack.node.findChild('ChurnDrift').node.findChild('Job').node.findChild('ModelStats') as unknown as { assetPath: string; s3ObjectKey: string });
    expect(extra).toContain(asset.s3ObjectKey);
    const staged = path.join((stack.node.root as App).outdir, asset.assetPath);
    expect(fs.readdirSync(staged)).toEqual(['model_stats.py']);
    const script = resolve(stack, job.Properties.Command.ScriptLocation);
    expect(script).toMatch(/\.py"/);
  });

  test('a SCHEDULED Glue trigger started on creation runs the job daily at 01:00 UTC', () => {
    template.resourceCountIs('AWS::Glue::Trigger', 1);
    template.hasResourceProperties('AWS::Glue::Trigger', {
      Type: 'SCHEDULED', Schedule: 'cron(0 1 * * ? *)', StartOnCreation: true,
      Actions: [{ JobName: { Ref: Object.keys(template.findResources('AWS::Glue::Job'))[0] } }],
    });
  });

  test('the drift alarm has a fixed name, reads the FeatureDrift of each declared feature (endpoint and feature dimensions), fires when the largest is at or above 0.2, missing data not breaching', () => {
    expect(monitor.driftAlarmName).toBe('mlops-prod-churndrift-drift');
    const [alarm] = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'mlops-prod-churndrift-drift' } }));
    expect(alarm.Properties).toEqual(expect.objectContaining({
      Threshold: 0.2, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching', EvaluationPeriods: 1,
    }));
    const queries = alarm.Properties.Metrics as Array<{ Id: string; Expression?: string; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown[] }; Stat: string; Period: number } }>;
    expect(queries.find((q) => q.Expression)?.Expression).toBe('MAX([f0, f1])');
    expect(queries.filter((q) => q.MetricStat).map((q) => [q.MetricStat!.Metric.MetricName, q.MetricStat!.Metric.Dimensions, q.MetricStat!.Stat, q.MetricStat!.Period])).toEqual(
      ['tenure', 'monthly_charges'].map((f) => [DRIFT_METRIC_SPEC.metrics.featureDrift, [
        { Name: DRIFT_METRIC_SPEC.dimensions.endpoint, Value: 'mlops-prod-endpoint' }, { Name: DRIFT_METRIC_SPEC.dimensions.feature, Value: f },
      ], 'Maximum', 86400]));
    expect(monitor.qualityAlarm).toBeUndefined();
    // Besides the stack's EventDeadLetters alarm of the failed-run rule (issue 16).
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).filter((id) => !id.startsWith('EventDeadLetters'))).toHaveLength(1);
  });

  test('past ten features (the metric-math alarm limit) and without declared features, the drift alarm reads the job\'s MaxFeatureDrift', () => {
    for (const features of [undefined, Array.from({ length: 11 }, (_, i) => `f${i}`)]) {
      const l = layout();
      const wide = new DriftMonitor(l.stack, 'Drift', { ...l.required, features });
      Template.fromStack(l.stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: wide.driftAlarmName, Namespace: DRIFT_METRIC_SPEC.namespace, MetricName: DRIFT_METRIC_SPEC.metrics.maxDrift,
        Dimensions: [{ Name: DRIFT_METRIC_SPEC.dimensions.endpoint, Value: Match.anyValue() }], Threshold: 0.2, Statistic: 'Maximum',
      });
    }
  });

  test('failed, timed-out and stopped runs go to the alert topic (Glue Job State Change)', () => {
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0];
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['aws.glue'], 'detail-type': ['Glue Job State Change'],
      'detail': { jobName: [{ Ref: Object.keys(template.findResources('AWS::Glue::Job'))[0] }], state: [...FAILED_GLUE_JOB_STATES] },
    });
    expect(rule.Properties.Targets[0].Arn).toEqual({ Ref: Object.keys(template.findResources('AWS::SNS::Topic'))[0] });
    expect(rule.Properties.Targets[0].InputTransformer.InputPathsMap).toEqual(expect.objectContaining({ 'detail-jobRunId': '$.detail.jobRunId', 'detail-message': '$.detail.message' }));
  });

  test('metric methods read DRIFT_METRIC_SPEC: names, dimensions, statistic and period', () => {
    const ep = { Name: 'EndpointName', Value: 'mlops-prod-endpoint' };
    const view = (m: { namespace: string; metricName: string; dimensions?: object; statistic: string; period: { toSeconds(): number } }) =>
      ({ ns: m.namespace, name: m.metricName, dims: stack.resolve(m.dimensions), stat: m.statistic, period: m.period.toSeconds() });
    expect(view(monitor.metricFeatureDrift('tenure'))).toEqual({ ns: DRIFT_METRIC_SPEC.namespace, name: 'FeatureDrift', dims: { EndpointName: ep.Value, Feature: 'tenure' }, stat: 'Maximum', period: 86400 });
    expect(view(monitor.metricCapturedRecords())).toEqual(expect.objectContaining({ name: 'CapturedRecords', stat: 'Sum' }));
    expect(view(monitor.metricInsufficientData())).toEqual(expect.objectContaining({ name: 'InsufficientCapturedData', stat: 'Maximum' }));
    expect(view(monitor.metricQuality())).toEqual(expect.objectContaining({ name: 'ModelQuality', dims: { EndpointName: ep.Value, Metric: 'auc' }, stat: 'Average' }));
    expect(view(monitor.metricGroundTruthSamples())).toEqual(expect.objectContaining({ name: 'GroundTruthSamples', stat: 'Sum' }));
    expect(() => monitor.metricFeatureDrift('bad feature')).toThrow(/feature \("bad feature"\)/);
  });

  test('documented defaults match DRIFT_MONITOR_DEFAULTS', () => {
    const docs = documentedDefaults('lib/monitoring/drift-monitor-props.ts');
    expect(docs.get('schedule')).toContain(DRIFT_MONITOR_DEFAULTS.schedule);
    expect(docs.get('windowHours')).toBe(String(DRIFT_MONITOR_DEFAULTS.windowHours));
    expect(docs.get('minRecords')).toBe(String(DRIFT_MONITOR_DEFAULTS.minRecords));
    expect(docs.get('driftThreshold')).toBe(String(DRIFT_MONITOR_DEFAULTS.driftThreshold));
    expect(docs.get('problemType')).toBe('DriftProblemType.BINARY_CLASSIFICATION');
    expect(DRIFT_MONITOR_DEFAULTS.problemType).toBe(DriftProblemType.BINARY_CLASSIFICATION);
  });
});

describe('DriftMonitor role: exactly what the job does, no * actions', () => {
  const { stack, required } = layout();
  new DriftMonitor(stack, 'Drift', { ...required, quality: { threshold: 0.8 } });
  const statements = (): Statement[] => {
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
  };
  const actions = (s: Statement) => ([] as string[]).concat(s.Action);
  const find = (action: string) => statements().filter((s) => actions(s).includes(action));

  test('no action is a wildcard and every action is one the job uses', () => {
    const all = new Set(statements().flatMap(actions));
    for (const a of all) expect(a).not.toMatch(/\*/);
    expect([...all].sort()).toEqual([
      'cloudwatch:PutMetricData', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'logs:AssociateKmsKey', 'logs:CreateLogStream',
      'logs:PutLogEvents', 's3:AbortMultipartUpload', 's3:GetObject', 's3:ListBucket', 's3:PutObject', 'sagemaker:DescribeModelPackage', 'ssm:GetParameter',
    ]);
  });

  test('SSM: the one parameter the endpoint reads; SageMaker: versions of the served group only', () => {
    expect(JSON.stringify(stack.resolve(find('ssm:GetParameter')[0].Resource))).toContain(':parameter/mlops/prod/models/churn/approved-package-arn');
    expect(JSON.stringify(stack.resolve(find('sagemaker:DescribeModelPackage')[0].Resource))).toContain(':model-package/mlops-prod-churn/*');
  });

  test('S3: baselines of runs read; capture and ground truth listed and read; reports written; each under its prefix', () => {
    const get = JSON.stringify(stack.resolve(find('s3:GetObject').map((s) => s.Resource)));
    expect(get).toContain('/models/churn/runs/*/baseline/*');
    expect(get).toContain('/data-capture/mlops-prod-endpoint/*');
    expect(get).toContain('/ground-truth/mlops-prod-endpoint/*');
    const put = JSON.stringify(stack.resolve(find('s3:PutObject').map((s) => s.Resource)));
    expect(put).toContain('/model-monitoring/mlops-prod-endpoint/*');
    expect(put).not.toContain('data-capture');
    const lists = find('s3:ListBucket').map((s) => JSON.stringify(s.Condition));
    expect(lists).toEqual(expect.arrayContaining([
      expect.stringContaining('data-capture/mlops-prod-endpoint/*'), expect.stringContaining('ground-truth/mlops-prod-endpoint/*'),
    ]));
  });

  test('PutMetricData only in the platform namespace', () => {
    expect(find('cloudwatch:PutMetricData')[0].Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': DRIFT_METRIC_SPEC.namespace } });
  });
});

describe('DriftMonitor options', () => {
  test('quality on a regressor: RMSE alarm at or above its threshold, ground truth under a custom prefix, custom schedule and window', () => {
    const { stack, required } = layout();
    const m = new DriftMonitor(stack, 'Drift', {
      ...required, monitorName: 'churn-reg', problemType: DriftProblemType.REGRESSION, schedule: 'cron(30 */6 * * ? *)', windowHours: 6, minRecords: 20,
      driftThreshold: 0.3, quality: { threshold: 4.5, groundTruthPrefix: 'labels/churn/' },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'mlops-prod-churn-reg-quality', MetricName: 'ModelQuality', ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 4.5,
      Dimensions: Match.arrayWith([{ Name: 'Metric', Value: 'rmse' }]), TreatMissingData: 'notBreaching',
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'mlops-prod-churn-reg-drift', Threshold: 0.3 });
    t.hasResourceProperties('AWS::Glue::Trigger', { Schedule: 'cron(30 */6 * * ? *)' });
    const args = m.jobArguments;
    expect([args['--problem_type'], args['--quality_metric'], args['--window_hours'], args['--min_records']]).toEqual(['regression', 'rmse', '6', '20']);
    expect(resolve(stack, args['--ground_truth_uri'])).toMatch(/LakehouseRawBucket.*\/labels\/churn\//);
  });

  test('a classifier\'s quality alarm fires at or below its AUC threshold', () => {
    const { stack, required } = layout();
    new DriftMonitor(stack, 'Drift', { ...required, quality: { threshold: 0.75 } });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'mlops-prod-drift-quality', ComparisonOperator: 'LessThanOrEqualToThreshold', Threshold: 0.75,
    });
  });

  test('staging: the parameter of the staging endpoint, DescribeModelPackage on the imported prod registry', () => {
    const base = testStack();
    const lakehouse = lakehouseIn(base);
    const prod = ModelRegistry.fromEnvironment(base, 'ProdRegistry', { environment: 'prod', models: ['churn'] });
    const endpoint = new InferenceEndpoint(base, 'Endpoint', { model: ModelSource.fromRegistry(prod, 'churn'), dataCapture: { lakehouse } });
    const m = new DriftMonitor(base, 'Drift', { endpoint, lakehouse, registry: prod, model: 'churn', parameterName: '/custom/churn' });
    expect(m.jobArguments['--served_version_parameter']).toBe('/custom/churn');
    const policies = JSON.stringify(Template.fromStack(base).findResources('AWS::IAM::Policy'));
    expect(policies).toContain('model-package/mlops-prod-churn/*');
  });
});

describe('DriftMonitor validation', () => {
  test('fails when the endpoint captures no data, the model is not the registry\'s, and every number, name and schedule is out of range (one error)', () => {
    const { stack, required } = layout({ capture: false });
    let error: ValidationError | undefined;
    try {
      new DriftMonitor(stack, 'Drift', {
        ...required, model: 'fraud', parameterName: 'no-slash', features: ['tenure', 'tenure', 'bad name'], schedule: 'rate(1 day)',
        windowHours: 0, minRecords: 1.5, driftThreshold: 0, monitorName: 'Bad_Name', quality: { metric: 'rmse', threshold: -2, groundTruthPrefix: '/abs' },
      });
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const props = error!.problems.map((p) => p.property);
    expect(props).toEqual(expect.arrayContaining([
      'endpoint', 'model', 'parameterName', 'features[1]', 'features[2]', 'schedule', 'windowHours', 'minRecords', 'driftThreshold',
      'quality.metric', 'quality.threshold', 'quality.groundTruthPrefix', 'monitorName',
    ]));
    expect(error!.message).toMatch(/windowHours \(0\): must be a whole number of hours from 1 to 720/);
    expect(error!.message).toMatch(/schedule \("rate\(1 day\)"\)/);
  });

  test('fails when the schedule fires more often than every 5 minutes (Glue\'s minimum precision)', () => {
    const { stack, required } = layout();
    expect(() => new DriftMonitor(stack, 'Drift', { ...required, schedule: 'cron(*/2 * * * ? *)' })).toThrow(/schedule .*every 5 minutes/);
  });
});

describe('DriftMonitor cdk-nag and snapshot', () => {
  test('zero unacknowledged findings, with quality and an alert topic', () => {
    const { stack, required } = layout({ nag: true });
    const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
    new DriftMonitor(stack, 'Drift', { ...required, features: ['tenure'], quality: { threshold: 0.8 }, alertTopic: topic });
    const { message, findings } = synthFindings(stack.node.root as App);
    expect(findings.filter((f) => !f.includes('AwsSolutions-SNS'))).toEqual([]);
    expect(message.split('\n').filter((l) => l.includes('Monitoring/Drift'))).toEqual([]);
  });

  test('defaults (prod profile), normalized', () => {
    const { stack, required } = layout();
    new DriftMonitor(stack, 'Drift', required);
    const template = normalizedTemplate(stack) as { Resources: Record<string, { Type: string }> };
    expect(Object.values(template.Resources).map((r) => r.Type).sort()).toEqual([
      'AWS::CloudWatch::Alarm', 'AWS::Glue::Job', 'AWS::Glue::SecurityConfiguration', 'AWS::Glue::Trigger', 'AWS::IAM::Policy', 'AWS::IAM::Role',
      'AWS::Logs::LogGroup', 'AWS::Logs::LogGroup',
    ]);
    expect(template).toMatchSnapshot();
  });
});
