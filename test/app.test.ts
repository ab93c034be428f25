import * as fs from 'fs';
import * as path from 'path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Template } from 'aws-cdk-lib/assertions';
import { ValidationError } from '../lib';
import { buildDefaultApp } from '../bin/main';
import { testApp } from './helpers/app';

// This file synthesizes with aws-cdk-lib's CloudFormation schema validation ON, as `cdk synth` does
// with the project's cdk.json ("@aws-cdk/core:validateAgainstDefaultRules": true makes findings errors).
const saved = process.env.CDK_VALIDATION;
beforeAll(() => { process.env.CDK_VALIDATION = 'true'; });
afterAll(() => { process.env.CDK_VALIDATION = saved; });

/** Violations (errors and warnings) that plugins other than construct annotations reported for a synthesized app. */
function validationViolations(app: App): string[] {
  const file = path.join(app.outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as { pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; description: string }> }> };
  return report.pluginReports
    .filter((r) => r.pluginName !== 'Construct Annotations')
    .flatMap((r) => r.violations.map((v) => `${r.pluginName}: ${v.ruleName} ${v.description}`));
}

describe('default app', () => {
  test('cdk.json turns CloudFormation validation findings into errors', () => {
    expect(testApp().node.tryGetContext('@aws-cdk/core:validateAgainstDefaultRules')).toBe(true);
  });

  test('with no context it synthesizes the dev environment with zero validation errors', () => {
    const { app, dataStack } = buildDefaultApp(testApp());
    expect(() => app.synth()).not.toThrow();
    expect(validationViolations(app)).toEqual([]);
    expect(dataStack.stackName).toBe('mlops-dev-data');
    const t = Template.fromStack(dataStack);
    t.resourceCountIs('AWS::S3::Bucket', 4);
    t.hasResourceProperties('AWS::S3::Bucket', { Tags: [
      { Key: 'CostCenter', Value: 'ml-dev' }, { Key: 'Environment', Value: 'dev' }, { Key: 'Owner', Value: 'ml-platform' }, { Key: 'Project', Value: 'mlops' },
    ] });
  });

  test('includes a streaming and a batch pipeline into the lakehouse', () => {
    const { dataStack, ingest, curate } = buildDefaultApp(testApp());
    const t = Template.fromStack(dataStack);
    t.resourceCountIs('AWS::Kinesis::Stream', 1);
    t.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
    t.resourceCountIs('AWS::Glue::Job', 1);
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 2 * * ? *)' });
    expect(ingest.stream).toBeDefined();
    expect(curate.stateMachine).toBeDefined();
  });

  test('includes a model registry and a managed retraining workflow started by the curation pipeline', () => {
    const { mlStack, training, registry } = buildDefaultApp(testApp());
    const t = Template.fromStack(mlStack);
    t.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 1);
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 4 ? * SUN *)' });
    // The curation pipeline (data stack) starting retraining (ML stack), through a cross-stack reference.
    const etlTrigger = Object.values(t.findResources('AWS::Events::Rule'))
      .find((r) => JSON.stringify(r.Properties.EventPattern?.detail?.status) === '["SUCCEEDED"]');
    expect(JSON.stringify(etlTrigger?.Properties.EventPattern.detail.stateMachineArn)).toMatch(/mlops-dev-data.*CurateWorkflow/);
    expect(etlTrigger?.Properties.Targets[0].Arn).toEqual({ Ref: expect.stringMatching(/^TrainingWorkflow/) });
    expect(registry.hasModel('churn')).toBe(true);
    expect(training.stateMachine).toBeDefined();
  });

  test('cdk-nag AwsSolutions reports zero unacknowledged findings on the whole default app', () => {
    const app = testApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    buildDefaultApp(app);
    expect(() => app.synth()).not.toThrow();
  });

  test.each(['staging', 'prod'])('-c env=%s synthesizes with zero validation errors', (env) => {
    const { app, dataStack } = buildDefaultApp(testApp({ env }));
    expect(() => app.synth()).not.toThrow();
    expect(validationViolations(app)).toEqual([]);
    expect(dataStack.stackName).toBe(`mlops-${env}-data`);
    expect(dataStack.terminationProtection).toBe(true);
    const buckets = Object.values(Template.fromStack(dataStack).findResources('AWS::S3::Bucket'));
    for (const b of buckets) expect(b.DeletionPolicy).toBe('Retain');
  });

  test('the stacks are environment-agnostic, so synth needs no credentials', () => {
    const { dataStack } = buildDefaultApp(testApp());
    expect(dataStack.environment).toBe('aws://unknown-account/unknown-region');
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
