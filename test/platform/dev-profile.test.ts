import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { buildDefaultApp, DEFINITION } from '../../bin/main';
import { ENVIRONMENTS } from '../../bin/environments';
import { InferenceInstanceType, PlatformStage, Profiles } from '../../lib';
import { COST_WARNINGS, runsMoreThanDaily } from '../../lib/platform/private/cost-checks';
import { SKIP_BUNDLING, testApp } from '../helpers/app';

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every stack template of a stage, by stack name. */
function templatesOf(stage: PlatformStage): Map<string, Resources> {
  const stacks = stage.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  return new Map(stacks.map((s) => [s.stackName, (Template.fromStack(s).toJSON().Resources ?? {}) as Resources]));
}

function resourcesOf(stage: PlatformStage, type: string): Array<{ stack: string; props: Record<string, any> }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return [...templatesOf(stage)].flatMap(([stack, r]) => Object.values(r).filter((x) => x.Type === type).map((x) => ({ stack, props: x.Properties ?? {} })));
}

// Issue 18: the dev profile costs at most $30 a month at rest with the default app, and the loop still works.
describe('the dev profile of the default app is cheap at rest (issue 18)', () => {
  const app = testApp({ ...SKIP_BUNDLING, env: 'all' });
  const { stages } = buildDefaultApp(app);
  app.synth();
  const dev = stages.get('dev')!;

  test('dev templates contain no interface VPC endpoint (the S3 gateway endpoint stays: gateway endpoints are free)', () => {
    const endpoints = resourcesOf(dev, 'AWS::EC2::VPCEndpoint');
    expect(endpoints.filter((e) => e.props.VpcEndpointType === 'Interface')).toEqual([]);
    expect(endpoints.filter((e) => e.props.VpcEndpointType === 'Gateway')).toHaveLength(1);
    expect(dev.interfaceEndpoints).toEqual([]);
  });

  test('dev serves serverless: every endpoint config variant has a ServerlessConfig (no always-on instance), from the profile default', () => {
    const configs = resourcesOf(dev, 'AWS::SageMaker::EndpointConfig');
    expect(configs).toHaveLength(1);
    for (const c of configs) {
      for (const v of c.props.ProductionVariants) {
        expect(v.InstanceType).toBeUndefined();
        expect(v.ServerlessConfig).toEqual({ MemorySizeInMB: Profiles.DEV.defaultServerless!.memorySizeMiB, MaxConcurrency: Profiles.DEV.defaultServerless!.maxConcurrency });
      }
      expect(c.props.DataCaptureConfig).toBeUndefined();
    }
  });

  test('dev has no on-demand Kinesis stream (one provisioned shard)', () => {
    const streams = resourcesOf(dev, 'AWS::Kinesis::Stream');
    expect(streams).toHaveLength(1);
    expect(streams.map((s) => s.props.StreamModeDetails?.StreamMode)).toEqual(['PROVISIONED']);
    expect(streams[0].props.ShardCount).toBe(1);
  });

  test('dev training and processing jobs run without VpcConfig and keep network isolation; staging and prod keep the VPC', () => {
    const definitionOf = (stage: PlatformStage) => {
      const t = stage.trainings.get('churn')!;
      return JSON.stringify(Stack.of(t).resolve((t.stateMachine!.node.defaultChild as { definitionString?: unknown }).definitionString));
    };
    const devDefinition = definitionOf(dev);
    expect(devDefinition).not.toMatch(/VpcConfig/);
    // Prepare, Baseline, Evaluate (NetworkConfig) and Train: all four with network isolation.
    expect(devDefinition.match(/EnableNetworkIsolation\\":true/g)).toHaveLength(4);
    for (const env of ['staging', 'prod'] as const) {
      const d = definitionOf(stages.get(env)!);
      expect(d.match(/VpcConfig/g)).toHaveLength(4);
      expect(d.match(/EnableNetworkIsolation\\":true/g)).toHaveLength(4);
    }
  });

  test('staging and prod keep their guarantees: SageMaker interface endpoints, instance-based endpoints with data capture, drift jobs', () => {
    for (const env of ['staging', 'prod'] as const) {
      const stage = stages.get(env)!;
      expect(resourcesOf(stage, 'AWS::EC2::VPCEndpoint').filter((e) => e.props.VpcEndpointType === 'Interface')).toHaveLength(8);
      const [config] = resourcesOf(stage, 'AWS::SageMaker::EndpointConfig');
      expect(config.props.ProductionVariants[0].InstanceType).toBe('ml.m5.large');
      expect(config.props.DataCaptureConfig).toBeDefined();
      Template.fromStack(stage.monitoringStack).resourceCountIs('AWS::Glue::Job', 1);
    }
  });

  test('the loop in dev: retraining on schedule and on new training data, registry, promotion to its own serving stack; no drift job (serverless captures nothing)', () => {
    const ml = Template.fromStack(dev.mlStack);
    ml.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 4 ? * SUN *)' });
    // retrainAfter BuildTrainingSet: an EventBridge rule on the pipeline's successful runs.
    ml.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ 'detail-type': ['Step Functions Execution Status Change'] }) });
    expect(dev.promotions.has('churn')).toBe(true);
    Template.fromStack(dev.monitoringStack).resourceCountIs('AWS::Glue::Job', 0);
  });

  test('the default dev app raises none of the cost warnings', () => {
    const warnings = Annotations.fromStack(dev.mlStack).findWarning('*', Match.anyValue())
      .concat(...[dev.dataStack, dev.servingStacks[0], dev.monitoringStack].map((s) => Annotations.fromStack(s).findWarning('*', Match.anyValue())));
    const ids = Object.values(COST_WARNINGS);
    expect(warnings.filter((w) => ids.some((id) => JSON.stringify(w.entry.data).includes(id)))).toEqual([]);
  });
});

describe('cost-relevant defaults are validated in the dev profile (issue 18)', () => {
  const churn = DEFINITION.models[0];
  const stageWith = (models = DEFINITION.models, profile = Profiles.DEV, extra?: (s: PlatformStage) => void) => {
    const app = testApp(SKIP_BUNDLING);
    const stage = new PlatformStage(app, 'dev', { definition: { ...DEFINITION, models }, environment: { ...ENVIRONMENTS.dev, profile } });
    extra?.(stage);
    app.synth();
    return stage;
  };
  const warningsOf = (stack: Stack, id: string) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(`\\[ack: ${id}\\]`)).map((w) => String(w.entry.data));

  test('an always-on GPU endpoint in dev is a warning naming the instance type; the VPC then gets the hosting endpoints, also warned', () => {
    const stage = stageWith([{ ...churn, serving: { variants: [{ instanceType: InferenceInstanceType.G5_XLARGE }] } }]);
    const [w] = warningsOf(stage.servingStacks[0], COST_WARNINGS.alwaysOnEndpoint);
    expect(w).toMatch(/always-on GPU\/accelerator endpoint instance ml\.g5\.xlarge in the dev profile/);
    // An instance-based endpoint in the VPC needs runtime, image pulls, logs and metrics.
    expect(stage.interfaceEndpoints).toEqual(['SageMakerRuntime', 'EcrApi', 'EcrDocker', 'Logs', 'Monitoring']);
    expect(warningsOf(stage.mlStack, COST_WARNINGS.interfaceEndpoint)).toHaveLength(5);
  });

  test('interface endpoints in dev (a dev profile that keeps SageMaker in the VPC) are warnings', () => {
    const stage = stageWith(DEFINITION.models, { ...Profiles.DEV, sagemakerNetwork: 'vpc' });
    expect(warningsOf(stage.mlStack, COST_WARNINGS.interfaceEndpoint)).toHaveLength(8);
    expect(warningsOf(stage.mlStack, COST_WARNINGS.interfaceEndpoint)[0]).toMatch(/billed per AZ-hour/);
  });

  test('an on-demand stream in dev is a warning', () => {
    const stage = stageWith(DEFINITION.models, Profiles.DEV, (s) => new kinesis.Stream(s.dataStack, 'Extra', { streamMode: kinesis.StreamMode.ON_DEMAND }));
    expect(warningsOf(stage.dataStack, COST_WARNINGS.onDemandStream)).toHaveLength(1);
  });

  test('an hourly drift check in dev is a warning; the daily default is not', () => {
    const instance = { variants: [{ instanceType: InferenceInstanceType.M5_LARGE }] };
    const hourly = stageWith([{ ...churn, serving: instance, monitoring: { drift: { schedule: 'cron(0 * * * ? *)' } } }]);
    expect(warningsOf(hourly.monitoringStack, COST_WARNINGS.subDailySchedule)).toEqual([expect.stringMatching(/cron\(0 \* \* \* \? \*\)/)]);
    const daily = stageWith([{ ...churn, serving: instance }]);
    expect(warningsOf(daily.monitoringStack, COST_WARNINGS.subDailySchedule)).toEqual([]);
  });

  test('staging and prod are not warned about the same choices', () => {
    const app = testApp(SKIP_BUNDLING);
    const stage = new PlatformStage(app, 'prod', { definition: DEFINITION, environment: ENVIRONMENTS.prod });
    app.synth();
    expect(warningsOf(stage.mlStack, COST_WARNINGS.interfaceEndpoint)).toEqual([]);
    expect(warningsOf(stage.servingStacks[0], COST_WARNINGS.alwaysOnEndpoint)).toEqual([]);
  });

  test('runsMoreThanDaily: rates in minutes or hours and crons with more than one minute or hour value', () => {
    for (const e of ['rate(1 hour)', 'rate(30 minutes)', 'cron(0 * * * ? *)', 'cron(0/30 1 * * ? *)', 'cron(0 1,13 * * ? *)', 'cron(0 1-3 * * ? *)']) expect([e, runsMoreThanDaily(e)]).toEqual([e, true]);
    for (const e of ['rate(1 day)', 'rate(7 days)', 'cron(0 1 * * ? *)', 'cron(15 3 ? * SUN *)']) expect([e, runsMoreThanDaily(e)]).toEqual([e, false]);
  });
});
