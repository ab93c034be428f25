import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ValidationError } from '../lib';
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

describe('default app, every environment (-c env=all)', () => {
  let all: { app: App; built: DefaultApp };
  beforeAll(() => { all = synthWithNag(buildDefaultApp, { env: 'all' }); });

  test('cdk.json turns CloudFormation validation findings into errors', () => {
    expect(testApp().node.tryGetContext('@aws-cdk/core:validateAgainstDefaultRules')).toBe(true);
  });

  test('synthesizes dev (the default), staging and prod with zero validation findings and zero unacknowledged cdk-nag findings', () => {
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
    ['multi-environment (prod, account and region pinned)', buildMultiEnvironmentExample, { env: 'prod' }],
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
