import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildAbTestExample, buildPromotionExample, buildServerlessExample, buildShadowTestExample } from '../../examples/inference';
import { testApp } from '../helpers/app';

// CloudFormation schema validation of these examples belongs in test/app.test.ts with every other
// validated synth (the validation engine costs seconds to start, once per test file).

function synthWithNag(build: (app: App) => Stack): Template {
  const app = testApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = build(app);
  expect(() => app.synth()).not.toThrow();
  return Template.fromStack(stack);
}

describe('examples/inference.ts', () => {
  test('A/B test: two registry models share traffic 80/20 with 10% capture and a 25% canary; zero unacknowledged nag findings', () => {
    const t = synthWithNag(buildAbTestExample);
    const config = Object.values(t.findResources('AWS::SageMaker::EndpointConfig'))[0].Properties;
    expect(config.ProductionVariants.map((v: Record<string, unknown>) => [v.VariantName, v.InitialVariantWeight])).toEqual([['Champion', 80], ['Challenger', 20]]);
    expect(config.DataCaptureConfig.InitialSamplingPercentage).toBe(10);
    expect(Object.keys(t.findParameters('*', { Type: 'AWS::SSM::Parameter::Value<String>' })).filter((k) => k.startsWith('Churn'))).toHaveLength(2);
    t.hasResourceProperties('AWS::SageMaker::Endpoint', { DeploymentConfig: { BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 25 }, WaitIntervalInSeconds: 600 }, TerminationWaitInSeconds: 300,
    }, AutoRollbackConfiguration: { Alarms: ['Invocation5xx', 'ModelLatency', 'ModelErrors'].map((a) => ({ AlarmName: { Ref: Match.stringLikeRegexp(`^ChurnRollbackAlarms${a}`) } })) } } });
  });

  test('shadow test: the challenger version is a shadow variant read from its own parameter; zero unacknowledged nag findings', () => {
    const t = synthWithNag(buildShadowTestExample);
    const config = Object.values(t.findResources('AWS::SageMaker::EndpointConfig'))[0].Properties;
    expect(config.ShadowProductionVariants).toEqual([expect.objectContaining({ VariantName: 'Shadow' })]);
    expect(t.findParameters('*', { Default: '/acme/staging/models/fraud-score/candidate-package-arn' })).not.toEqual({});
    t.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 1);
    const models = Object.values(t.findResources('AWS::SageMaker::Model')).map((m) => m.Properties.PrimaryContainer.ModelPackageName.Ref);
    expect(new Set(models).size).toBe(2);
  });

  test('serverless: one serverless variant with provisioned concurrency, no VPC, no guardrails; zero unacknowledged nag findings', () => {
    const t = synthWithNag(buildServerlessExample);
    const config = Object.values(t.findResources('AWS::SageMaker::EndpointConfig'))[0].Properties;
    expect(config.ProductionVariants[0].ServerlessConfig).toEqual({ MemorySizeInMB: 2048, MaxConcurrency: 10, ProvisionedConcurrency: 1 });
    t.resourceCountIs('AWS::EC2::VPC', 0);
    t.hasResourceProperties('AWS::SageMaker::Endpoint', { DeploymentConfig: Match.absent() });
  });

  test('promotion: approvals in the shared registry promote through the staging and prod serving stacks; zero unacknowledged nag findings', () => {
    const app = testApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const [shared, staging, prod] = buildPromotionExample(app);
    expect(() => app.synth()).not.toThrow();
    const definition = JSON.stringify(Template.fromStack(shared).findResources('AWS::StepFunctions::StateMachine'));
    for (const [stack, env] of [[staging, 'staging'], [prod, 'prod']] as const) {
      expect(definition).toContain(`\\"StackName\\":\\"${stack.stackName}\\"`);
      const read = Object.values(Template.fromStack(stack).findParameters('*', { Type: 'AWS::SSM::Parameter::Value<String>' })).map((p) => p.Default);
      expect(read).toContain(`/acme/${env}/models/churn/approved-package-arn`);
      expect(definition).toContain(`/acme/${env}/models/churn/approved-package-arn`);
    }
  });
});
