import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ALLOW_DESTROY_CONTEXT, Profiles } from '../../lib';
import { DeploymentStrategy, InferenceEndpoint, InferenceInstanceType, ModelSource } from '../../lib/inference';
import { testStack } from '../helpers/app';
import { buildEndpoint, lakehouseIn, only, registryIn } from './helpers';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:' + 'a'.repeat(64);

// A default endpoint (prod profile) and one A/B endpoint with every option, each synthesized once.
const base = buildEndpoint();
const invoker = new iam.Role(base.stack, 'Invoker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
base.endpoint.grantInvoke(invoker);

const fullStack = testStack({ profile: Profiles.STAGING });
const registry = registryIn(fullStack);
const lakehouse = lakehouseIn(fullStack);
const extraAlarm = new cloudwatch.Alarm(fullStack, 'BusinessAlarm', {
  metric: new cloudwatch.Metric({ namespace: 'Acme', metricName: 'Conversions' }), threshold: 1, evaluationPeriods: 1,
});
const full = new InferenceEndpoint(fullStack, 'Ab', {
  model: ModelSource.fromRegistry(registry, 'churn'),
  variants: [
    { name: 'Champion', weight: 3, instanceType: InferenceInstanceType.M5_XLARGE, initialInstanceCount: 2,
      autoScaling: { minCapacity: 2, maxCapacity: 6, targetInvocationsPerInstance: 250, scaleInCooldown: Duration.minutes(3), scaleOutCooldown: Duration.seconds(30) } },
    { name: 'Challenger', weight: 1, model: ModelSource.fromImage(IMAGE, 's3://models-bucket/churn/model.tar.gz'), autoScaling: false, initialInstanceCount: 2 },
  ],
  shadowVariant: { name: 'Shadow', weight: 1, autoScaling: false, initialInstanceCount: 2 },
  dataCapture: { lakehouse, samplingPercentage: 25, prefix: 'capture/' },
  deployment: DeploymentStrategy.linear({ stepSize: { type: 'INSTANCE_COUNT', value: 1 }, wait: Duration.minutes(2), maximumExecutionTimeout: Duration.hours(1) }),
  additionalRollbackAlarms: [extraAlarm],
  rollbackAlarms: { invocation5xxErrors: 1, modelLatencyP99: Duration.millis(250), modelErrors: 2, evaluationPeriods: 3 },
});
const fullTemplate = Template.fromStack(fullStack);

describe('InferenceEndpoint model source', () => {
  test('serves the approved package ARN read from SSM by CloudFormation at deploy time (no synth-time lookup)', () => {
    const t = base.template;
    const params = t.findParameters('*', { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/mlops/prod/models/churn/approved-package-arn' });
    const ids = Object.keys(params);
    expect(ids).toHaveLength(1);
    t.hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: { ModelPackageName: { Ref: ids[0] } } });
    expect(JSON.stringify(t.toJSON())).not.toMatch(/ssm:GetParameter|Custom::AWS/);
  });

  test('an explicit image and model data source is supported', () => {
    fullTemplate.hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: { Image: IMAGE, ModelDataUrl: 's3://models-bucket/churn/model.tar.gz' } });
  });

  test('the model role may read the registry model package, its artifacts and pull its images', () => {
    const policies = JSON.stringify(base.template.findResources('AWS::IAM::Policy'));
    for (const action of ['sagemaker:DescribeModelPackage', 's3:GetObject', 'ecr:BatchGetImage', 'kms:Decrypt']) expect(policies).toContain(action);
  });

  test('models and endpoint config have no fixed names (create before delete on every update); the model waits for its role policy', () => {
    for (const t of [base.template, fullTemplate]) {
      for (const m of Object.values(t.findResources('AWS::SageMaker::Model'))) {
        expect(m.Properties.ModelName).toBeUndefined();
        expect(m.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/RoleDefaultPolicy/)]));
      }
      for (const c of Object.values(t.findResources('AWS::SageMaker::EndpointConfig'))) expect(c.Properties.EndpointConfigName).toBeUndefined();
    }
  });
});

describe('InferenceEndpoint variants', () => {
  test('default: one ml.m5.large variant AllTraffic, two instances in prod', () => {
    const config = only(base.template, 'AWS::SageMaker::EndpointConfig').Properties;
    expect(config.ProductionVariants).toEqual([expect.objectContaining({
      VariantName: 'AllTraffic', InstanceType: 'ml.m5.large', InitialInstanceCount: 2, InitialVariantWeight: 1,
    })]);
    expect(base.endpoint.variantNames).toEqual(['AllTraffic']);
  });

  test('A/B weights, a model per variant, and a shadow variant', () => {
    const config = only(fullTemplate, 'AWS::SageMaker::EndpointConfig').Properties;
    expect(config.ProductionVariants.map((v: Record<string, unknown>) => [v.VariantName, v.InitialVariantWeight, v.InstanceType, v.InitialInstanceCount])).toEqual([
      ['Champion', 3, 'ml.m5.xlarge', 2], ['Challenger', 1, 'ml.m5.large', 2],
    ]);
    expect(config.ShadowProductionVariants).toEqual([expect.objectContaining({ VariantName: 'Shadow', InitialVariantWeight: 1 })]);
    fullTemplate.resourceCountIs('AWS::SageMaker::Model', 3);
    expect(full.variantNames).toEqual(['Champion', 'Challenger', 'Shadow']);
  });

  test('serverless variants carry memory and concurrency, no instances and no volume key', () => {
    const { template } = buildEndpoint(() => ({ variants: [{ serverless: { memorySizeMiB: 3072, maxConcurrency: 20, provisionedConcurrency: 2 } }] }));
    const config = only(template, 'AWS::SageMaker::EndpointConfig').Properties;
    expect(config.ProductionVariants).toEqual([{
      VariantName: 'AllTraffic', InitialVariantWeight: 1, ModelName: expect.anything(),
      ServerlessConfig: { MemorySizeInMB: 3072, MaxConcurrency: 20, ProvisionedConcurrency: 2 },
    }]);
    expect(config.KmsKeyId).toBeUndefined();
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.hasResourceProperties('AWS::SageMaker::Model', { EnableNetworkIsolation: false, VpcConfig: Match.absent() });
  });

  test('serverless endpoints get no deployment config or rollback alarms (SageMaker applies guardrails only to real-time and async endpoints)', () => {
    const { template, endpoint } = buildEndpoint(() => ({ variants: [{ serverless: { memorySizeMiB: 1024, maxConcurrency: 1 } }] }));
    expect(only(template, 'AWS::SageMaker::Endpoint').Properties.DeploymentConfig).toBeUndefined();
    // The stack's EventDeadLetters (key, queue, alarm) belong to the registry's rules in the same test stack (issue 16).
    const own = (type: string) => Object.keys(template.findResources(type)).filter((id) => !id.startsWith('EventDeadLetters'));
    expect(own('AWS::CloudWatch::Alarm')).toEqual([]);
    expect(endpoint.rollbackAlarms).toEqual([]);
    expect(endpoint.deployment).toBeUndefined();
    expect(own('AWS::KMS::Key')).toHaveLength(1);
    expect(endpoint.encryptionKey).toBeUndefined();
  });

  test('asynchronous inference writes to an encrypted bucket prefix and notifies encrypted success and error topics', () => {
    const { template, endpoint, stack } = buildEndpoint((s) => ({
      asyncInference: { bucket: new s3.Bucket(s.stack, 'Results', { encryption: s3.BucketEncryption.KMS }), maxConcurrentInvocationsPerInstance: 4 },
    }));
    const config = only(template, 'AWS::SageMaker::EndpointConfig').Properties.AsyncInferenceConfig;
    const resolved = JSON.stringify(stack.resolve(config));
    expect(resolved).toContain('/async-inference/mlops-prod-endpoint/output');
    expect(resolved).toContain('/async-inference/mlops-prod-endpoint/failures');
    expect(config.ClientConfig).toEqual({ MaxConcurrentInvocationsPerInstance: 4 });
    expect(config.OutputConfig.KmsKeyId['Fn::GetAtt'][0]).toMatch(/^ResultsKey/);
    expect(config.OutputConfig.NotificationConfig).toEqual({ SuccessTopic: { Ref: expect.stringMatching(/AsyncSuccessTopic/) }, ErrorTopic: { Ref: expect.stringMatching(/AsyncErrorTopic/) } });
    template.resourceCountIs('AWS::SNS::Topic', 2);
    for (const topic of Object.values(template.findResources('AWS::SNS::Topic'))) expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    expect(endpoint.asyncSuccessTopic).toBeDefined();
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain('sns:Publish');
  });
});

describe('InferenceEndpoint autoscaling', () => {
  test('prod default: target tracking on invocations per instance, min 2 (at least two instances), max 8, profile cooldowns', () => {
    base.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'sagemaker', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      ResourceId: 'endpoint/mlops-prod-endpoint/variant/AllTraffic', MinCapacity: 2, MaxCapacity: 8,
    });
    base.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
        TargetValue: 100, ScaleInCooldown: 600, ScaleOutCooldown: 60,
      },
    });
  });

  test('explicit capacity and cooldowns per variant; autoScaling false and shadow variants are not scaled', () => {
    fullTemplate.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 1);
    fullTemplate.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { ResourceId: 'endpoint/mlops-staging-ab/variant/Champion', MinCapacity: 2, MaxCapacity: 6 });
    fullTemplate.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: Match.objectLike({
      TargetValue: 250, ScaleInCooldown: 180, ScaleOutCooldown: 30,
    }) });
  });

  test('dev and staging start with one instance', () => {
    for (const profile of [Profiles.DEV, Profiles.STAGING]) {
      const { template } = buildEndpoint(() => ({}), { profile, context: { [ALLOW_DESTROY_CONTEXT]: true } });
      expect(only(template, 'AWS::SageMaker::EndpointConfig').Properties.ProductionVariants[0].InitialInstanceCount).toBe(1);
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: profile === Profiles.DEV ? 2 : 4 });
    }
  });
});

describe('InferenceEndpoint data capture', () => {
  test('captures requests and responses into the lakehouse zone prefix with the lakehouse key, sampling from props', () => {
    const config = only(fullTemplate, 'AWS::SageMaker::EndpointConfig').Properties.DataCaptureConfig;
    expect(config).toEqual({
      EnableCapture: true, InitialSamplingPercentage: 25,
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'], JsonContentTypes: ['application/json'] },
      DestinationS3Uri: { 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^LakehouseRawBucket/) }, '/capture']] },
      KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^LakehouseKey/), 'Arn'] },
    });
    expect(fullStack.resolve(full.dataCaptureLocation)).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^LakehouseRawBucket/) }, '/capture/mlops-staging-ab/']] });
    expect(base.endpoint.dataCaptureLocation).toBeUndefined();
  });

  test('the model role may write (not read or delete) under the capture prefix only', () => {
    const statements = Object.values(fullTemplate.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const capture = statements.find((s: Record<string, unknown>) => JSON.stringify(s.Resource).includes('/capture/*'));
    expect([...capture.Action].sort()).toEqual(['s3:AbortMultipartUpload', 's3:PutObject']);
  });
});

describe('InferenceEndpoint network and encryption', () => {
  test('creates an isolated VPC with the runtime, ECR, logs and monitoring endpoints and an S3 gateway; models run in it, isolated', () => {
    const t = base.template;
    t.resourceCountIs('AWS::EC2::VPC', 1);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::InternetGateway', 0);
    t.resourceCountIs('AWS::EC2::FlowLog', 1);
    const services = Object.values(t.findResources('AWS::EC2::VPCEndpoint')).map((e) => JSON.stringify(e.Properties.ServiceName));
    for (const s of ['sagemaker.runtime', 'ecr.api', 'ecr.dkr', '.logs', '.monitoring', '.s3']) expect(services.some((n) => n.includes(s))).toBe(true);
    t.hasResourceProperties('AWS::SageMaker::Model', {
      EnableNetworkIsolation: true,
      VpcConfig: { Subnets: Match.anyValue(), SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('ModelSecurityGroup'), 'GroupId'] }] },
    });
  });

  test('uses a given VPC, subnets and security groups instead', () => {
    const { template } = buildEndpoint((s) => {
      const vpc = new ec2.Vpc(s.stack, 'Shared', { natGateways: 0, subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      return { vpc, securityGroups: [new ec2.SecurityGroup(s.stack, 'Sg', { vpc })] };
    });
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.hasResourceProperties('AWS::SageMaker::Model', { VpcConfig: { SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Sg'), 'GroupId'] }], Subnets: Match.anyValue() } });
  });

  test('the endpoint config encrypts volumes with the endpoint key (rotating); instance-storage families omit it', () => {
    const config = only(base.template, 'AWS::SageMaker::EndpointConfig').Properties;
    expect(config.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^EndpointKey/), 'Arn'] });
    base.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const { template } = buildEndpoint(() => ({ variants: [{ instanceType: InferenceInstanceType.G5_XLARGE }] }));
    expect(only(template, 'AWS::SageMaker::EndpointConfig').Properties.KmsKeyId).toBeUndefined();
  });
});

describe('InferenceEndpoint deployment guardrails', () => {
  test('default on two instances (prod): blue/green canary of one instance (at most half the fleet), 5 minute bake, auto-rollback on the three alarms it creates', () => {
    const endpoint = only(base.template, 'AWS::SageMaker::Endpoint');
    expect(endpoint.Properties.EndpointName).toBe('mlops-prod-endpoint');
    expect(endpoint.Properties.DeploymentConfig.BlueGreenUpdatePolicy).toEqual({
      TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'INSTANCE_COUNT', Value: 1 }, WaitIntervalInSeconds: 300 },
      TerminationWaitInSeconds: 300,
    });
    expect(endpoint.Properties.DeploymentConfig.AutoRollbackConfiguration.Alarms).toHaveLength(3);
  });

  test.each([base, { template: fullTemplate }])('every alarm named in the auto-rollback configuration exists in the template', ({ template }) => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    const named = only(template, 'AWS::SageMaker::Endpoint').Properties.DeploymentConfig.AutoRollbackConfiguration.Alarms as Array<{ AlarmName: { Ref: string } }>;
    expect(named.length).toBeGreaterThan(0);
    for (const a of named) expect(Object.keys(alarms)).toContain(a.AlarmName.Ref);
  });

  test('alarms watch 5xx, p99 model latency and model errors with endpoint and variant dimensions', () => {
    const alarms = Object.values(base.template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const dims = [{ Name: 'EndpointName', Value: 'mlops-prod-endpoint' }, { Name: 'VariantName', Value: 'AllTraffic' }];
    expect(alarms).toEqual(expect.arrayContaining([
      expect.objectContaining({ MetricName: 'Invocation5XXErrors', Namespace: 'AWS/SageMaker', Statistic: 'Sum', Threshold: 5, Dimensions: dims, Period: 60, EvaluationPeriods: 2 }),
      expect.objectContaining({ MetricName: 'ModelLatency', ExtendedStatistic: 'p99', Threshold: 1_000_000, Dimensions: dims }),
      expect.objectContaining({ MetricName: 'InvocationModelErrors', Statistic: 'Sum', Threshold: 5, Dimensions: dims }),
    ]));
    for (const a of alarms) expect(a.AlarmName).toBeUndefined();
  });

  test('with several variants the alarms combine every production variant, with the given thresholds, plus the alarms passed in', () => {
    const endpoint = only(fullTemplate, 'AWS::SageMaker::Endpoint').Properties.DeploymentConfig;
    expect(endpoint.BlueGreenUpdatePolicy).toEqual({
      TrafficRoutingConfiguration: { Type: 'LINEAR', LinearStepSize: { Type: 'INSTANCE_COUNT', Value: 1 }, WaitIntervalInSeconds: 120 },
      TerminationWaitInSeconds: 300, MaximumExecutionTimeoutInSeconds: 3600,
    });
    expect(endpoint.AutoRollbackConfiguration.Alarms).toHaveLength(4);
    expect(endpoint.AutoRollbackConfiguration.Alarms[3]).toEqual({ AlarmName: { Ref: expect.stringMatching(/^BusinessAlarm/) } });
    const alarms = Object.values(fullTemplate.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties).filter((a) => a.Metrics);
    expect(alarms.map((a) => [a.Metrics[0].Expression, a.Threshold, a.EvaluationPeriods])).toEqual([
      ['SUM([v0,v1])', 1, 3], ['MAX([v0,v1])', 250_000, 3], ['SUM([v0,v1])', 2, 3],
    ]);
    expect(JSON.stringify(alarms)).not.toContain('Shadow');
  });

  test('rolling updates for large fleets', () => {
    const { template } = buildEndpoint(() => ({ deployment: DeploymentStrategy.rolling({ maximumBatchSize: { type: 'INSTANCE_COUNT', value: 2 }, rollbackMaximumBatchSize: { type: 'CAPACITY_PERCENT', value: 100 } }) }));
    const config = only(template, 'AWS::SageMaker::Endpoint').Properties.DeploymentConfig;
    expect(config.BlueGreenUpdatePolicy).toBeUndefined();
    expect(config.RollingUpdatePolicy).toEqual({
      MaximumBatchSize: { Type: 'INSTANCE_COUNT', Value: 2 }, WaitIntervalInSeconds: 300,
      RollbackMaximumBatchSize: { Type: 'CAPACITY_PERCENT', Value: 100 },
    });
  });

  test('all at once with a bake time', () => {
    const { template } = buildEndpoint(() => ({ deployment: DeploymentStrategy.allAtOnce({ wait: Duration.minutes(15), terminationWait: Duration.minutes(1) }) }));
    expect(only(template, 'AWS::SageMaker::Endpoint').Properties.DeploymentConfig.BlueGreenUpdatePolicy).toEqual({
      TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 900 }, TerminationWaitInSeconds: 60,
    });
  });
});

describe('InferenceEndpoint metrics and grants', () => {
  const e = base.endpoint;
  const dims = { EndpointName: 'mlops-prod-endpoint', VariantName: 'AllTraffic' };
  test.each([
    ['metricInvocations', 'AWS/SageMaker', 'Invocations', 'Sum', 1],
    ['metricLatency', 'AWS/SageMaker', 'ModelLatency', 'p99', 1],
    ['metric5xx', 'AWS/SageMaker', 'Invocation5XXErrors', 'Sum', 1],
    ['metric4xx', 'AWS/SageMaker', 'Invocation4XXErrors', 'Sum', 1],
    ['metricModelErrors', 'AWS/SageMaker', 'InvocationModelErrors', 'Sum', 1],
    ['metricCpuUtilization', '/aws/sagemaker/Endpoints', 'CPUUtilization', 'Average', 5],
    ['metricMemoryUtilization', '/aws/sagemaker/Endpoints', 'MemoryUtilization', 'Average', 5],
    ['metricGpuUtilization', '/aws/sagemaker/Endpoints', 'GPUUtilization', 'Average', 5],
    ['metricDiskUtilization', '/aws/sagemaker/Endpoints', 'DiskUtilization', 'Average', 5],
  ] as const)('%s: %s %s, %s over %p minute(s), per variant', (method, namespace, metricName, statistic, minutes) => {
    const m = e[method]();
    expect([m.namespace, m.metricName, m.statistic, m.period.toMinutes(), m.dimensions]).toEqual([namespace, metricName, statistic, minutes, dims]);
    expect(e[method]({ variantName: 'B', statistic: 'Average' }).dimensions).toEqual({ ...dims, VariantName: 'B' });
  });

  test('grantInvoke allows invoking this endpoint only', () => {
    const t = base.template;
    const statements = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('Invoker'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([expect.objectContaining({
      Effect: 'Allow',
      Action: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync', 'sagemaker:InvokeEndpointWithResponseStream'],
      // Formatted from the name: the endpoint is conditional on an approved version, so no GetAtt (item 1).
      Resource: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/mlops-prod-endpoint',
    })]);
    expect(Stack.of(e).resolve(e.endpointArn)).toBe('arn:aws:sagemaker:us-east-1:123456789012:endpoint/mlops-prod-endpoint');
  });
});
