import { App, Duration, Size, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ValidationError } from '../../lib/core';
import { IInferenceEndpoint, InferenceEndpoint, ModelSource } from '../../lib/inference';
import { DataLakehouse, LakehouseZone } from '../../lib/lakehouse';
import {
  MODEL_MONITOR_DEFAULTS, ModelMonitor, ModelQualityMetric, ModelQualityProblemType, MonitoringInstanceType,
} from '../../lib/monitoring/model-monitor-index';
import { TEST_ENV, testApp, testStack } from '../helpers/app';
import { documentedDefaults } from '../helpers/docs';
import { lakehouseIn, registryIn } from '../inference/helpers';

/** A template resource or policy statement, as the assertions module types it. */
type Resource = ReturnType<Template['findResources']>[string];

// The platform's layout: the endpoint and lakehouse in one stack, the monitors in another. Every
// monitor and grant is added before the one synth in beforeAll.
const base = testStack();
const app = base.node.root as App;
const lakehouse = lakehouseIn(base);
const endpoint = new InferenceEndpoint(base, 'Endpoint', { model: ModelSource.fromRegistry(registryIn(base), 'churn'), dataCapture: { lakehouse } });
const stack = new Stack(app, 'Monitoring', { env: TEST_ENV });

/** Only required props. */
const churn = new ModelMonitor(stack, 'ChurnMonitor', { endpoint, lakehouse, dataQuality: { driftFeatures: ['tenure', 'monthly_charges'] } });
/** Binary classification with the default metric and probability attributes. */
const binary = new ModelMonitor(stack, 'Binary', {
  endpoint, lakehouse, monitorName: 'churn-binary',
  dataQuality: { driftFeatures: ['tenure'] },
  modelQuality: { problemType: ModelQualityProblemType.BINARY_CLASSIFICATION, qualityThreshold: 0.75, probabilityAttribute: '1', probabilityThreshold: 0.6 },
});
/** Every option. */
const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 2, subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
const volumeKey = new kms.Key(stack, 'VolumeKey', { enableKeyRotation: true });
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/analyzer@sha256:abc';
const custom = new ModelMonitor(stack, 'Custom', {
  endpoint, lakehouse, monitorName: 'churn-custom', vpc, volumeEncryptionKey: volumeKey, imageUri: IMAGE, prefix: 'monitoring/churn/',
  dataQuality: {
    driftFeatures: ['tenure'], driftThreshold: 0.35, scheduleExpression: 'cron(0 3/6 ? * * *)', instanceType: MonitoringInstanceType.M5_2XLARGE,
    instanceCount: 2, volumeSize: Size.gibibytes(50), maxRuntime: Duration.hours(2),
    baselineConstraintsUri: 's3://baselines-bucket/churn/constraints.json', baselineStatisticsUri: 's3://baselines-bucket/churn/statistics.json',
  },
  modelQuality: {
    problemType: ModelQualityProblemType.REGRESSION, qualityThreshold: 12.5, groundTruthUri: 's3://labels-bucket/churn/', inferenceAttribute: '0',
    startTimeOffset: Duration.hours(48), endTimeOffset: Duration.hours(24), scheduleExpression: 'cron(0 0/6 ? * * *)',
  },
});
const trainer = new iam.Role(stack, 'Trainer', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
churn.grantWriteBaselines(trainer);
binary.grantWriteGroundTruth(trainer);

let template: Template;
beforeAll(() => {
  template = Template.fromStack(stack);
});

/** The only resource of a type whose logical ID starts with `prefix`. */
function resource(type: string, prefix: string): Resource {
  const found = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${found.length}`);
  return found[0][1];
}

/** Statements of the policies attached to a role (by logical-ID prefix). */
function statements(rolePrefix: string): Resource[] {
  const roleId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith(rolePrefix))!;
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/** A value from the base stack (the lakehouse), as this stack reads it. */
const fromBase = (name: string) => ({ 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'Test', OutputName: expect.stringContaining(name) }) });
const lakehouseKeyArn = fromBase('LakehouseKey');
const analytics = fromBase('LakehouseAnalyticsBucket');
const raw = fromBase('LakehouseRawBucket');
const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });

describe('ModelMonitor data quality', () => {
  test('the job runs the AWS analyzer of the region with metrics on, baselines and reports in the lakehouse, KMS on outputs and volumes, and network isolation', () => {
    const job = resource('AWS::SageMaker::DataQualityJobDefinition', 'ChurnMonitor').Properties;
    expect(job.DataQualityAppSpecification).toEqual({
      ImageUri: join('156813124566.dkr.ecr.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/sagemaker-model-monitor-analyzer'),
      Environment: { publish_cloudwatch_metrics: 'Enabled' },
    });
    expect(job.DataQualityBaselineConfig).toEqual({
      ConstraintsResource: { S3Uri: join('s3://', analytics, '/model-monitor/mlops-prod-endpoint/baseline/data-quality/constraints.json') },
      StatisticsResource: { S3Uri: join('s3://', analytics, '/model-monitor/mlops-prod-endpoint/baseline/data-quality/statistics.json') },
    });
    expect(job.DataQualityJobInput).toEqual({ EndpointInput: {
      EndpointName: 'mlops-prod-endpoint', LocalPath: '/opt/ml/processing/input/endpoint', S3InputMode: 'File', S3DataDistributionType: 'FullyReplicated',
    } });
    expect(job.DataQualityJobOutputConfig).toEqual({
      KmsKeyId: lakehouseKeyArn,
      MonitoringOutputs: [{ S3Output: {
        LocalPath: '/opt/ml/processing/output', S3UploadMode: 'EndOfJob',
        S3Uri: join('s3://', analytics, '/model-monitor/mlops-prod-endpoint/reports/data-quality/'),
      } }],
    });
    expect(job.JobResources.ClusterConfig.VolumeKmsKeyId).toEqual(lakehouseKeyArn);
    expect(job.NetworkConfig).toEqual({ EnableNetworkIsolation: true, EnableInterContainerTrafficEncryption: true });
    expect(job.JobDefinitionName).toBeUndefined();
    expect(job.RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ChurnMonitorRole/), 'Arn'] });
  });

  test('the schedule watches the endpoint hourly under a fixed name and runs the job definition by the name CloudFormation generated', () => {
    const schedule = resource('AWS::SageMaker::MonitoringSchedule', 'ChurnMonitorDataQuality');
    const jobId = Object.keys(template.findResources('AWS::SageMaker::DataQualityJobDefinition')).find((id) => id.startsWith('ChurnMonitor'));
    expect(schedule.Properties).toEqual(expect.objectContaining({
      MonitoringScheduleName: 'mlops-prod-churnmonitor-data-quality',
      EndpointName: 'mlops-prod-endpoint',
      MonitoringScheduleConfig: {
        MonitoringJobDefinitionName: { 'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::GetAtt': [jobId, 'JobDefinitionArn'] }] }] },
        MonitoringType: 'DataQuality',
        ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' },
      },
    }));
    expect(churn.dataQualityScheduleName).toBe('mlops-prod-churnmonitor-data-quality');
    // The endpoint lives in another stack: the dependency becomes a stack dependency.
    expect(stack.dependencies).toContain(base);
  });

  test('one drift alarm: MAX over the watched features, a literal name from the monitor, the threshold, missing data not breaching', () => {
    expect(churn.driftAlarmName).toBe('mlops-prod-churnmonitor-data-drift');
    expect(Token.isUnresolved(churn.driftAlarmName)).toBe(false);
    const alarm = resource('AWS::CloudWatch::Alarm', 'ChurnMonitorDriftAlarm').Properties;
    const feature = (id: string, name: string) => ({
      Id: id, ReturnData: false,
      MetricStat: {
        Metric: {
          Namespace: 'aws/sagemaker/Endpoints/data-metrics', MetricName: `feature_baseline_drift_${name}`,
          Dimensions: [{ Name: 'Endpoint', Value: 'mlops-prod-endpoint' }, { Name: 'MonitoringSchedule', Value: 'mlops-prod-churnmonitor-data-quality' }],
        },
        Period: 3600, Stat: 'Maximum',
      },
    });
    expect(alarm).toEqual(expect.objectContaining({
      AlarmName: 'mlops-prod-churnmonitor-data-drift',
      Threshold: MODEL_MONITOR_DEFAULTS.driftThreshold,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [expect.objectContaining({ Expression: 'MAX([m0,m1])', ReturnData: true }), feature('m0', 'tenure'), feature('m1', 'monthly_charges')],
    }));
    expect(churn.qualityAlarm).toBeUndefined();
    expect(churn.modelQualityScheduleName).toBeUndefined();
    template.resourcePropertiesCountIs('AWS::SageMaker::ModelQualityJobDefinition', { RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ChurnMonitor'), 'Arn'] } }, 0);
  });

  test('the role reads only the capture prefix and the baselines, writes only the report prefix, lists by prefix and puts metrics in Model Monitor namespaces', () => {
    const s = statements('ChurnMonitorRole');
    const objects = (path: string) => join('arn:aws:s3:::', analytics, path);
    expect(s).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 's3:GetObject', Resource: expect.arrayContaining([
        objects('/model-monitor/mlops-prod-endpoint/baseline/data-quality/constraints.json'),
        objects('/model-monitor/mlops-prod-endpoint/baseline/data-quality/statistics.json'),
        join('arn:aws:s3:::', raw, '/data-capture/mlops-prod-endpoint/*'),
      ]) }),
      { Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'], Resource: objects('/model-monitor/mlops-prod-endpoint/reports/*') },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: join('arn:aws:s3:::', raw),
        Condition: { StringLike: { 's3:prefix': ['data-capture/mlops-prod-endpoint/*'] } } },
      { Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': ['aws/sagemaker/Endpoints/data-metrics'] } } },
      { Effect: 'Allow', Action: 'kms:CreateGrant', Resource: lakehouseKeyArn, Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
      expect.objectContaining({ Action: expect.arrayContaining(['logs:CreateLogStream', 'logs:PutLogEvents']),
        Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/ProcessingJobs:*' }),
    ]));
    const actions = s.flatMap((x) => [x.Action].flat() as string[]);
    expect(actions.filter((a) => a.endsWith('*'))).toEqual([]);
    expect(actions).not.toContain('s3:DeleteObject');
    expect(actions.filter((a) => a.startsWith('ec2:'))).toEqual([]);
    // No statement on every object of a bucket, and no bucket-wide listing.
    for (const x of s) {
      expect(JSON.stringify(x.Resource)).not.toMatch(/"\/\*"/);
      if (x.Action === 's3:ListBucket') expect(x.Condition).toBeDefined();
    }
  });
});

describe('ModelMonitor model quality', () => {
  test('binary classification: the job, its schedule and the alarm on auc (lower is worse: Minimum below the threshold)', () => {
    const job = resource('AWS::SageMaker::ModelQualityJobDefinition', 'Binary').Properties;
    expect(job.ModelQualityAppSpecification).toEqual(expect.objectContaining({ ProblemType: 'BinaryClassification', Environment: { publish_cloudwatch_metrics: 'Enabled' } }));
    expect(job.ModelQualityJobInput).toEqual({
      EndpointInput: expect.objectContaining({ EndpointName: 'mlops-prod-endpoint', ProbabilityAttribute: '1', ProbabilityThresholdAttribute: 0.6 }),
      GroundTruthS3Input: { S3Uri: join('s3://', analytics, '/model-monitor/mlops-prod-endpoint/ground-truth/') },
    });
    expect(job.ModelQualityBaselineConfig).toEqual({ ConstraintsResource: { S3Uri: join('s3://', analytics, '/model-monitor/mlops-prod-endpoint/baseline/model-quality/constraints.json') } });
    expect(job.ModelQualityJobOutputConfig.KmsKeyId).toEqual(lakehouseKeyArn);
    expect(job.NetworkConfig).toEqual({ EnableNetworkIsolation: true, EnableInterContainerTrafficEncryption: true });
    expect(job.StoppingCondition).toEqual({ MaxRuntimeInSeconds: MODEL_MONITOR_DEFAULTS.modelQualityMaxRuntime.toSeconds() });
    expect(resource('AWS::SageMaker::MonitoringSchedule', 'BinaryModelQuality').Properties).toEqual(expect.objectContaining({
      MonitoringScheduleName: 'mlops-prod-churn-binary-model-quality',
      MonitoringScheduleConfig: expect.objectContaining({ MonitoringType: 'ModelQuality', ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' } }),
    }));
    expect(binary.qualityMetric).toBe(ModelQualityMetric.AUC);
    expect(binary.qualityAlarmName).toBe('mlops-prod-churn-binary-model-quality');
    expect(resource('AWS::CloudWatch::Alarm', 'BinaryQualityAlarm').Properties).toEqual(expect.objectContaining({
      AlarmName: 'mlops-prod-churn-binary-model-quality',
      Namespace: 'aws/sagemaker/Endpoints/model-metrics', MetricName: 'auc', Statistic: 'Minimum', Period: 3600,
      Dimensions: [{ Name: 'Endpoint', Value: 'mlops-prod-endpoint' }, { Name: 'MonitoringSchedule', Value: 'mlops-prod-churn-binary-model-quality' }],
      Threshold: 0.75, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'notBreaching',
    }));
    expect(statements('BinaryRole')).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'cloudwatch:PutMetricData',
        Condition: { StringEquals: { 'cloudwatch:namespace': ['aws/sagemaker/Endpoints/data-metrics', 'aws/sagemaker/Endpoints/model-metrics'] } } }),
      expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['model-monitor/mlops-prod-endpoint/ground-truth/*'] } } }),
    ]));
  });

  test('every option: VPC, volume key, image, overridden locations, sizes, a 6-hourly window, and rmse (higher is worse: Maximum above the threshold)', () => {
    const data = resource('AWS::SageMaker::DataQualityJobDefinition', 'Custom').Properties;
    const quality = resource('AWS::SageMaker::ModelQualityJobDefinition', 'Custom').Properties;
    const groupId = Object.keys(template.findResources('AWS::EC2::SecurityGroup')).find((id) => id.startsWith('CustomSecurityGroup'));
    for (const job of [data, quality]) {
      expect(job.NetworkConfig).toEqual({
        EnableNetworkIsolation: true, EnableInterContainerTrafficEncryption: true,
        VpcConfig: { SecurityGroupIds: [{ 'Fn::GetAtt': [groupId, 'GroupId'] }], Subnets: [{ Ref: expect.stringMatching(/^VpcisoSubnet1/) }, { Ref: expect.stringMatching(/^VpcisoSubnet2/) }] },
      });
      expect(job.JobResources.ClusterConfig.VolumeKmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^VolumeKey/), 'Arn'] });
    }
    expect(data.DataQualityAppSpecification.ImageUri).toBe(IMAGE);
    expect(data.DataQualityBaselineConfig.ConstraintsResource.S3Uri).toBe('s3://baselines-bucket/churn/constraints.json');
    expect(data.JobResources.ClusterConfig).toEqual(expect.objectContaining({ InstanceType: 'ml.m5.2xlarge', InstanceCount: 2, VolumeSizeInGB: 50 }));
    expect(data.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 7200 });
    expect(data.DataQualityJobOutputConfig.MonitoringOutputs[0].S3Output.S3Uri).toEqual(join('s3://', analytics, '/monitoring/churn/mlops-prod-endpoint/reports/data-quality/'));
    expect(quality.ModelQualityJobInput).toEqual({
      EndpointInput: expect.objectContaining({ InferenceAttribute: '0', StartTimeOffset: '-PT48H', EndTimeOffset: '-PT24H' }),
      GroundTruthS3Input: { S3Uri: 's3://labels-bucket/churn/' },
    });
    expect(resource('AWS::EC2::SecurityGroup', 'CustomSecurityGroup').Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ]);
    expect(resource('AWS::CloudWatch::Alarm', 'CustomDriftAlarm').Properties).toEqual(expect.objectContaining({
      Threshold: 0.35, Metrics: expect.arrayContaining([expect.objectContaining({ MetricStat: expect.objectContaining({ Period: 6 * 3600 }) })]),
    }));
    expect(resource('AWS::CloudWatch::Alarm', 'CustomQualityAlarm').Properties).toEqual(expect.objectContaining({
      MetricName: 'rmse', Statistic: 'Maximum', Period: 6 * 3600, Threshold: 12.5, ComparisonOperator: 'GreaterThanThreshold',
    }));
    const s = statements('CustomRole');
    const arn = (path: string) => `arn:aws:s3:::${path}`;
    expect(s).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 's3:GetObject', Resource: expect.arrayContaining([
        arn('baselines-bucket/churn/constraints.json'), arn('baselines-bucket/churn/statistics.json'), arn('labels-bucket/churn/*'),
      ]) }),
      { Effect: 'Allow', Action: 'kms:CreateGrant', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^VolumeKey/), 'Arn'] },
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
      expect.objectContaining({ Action: expect.arrayContaining(['ec2:CreateNetworkInterface']), Resource: '*' }),
    ]));
  });

  test('the grants for the workflows that write baselines and ground truth are exact', () => {
    const s = statements('Trainer');
    const objects = (path: string) => join('arn:aws:s3:::', analytics, path);
    expect(s).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:PutObject'], Resource: expect.arrayContaining([
        objects('/model-monitor/mlops-prod-endpoint/baseline/data-quality/constraints.json'),
        objects('/model-monitor/mlops-prod-endpoint/baseline/data-quality/statistics.json'),
        objects('/model-monitor/mlops-prod-endpoint/ground-truth/*'),
      ]) },
      expect.objectContaining({ Action: expect.arrayContaining(['kms:Encrypt', 'kms:GenerateDataKey']), Resource: lakehouseKeyArn }),
    ]));
    expect(() => churn.grantWriteGroundTruth(trainer)).toThrow(/modelQuality \(undefined\): must be set to use grantWriteGroundTruth/);
  });
});

describe('ModelMonitor metrics', () => {
  test('feature drift, data drift and model quality: namespace, name, dimensions, statistic and period', () => {
    const f = churn.metricFeatureDrift('tenure');
    expect([f.namespace, f.metricName, f.statistic, f.period.toSeconds()]).toEqual(['aws/sagemaker/Endpoints/data-metrics', 'feature_baseline_drift_tenure', 'Maximum', 3600]);
    expect(f.dimensions).toEqual({ Endpoint: 'mlops-prod-endpoint', MonitoringSchedule: 'mlops-prod-churnmonitor-data-quality' });
    const d = churn.metricDataDrift({ period: Duration.hours(2) });
    expect(d.expression).toBe('MAX([m0,m1])');
    expect(d.period.toSeconds()).toBe(7200);
    const q = custom.metricModelQuality();
    expect([q.namespace, q.metricName, q.statistic, q.period.toSeconds()]).toEqual(['aws/sagemaker/Endpoints/model-metrics', 'rmse', 'Average', 3600]);
    expect(q.dimensions).toEqual({ Endpoint: 'mlops-prod-endpoint', MonitoringSchedule: 'mlops-prod-churn-custom-model-quality' });
    expect(custom.metricModelQuality({ qualityMetric: ModelQualityMetric.R2 }).metricName).toBe('r2');
  });

  test('fails when a metric needs model quality that is off, or a feature name is not one', () => {
    expect(() => churn.metricModelQuality()).toThrow(ValidationError);
    expect(() => churn.metricModelQuality()).toThrow(/modelQuality \(undefined\): must be set to use metricModelQuality\(\)/);
    expect(() => churn.metricFeatureDrift('bad feature')).toThrow(/feature \("bad feature"\): must be 1 to 232 letters/);
  });
});

describe('ModelMonitor documented defaults are the ones used', () => {
  const DOCS = documentedDefaults('lib/monitoring/model-monitor-props.ts');

  test('the docs state the values in MODEL_MONITOR_DEFAULTS', () => {
    expect(DOCS.get('MonitoringJobOptions.scheduleExpression')).toBe(`'${MODEL_MONITOR_DEFAULTS.scheduleExpression}'`);
    expect(DOCS.get('MonitoringJobOptions.instanceType')).toBe('MlInstanceType.M5_XLARGE');
    expect(MODEL_MONITOR_DEFAULTS.instanceType).toBe(MonitoringInstanceType.M5_XLARGE);
    expect(DOCS.get('MonitoringJobOptions.instanceCount')).toBe(String(MODEL_MONITOR_DEFAULTS.instanceCount));
    expect(DOCS.get('MonitoringJobOptions.volumeSize')).toBe(`Size.gibibytes(${MODEL_MONITOR_DEFAULTS.volumeSize.toGibibytes()})`);
    expect(DOCS.get('DataQualityMonitorOptions.driftThreshold')).toBe(String(MODEL_MONITOR_DEFAULTS.driftThreshold));
    expect(DOCS.get('DataQualityMonitorOptions.maxRuntime')).toBe(`Duration.hours(${MODEL_MONITOR_DEFAULTS.dataQualityMaxRuntime.toHours()})`);
    expect(DOCS.get('ModelQualityMonitorOptions.maxRuntime')).toBe(`Duration.minutes(${MODEL_MONITOR_DEFAULTS.modelQualityMaxRuntime.toMinutes()})`);
    expect(DOCS.get('ModelQualityMonitorOptions.qualityMetric')).toBe('ModelQualityMetric.AUC for binary, WEIGHTED_F1 for multiclass classification, RMSE for regression');
    expect(MODEL_MONITOR_DEFAULTS.qualityMetric).toEqual({
      BinaryClassification: ModelQualityMetric.AUC, MulticlassClassification: ModelQualityMetric.WEIGHTED_F1, Regression: ModelQualityMetric.RMSE,
    });
    expect(DOCS.get('ModelMonitorProps.zone')).toBe(`LakehouseZone.${MODEL_MONITOR_DEFAULTS.zone.toUpperCase()}`);
    expect(MODEL_MONITOR_DEFAULTS.zone).toBe(LakehouseZone.ANALYTICS);
    expect(DOCS.get('ModelMonitorProps.prefix')).toBe(`'${MODEL_MONITOR_DEFAULTS.prefix}'`);
    expect(DOCS.get('DataQualityMonitorOptions.baselineConstraintsUri')).toBe('`s3://<zone bucket>/<prefix><endpoint name>/baseline/data-quality/constraints.json`');
    expect(DOCS.get('ModelQualityMonitorOptions.groundTruthUri')).toBe('`s3://<zone bucket>/<prefix><endpoint name>/ground-truth/`');
    expect(DOCS.get('ModelMonitorProps.modelQuality')).toBe('no model-quality monitoring');
    expect(DOCS.get('ModelMonitorProps.volumeEncryptionKey')).toBe('the lakehouse key');
  });

  test('a monitor with only required props synthesizes exactly those defaults', () => {
    const job = resource('AWS::SageMaker::DataQualityJobDefinition', 'ChurnMonitor').Properties;
    expect(job.JobResources.ClusterConfig).toEqual(expect.objectContaining({
      InstanceType: MODEL_MONITOR_DEFAULTS.instanceType.name, InstanceCount: MODEL_MONITOR_DEFAULTS.instanceCount, VolumeSizeInGB: 30,
    }));
    expect(job.StoppingCondition).toEqual({ MaxRuntimeInSeconds: MODEL_MONITOR_DEFAULTS.dataQualityMaxRuntime.toSeconds() });
    expect(churn.dataQualityConstraintsUri).toContain(`/${MODEL_MONITOR_DEFAULTS.prefix}mlops-prod-endpoint/baseline/data-quality/constraints.json`);
    expect(churn.reportsUri).toMatch(/\/model-monitor\/mlops-prod-endpoint\/reports\/$/);
    expect(churn.imageUri).toContain('156813124566.dkr.ecr.us-east-1.');
    expect(template.toJSON().Mappings).toBeUndefined(); // a concrete region needs no mapping
  });
});

describe('ModelMonitor analyzer image', () => {
  /** An endpoint as another team's stack might expose it. */
  function importedEndpoint(scope: Construct, captureLocation?: string): IInferenceEndpoint {
    return Object.assign(new Construct(scope, 'Imported'), {
      endpointName: 'churn', endpointArn: 'arn:aws:sagemaker:eu-west-1:123456789012:endpoint/churn', variantNames: ['AllTraffic'], dataCaptureLocation: captureLocation,
    }) as unknown as IInferenceEndpoint;
  }

  test('an environment-agnostic stack looks the registry up in a mapping that lists every region of the SDK table', () => {
    const agnostic = new Stack(testApp(), 'Agnostic');
    const lake = new DataLakehouse(agnostic, 'Lakehouse');
    const ep = importedEndpoint(agnostic, `s3://${lake.zoneBucket(LakehouseZone.RAW).bucketName}/data-capture/churn/`);
    new ModelMonitor(agnostic, 'Monitor', { endpoint: ep, lakehouse: lake, dataQuality: { driftFeatures: ['tenure'] } });
    const t = Template.fromStack(agnostic);
    const mapping = t.toJSON().Mappings.ModelMonitorAnalyzerRegistries;
    expect(Object.keys(mapping)).toHaveLength(22);
    expect(mapping['us-east-1']).toEqual({ account: '156813124566' });
    expect(mapping['cn-north-1']).toEqual({ account: '453000072557' });
    expect(mapping['eu-south-1']).toEqual({ account: '933208885752' });
    t.hasResourceProperties('AWS::SageMaker::DataQualityJobDefinition', { DataQualityAppSpecification: { ImageUri: join(
      { 'Fn::FindInMap': ['ModelMonitorAnalyzerRegistries', { Ref: 'AWS::Region' }, 'account'] }, '.dkr.ecr.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' },
      '/sagemaker-model-monitor-analyzer') } });
  });

  test('fails when the stack\'s region is concrete and not in the table, unless imageUri is set', () => {
    const far = new Stack(testApp(), 'Far', { env: { account: TEST_ENV.account, region: 'eu-central-2' } });
    const lake = new DataLakehouse(far, 'Lakehouse');
    const ep = importedEndpoint(far, `s3://${lake.zoneBucket(LakehouseZone.RAW).bucketName}/data-capture/churn/`);
    const props = { endpoint: ep, lakehouse: lake, dataQuality: { driftFeatures: ['tenure'] } };
    expect(() => new ModelMonitor(far, 'Monitor', props)).toThrow(/imageUri \(undefined\): must be set: the stack's region "eu-central-2" has no sagemaker-model-monitor-analyzer registry/);
    expect(() => new ModelMonitor(far, 'Pinned', { ...props, imageUri: '123456789012.dkr.ecr.eu-central-2.amazonaws.com/analyzer:1' })).not.toThrow();
  });
});
