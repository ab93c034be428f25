import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PlatformStage, ValidationError } from '../lib';
import { DefaultApp, buildDefaultApp } from '../bin/main';
import { buildEtlExample } from '../examples/etl-pipeline';
import { buildAbTestExample, buildPromotionExample, buildServerlessExample, buildShadowTestExample } from '../examples/inference';
import { buildLakehouseExample } from '../examples/lakehouse';
import { PROMOTION_ACCOUNT, buildRegistryExample } from '../examples/registry';
import { buildTrainingExample } from '../examples/training';
import { buildTrainingEksExample } from '../examples/training-eks';
import { buildQuickstart } from '../examples/quickstart';
import { buildMultiEnvironmentExample } from '../examples/multi-environment';
import { buildByoVpcExample } from '../examples/byo-vpc';
import { missingContext } from './helpers/offline';
import { SKIP_BUNDLING, normalizedTemplate, testApp, validationViolations, buildValidationEngineOnce } from './helpers/app';
import { platformStacks } from './helpers/platform';
import { expectEveryTargetDelivered } from './helpers/events';
import { describeLoop } from './platform/loop';
import { describeMultiAccountExample } from './platform/multi-account';
import { describePipelineExample } from './pipeline/example';

// This file synthesizes with aws-cdk-lib's CloudFormation schema validation ON, as `cdk synth` does
// with the project's cdk.json ("@aws-cdk/core:validateAgainstDefaultRules": true makes findings errors).
// Every validated synth of the suite lives here: the validation engine takes seconds to start, once per file.
// The multi-account and pipeline examples keep their tests in test/platform/multi-account.ts and
// test/pipeline/example.ts; they run here.
const saved = process.env.CDK_VALIDATION;
beforeAll(() => { process.env.CDK_VALIDATION = 'true'; buildValidationEngineOnce(); });
afterAll(() => { process.env.CDK_VALIDATION = saved; });

/** Builds an app with cdk-nag AwsSolutions registered and synthesizes it (throws on validation errors or unacknowledged findings). */
// Bundling is skipped: examples/etl-pipeline.ts is bundled for real (esbuild, no Docker) in test/etl.
function synthWithNag<T>(build: (app: App) => T, context: Record<string, unknown> = {}): { app: App; built: T } {
  const app = testApp({ ...SKIP_BUNDLING, ...context });
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

  // Issue 16, "No event is lost" (the dev and prod selections are checked in test/core/event-delivery.test.ts).
  test('every EventBridge rule target is delivered reliably', () => {
    let targetsSeen = 0;
    for (const stage of all.built.stages.values()) {
      for (const s of platformStacks(stage)) {
        const t = Template.fromStack(s);
        const hasTopic = Object.keys(t.findResources('AWS::SNS::Topic')).length > 0;
        targetsSeen += expectEveryTargetDelivered(t, s.stackName, hasTopic || stage.mlStacks.includes(s));
      }
    }
    expect(targetsSeen).toBeGreaterThan(0);
  });

  describeLoop(() => all.built.stages);
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
  // Built once each, with validation and cdk-nag; the example-specific assertions read the same synth.
  const EXAMPLES: Record<string, [(app: App) => unknown, Record<string, unknown>]> = {
    'quickstart': [buildQuickstart, {}],
    'multi-environment (prod, account and region pinned)': [buildMultiEnvironmentExample, { env: 'prod' }],
    'bring your own VPC': [buildByoVpcExample, {}],
    'lakehouse': [buildLakehouseExample, {}],
    'etl-pipeline': [buildEtlExample, {}],
    'registry': [buildRegistryExample, {}],
    'training': [buildTrainingExample, {}],
    'training-eks': [buildTrainingEksExample, {}],
    'inference (A/B test)': [buildAbTestExample, {}],
    'inference (shadow test)': [buildShadowTestExample, {}],
    'inference (serverless)': [buildServerlessExample, {}],
    'inference (promotion)': [buildPromotionExample, {}],
  };
  const built = new Map<string, { app: App; built: unknown }>();
  beforeAll(() => {
    for (const [name, [build, context]] of Object.entries(EXAMPLES)) built.set(name, synthWithNag(build, context));
  });
  const template = (name: string) => Template.fromStack(built.get(name)!.built as Stack);

  test.each(Object.keys(EXAMPLES))('example %s needs no context lookup (synthesizes offline, without credentials)', (name) => {
    expect(missingContext(built.get(name)!.app)).toEqual([]);
  });

  test.each(Object.keys(EXAMPLES))('example %s synthesizes with zero validation findings and zero unacknowledged cdk-nag findings', (name) => {
    expect(validationViolations(built.get(name)!.app)).toEqual([]);
  });

  test('lakehouse: Object Lock on raw, two tables, Lake Formation grants, a named workgroup', () => {
    const t = template('lakehouse');
    t.hasResourceProperties('AWS::S3::Bucket', { ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } } } });
    t.resourceCountIs('AWS::Glue::Table', 2);
    t.resourceCountIs('AWS::LakeFormation::PrincipalPermissions', 5);
    t.hasResourceProperties('AWS::Athena::WorkGroup', { Name: 'acme-staging-retail' });
  });

  test('registry: two groups, MLflow, two repositories, cross-account read of inference images', () => {
    const t = template('registry');
    t.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 2);
    t.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', { ModelPackageGroupName: 'acme-staging-churn', ModelPackageGroupDescription: 'Monthly churn propensity' });
    t.resourceCountIs('AWS::SageMaker::MlflowTrackingServer', 1);
    t.resourceCountIs('AWS::ECR::Repository', 2);
    t.resourceCountIs('AWS::Events::Rule', 3);
    const inference = Object.values(t.findResources('AWS::ECR::Repository')).find((r) => r.Properties.RepositoryName === 'acme-staging-inference')!;
    expect(JSON.stringify(inference.Properties.RepositoryPolicyText)).toContain(`:iam::${PROMOTION_ACCOUNT}:root`);
  });

  test('A/B test: two registry models share traffic 80/20 with 10% capture and a 25% canary', () => {
    const t = template('inference (A/B test)');
    const config = Object.values(t.findResources('AWS::SageMaker::EndpointConfig'))[0].Properties;
    expect(config.ProductionVariants.map((v: Record<string, unknown>) => [v.VariantName, v.InitialVariantWeight])).toEqual([['Champion', 80], ['Challenger', 20]]);
    expect(config.DataCaptureConfig.InitialSamplingPercentage).toBe(10);
    expect(Object.keys(t.findParameters('*', { Type: 'AWS::SSM::Parameter::Value<String>' })).filter((k) => k.startsWith('Churn'))).toHaveLength(2);
    t.hasResourceProperties('AWS::SageMaker::Endpoint', { DeploymentConfig: { BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 25 }, WaitIntervalInSeconds: 600 }, TerminationWaitInSeconds: 300,
    }, AutoRollbackConfiguration: { Alarms: ['Invocation5xx', 'ModelLatency', 'ModelErrors'].map((a) => ({ AlarmName: { Ref: Match.stringLikeRegexp(`^ChurnRollbackAlarms${a}`) } })) } } });
  });

  test('shadow test: the challenger version is a shadow variant read from its own parameter', () => {
    const t = template('inference (shadow test)');
    const config = Object.values(t.findResources('AWS::SageMaker::EndpointConfig'))[0].Properties;
    expect(config.ShadowProductionVariants).toEqual([expect.objectContaining({ VariantName: 'Shadow' })]);
    expect(t.findParameters('*', { Default: '/acme/staging/models/fraud-score/candidate-package-arn' })).not.toEqual({});
    t.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 1);
    const models = Object.values(t.findResources('AWS::SageMaker::Model')).map((m) => m.Properties.PrimaryContainer.ModelPackageName.Ref);
    expect(new Set(models).size).toBe(2);
  });

  test('serverless: one serverless variant with provisioned concurrency, no VPC, no guardrails', () => {
    const t = template('inference (serverless)');
    const config = Object.values(t.findResources('AWS::SageMaker::EndpointConfig'))[0].Properties;
    expect(config.ProductionVariants[0].ServerlessConfig).toEqual({ MemorySizeInMB: 2048, MaxConcurrency: 10, ProvisionedConcurrency: 1 });
    t.resourceCountIs('AWS::EC2::VPC', 0);
    t.hasResourceProperties('AWS::SageMaker::Endpoint', { DeploymentConfig: Match.absent() });
  });

  test('multi-environment: churn is watched for data drift and for model quality by the platform, by opt-in Model Monitor in its own stack, and all start its retraining', () => {
    const prod = (built.get('multi-environment (prod, account and region pinned)')!.built as Map<string, PlatformStage>).get('prod')!;
    // Model Monitor (opt-in) lives in a stack of its own, so that a refusal cannot roll back the monitoring stack.
    expect(Template.fromStack(prod.monitoringStack).findResources('AWS::SageMaker::MonitoringSchedule')).toEqual({});
    const mm = Template.fromStack(prod.modelMonitorStack!);
    mm.hasResourceProperties('AWS::SageMaker::ModelQualityJobDefinition', {
      ModelQualityAppSpecification: Match.objectLike({ ProblemType: 'BinaryClassification' }),
      NetworkConfig: Match.objectLike({ EnableNetworkIsolation: true }),
    });
    const monitor = prod.modelMonitors.get('churn')!;
    const drift = prod.monitoringStack.endpointWatches.get('Churn')!.drift!;
    const ml = Template.fromStack(prod.mlStack);
    for (const name of [monitor.driftAlarmName, monitor.qualityAlarmName!, drift.driftAlarmName, drift.qualityAlarmName!]) {
      ml.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ detail: { alarmName: [name], state: { value: ['ALARM'] } } }) });
    }
  });

  test('promotion: approvals in the shared registry promote through the staging and prod serving stacks', () => {
    const [shared, staging, prod] = built.get('inference (promotion)')!.built as Stack[];
    const definition = JSON.stringify(Template.fromStack(shared).findResources('AWS::StepFunctions::StateMachine'));
    for (const [stack, env] of [[staging, 'staging'], [prod, 'prod']] as const) {
      expect(definition).toContain(`\\"StackName\\":\\"${stack.stackName}\\"`);
      const read = Object.values(Template.fromStack(stack).findParameters('*', { Type: 'AWS::SSM::Parameter::Value<String>' })).map((p) => p.Default);
      expect(read).toContain(`/acme/${env}/models/churn/approved-package-arn`);
      expect(definition).toContain(`/acme/${env}/models/churn/approved-package-arn`);
    }
  });
});

describe('examples/multi-account.ts', () => describeMultiAccountExample());

describePipelineExample();
