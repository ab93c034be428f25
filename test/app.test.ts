import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ValidationError } from '../lib';
import { DefaultApp, buildDefaultApp } from '../bin/main';
import { buildEtlExample } from '../examples/etl-pipeline';
import { buildAbTestExample, buildPromotionExample, buildServerlessExample, buildShadowTestExample } from '../examples/inference';
import { buildLakehouseExample } from '../examples/lakehouse';
import { buildRegistryExample } from '../examples/registry';
import { buildTrainingExample } from '../examples/training';
import { buildTrainingEksExample } from '../examples/training-eks';
import { testApp, validationViolations } from './helpers/app';

// This file synthesizes with aws-cdk-lib's CloudFormation schema validation ON, as `cdk synth` does
// with the project's cdk.json ("@aws-cdk/core:validateAgainstDefaultRules": true makes findings errors).
// Every validated synth of the suite lives here: the validation engine takes seconds to start, once per file.
const saved = process.env.CDK_VALIDATION;
beforeAll(() => { process.env.CDK_VALIDATION = 'true'; });
afterAll(() => { process.env.CDK_VALIDATION = saved; });

/** Builds an app with cdk-nag AwsSolutions registered and synthesizes it (throws on validation errors or unacknowledged findings). */
function synthWithNag<T>(build: (app: App) => T, context: Record<string, unknown> = {}): { app: App; built: T } {
  const app = testApp(context);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const built = build(app);
  app.synth();
  return { app, built };
}

describe('default app (dev, no context)', () => {
  let dev: { app: App; built: DefaultApp };
  beforeAll(() => { dev = synthWithNag(buildDefaultApp); });

  test('cdk.json turns CloudFormation validation findings into errors', () => {
    expect(testApp().node.tryGetContext('@aws-cdk/core:validateAgainstDefaultRules')).toBe(true);
  });

  test('synthesizes with zero CloudFormation validation findings and zero unacknowledged cdk-nag findings', () => {
    expect(validationViolations(dev.app)).toEqual([]);
    expect(dev.built.dataStack.stackName).toBe('mlops-dev-data');
    expect(dev.built.mlStack.stackName).toBe('mlops-dev-ml');
  });

  test('tags every resource with project, environment, owner and cost centre', () => {
    Template.fromStack(dev.built.dataStack).hasResourceProperties('AWS::S3::Bucket', { Tags: [
      { Key: 'CostCenter', Value: 'ml-dev' }, { Key: 'Environment', Value: 'dev' }, { Key: 'Owner', Value: 'ml-platform' }, { Key: 'Project', Value: 'mlops' },
    ] });
  });

  test('includes the lakehouse and a streaming and a batch pipeline into it', () => {
    const t = Template.fromStack(dev.built.dataStack);
    t.resourceCountIs('AWS::S3::Bucket', 4);
    t.resourceCountIs('AWS::Kinesis::Stream', 1);
    t.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
    t.resourceCountIs('AWS::Glue::Job', 1);
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 2 * * ? *)' });
    expect(dev.built.ingest.stream).toBeDefined();
    expect(dev.built.curate.stateMachine).toBeDefined();
  });

  test('includes a model registry and a managed retraining workflow started by the curation pipeline', () => {
    const t = Template.fromStack(dev.built.mlStack);
    t.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 1);
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 2); // retraining and promotion
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 4 ? * SUN *)' });
    // The curation pipeline (data stack) starting retraining (ML stack), through a cross-stack reference.
    const etlTrigger = Object.values(t.findResources('AWS::Events::Rule'))
      .find((r) => JSON.stringify(r.Properties.EventPattern?.detail?.status) === '["SUCCEEDED"]');
    expect(JSON.stringify(etlTrigger?.Properties.EventPattern.detail.stateMachineArn)).toMatch(/mlops-dev-data.*CurateWorkflow/);
    expect(etlTrigger?.Properties.Targets[0].Arn).toEqual({ Ref: expect.stringMatching(/^TrainingWorkflow/) });
    expect(dev.built.registry.hasModel('churn')).toBe(true);
  });

  test('serves the approved model from an SSM-typed parameter behind a canary rollout with alarm-based rollback', () => {
    const t = Template.fromStack(dev.built.servingStack);
    const params = t.toJSON().Parameters as Record<string, { Type: string; Default?: string }>;
    expect(Object.values(params)).toEqual(expect.arrayContaining([
      expect.objectContaining({ Type: 'AWS::SSM::Parameter::Value<String>', Default: '/mlops/dev/models/churn/approved-package-arn' }),
    ]));
    const endpoint = Object.values(t.findResources('AWS::SageMaker::Endpoint'))[0];
    expect(endpoint.Properties.DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.Type).toBe('CANARY');
    const alarms = endpoint.Properties.DeploymentConfig.AutoRollbackConfiguration.Alarms as Array<{ AlarmName: { Ref: string } }>;
    expect(alarms.length).toBeGreaterThanOrEqual(3);
    for (const a of alarms) expect(t.toJSON().Resources[a.AlarmName.Ref].Type).toBe('AWS::CloudWatch::Alarm');
    t.hasResourceProperties('AWS::SageMaker::EndpointConfig', { DataCaptureConfig: Match.objectLike({ InitialSamplingPercentage: 20 }) });
  });

  test('closes the loop: registry approval starts a promotion of this environment', () => {
    const t = Template.fromStack(dev.built.mlStack);
    t.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({
      'detail-type': ['SageMaker Model Package State Change'],
      'detail': Match.objectLike({ ModelApprovalStatus: ['Approved'] }),
    }), Targets: Match.arrayWith([Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('Promotion') } })]) });
    expect(JSON.stringify(t.findResources('AWS::StepFunctions::StateMachine'))).toContain('mlops-dev-serving');
  });

  test('the stacks are environment-agnostic, so synth needs no credentials', () => {
    expect(dev.built.dataStack.environment).toBe('aws://unknown-account/unknown-region');
  });
});

describe('default app in other environments', () => {
  test.each(['staging', 'prod'])('-c env=%s synthesizes with zero validation findings, protected and retained', (env) => {
    const { app, built } = synthWithNag(buildDefaultApp, { env });
    expect(validationViolations(app)).toEqual([]);
    expect(built.dataStack.stackName).toBe(`mlops-${env}-data`);
    expect(built.dataStack.terminationProtection).toBe(true);
    for (const b of Object.values(Template.fromStack(built.dataStack).findResources('AWS::S3::Bucket'))) expect(b.DeletionPolicy).toBe('Retain');
  });

  test('fails when -c env names an unknown environment', () => {
    expect(() => buildDefaultApp(testApp({ env: 'qa' }))).toThrow(ValidationError);
    expect(() => buildDefaultApp(testApp({ env: 'qa' }))).toThrow(/context env \("qa"\): must be one of dev, staging, prod/);
  });

  test('the validation is live: an invalid property fails synth', () => {
    const app: App = testApp();
    const stack = new Stack(app, 'Broken');
    // A bucket policy without its required PolicyDocument: an error-level rule (E3003).
    new CfnResource(stack, 'Bad', { type: 'AWS::S3::BucketPolicy', properties: { Bucket: 'some-bucket' } });
    expect(() => app.synth()).toThrow(/PolicyDocument/);
  });
});

describe('every example', () => {
  test.each([
    ['lakehouse', buildLakehouseExample],
    ['etl-pipeline', buildEtlExample],
    ['registry', buildRegistryExample],
    ['training', buildTrainingExample],
    ['training-eks', buildTrainingEksExample],
    ['inference (A/B test)', buildAbTestExample],
    ['inference (shadow test)', buildShadowTestExample],
    ['inference (serverless)', buildServerlessExample],
    ['inference (promotion)', buildPromotionExample],
  ] as Array<[string, (app: App) => unknown]>)('example %s synthesizes with zero validation findings and zero unacknowledged cdk-nag findings', (_, build) => {
    const { app } = synthWithNag(build);
    expect(validationViolations(app)).toEqual([]);
  });
});
