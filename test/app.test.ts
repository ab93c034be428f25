import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PlatformStage, ValidationError } from '../lib';
import { DefaultApp, buildDefaultApp } from '../bin/main';
import { buildEtlExample } from '../examples/etl-pipeline';
import { buildAbTestExample, buildPromotionExample, buildServerlessExample, buildShadowTestExample } from '../examples/inference';
import { buildLakehouseExample } from '../examples/lakehouse';
import { buildRegistryExample } from '../examples/registry';
import { buildTrainingExample } from '../examples/training';
import { buildTrainingEksExample } from '../examples/training-eks';
import { buildQuickstart } from '../examples/quickstart';
import { buildMultiEnvironmentExample } from '../examples/multi-environment';
import { buildByoVpcExample } from '../examples/byo-vpc';
import { normalizedTemplate, testApp, validationViolations } from './helpers/app';
import { platformStacks } from './helpers/platform';

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
  let stage: PlatformStage;
  beforeAll(() => {
    dev = synthWithNag(buildDefaultApp);
    stage = dev.built.stages.get('dev')!;
  });

  test('cdk.json turns CloudFormation validation findings into errors', () => {
    expect(testApp().node.tryGetContext('@aws-cdk/core:validateAgainstDefaultRules')).toBe(true);
  });

  test('builds only the dev stage, with stacks split by lifecycle, and zero validation or cdk-nag findings', () => {
    expect(validationViolations(dev.app)).toEqual([]);
    expect([...dev.built.stages.keys()]).toEqual(['dev']);
    expect(platformStacks(stage).map((s) => s.stackName)).toEqual(['mlops-dev-data', 'mlops-dev-ml', 'mlops-dev-serving', 'mlops-dev-monitoring']);
  });

  test('tags every resource with project, environment, owner and cost centre', () => {
    Template.fromStack(stage.dataStack).hasResourceProperties('AWS::S3::Bucket', { Tags: [
      { Key: 'CostCenter', Value: 'ml-dev' }, { Key: 'Environment', Value: 'dev' }, { Key: 'Owner', Value: 'ml-platform' }, { Key: 'Project', Value: 'mlops' },
    ] });
  });

  test('the data stack holds the lakehouse and a streaming and a batch pipeline into it', () => {
    const t = Template.fromStack(stage.dataStack);
    t.resourceCountIs('AWS::S3::Bucket', 4);
    t.resourceCountIs('AWS::Kinesis::Stream', 1);
    t.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
    t.resourceCountIs('AWS::Glue::Job', 1);
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 2 * * ? *)' });
  });

  test('the stacks are environment-agnostic, so synth needs no credentials', () => {
    expect(stage.dataStack.environment).toBe('aws://unknown-account/unknown-region');
  });
});

describe('default app, every environment (-c env=all)', () => {
  let all: { app: App; built: DefaultApp };
  beforeAll(() => { all = synthWithNag(buildDefaultApp, { env: 'all' }); });

  test('synthesizes dev, staging and prod with zero validation findings and zero unacknowledged cdk-nag findings', () => {
    expect(validationViolations(all.app)).toEqual([]);
    expect([...all.built.stages.keys()]).toEqual(['dev', 'staging', 'prod']);
  });

  test.each(['staging', 'prod'] as const)('%s is protected and retains its data', (env) => {
    const stage = all.built.stages.get(env)!;
    for (const s of platformStacks(stage)) expect(s.terminationProtection).toBe(true);
    for (const b of Object.values(Template.fromStack(stage.dataStack).findResources('AWS::S3::Bucket'))) expect(b.DeletionPolicy).toBe('Retain');
  });

  test.each(['dev', 'staging', 'prod'] as const)('%s stacks match their snapshots', (env) => {
    for (const s of platformStacks(all.built.stages.get(env)!)) expect(normalizedTemplate(s)).toMatchSnapshot(s.stackName);
  });
});

describe('default app selection', () => {
  test('fails when -c env names an unknown environment', () => {
    expect(() => buildDefaultApp(testApp({ env: 'qa' }))).toThrow(ValidationError);
    expect(() => buildDefaultApp(testApp({ env: 'qa' }))).toThrow(/context env \("qa"\): must be all, or one or more of dev, staging, prod/);
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
    ['quickstart', buildQuickstart, {}],
    ['multi-environment (all environments)', buildMultiEnvironmentExample, { env: 'all' }],
    ['bring your own VPC', buildByoVpcExample, {}],
    ['lakehouse', buildLakehouseExample, {}],
    ['etl-pipeline', buildEtlExample, {}],
    ['registry', buildRegistryExample, {}],
    ['training', buildTrainingExample, {}],
    ['training-eks', buildTrainingEksExample, {}],
    ['inference (A/B test)', buildAbTestExample, {}],
    ['inference (shadow test)', buildShadowTestExample, {}],
    ['inference (serverless)', buildServerlessExample, {}],
    ['inference (promotion)', buildPromotionExample, {}],
  ] as Array<[string, (app: App) => unknown, Record<string, unknown>]>)('example %s synthesizes with zero validation findings and zero unacknowledged cdk-nag findings', (_, build, context) => {
    const { app } = synthWithNag(build, context);
    expect(validationViolations(app)).toEqual([]);
  });
});
