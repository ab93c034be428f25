import { App, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { NagRuleCompliance, rules } from 'cdk-nag';
import { buildDefaultApp, DEFINITION } from '../../bin/main';
import { ENVIRONMENTS } from '../../bin/environments';
import { ApprovedVersionParameter, InferenceInstanceType, LakehouseZone, PlatformStage, Profiles } from '../../lib';
import { COST_WARNINGS, runsMoreThanDaily } from '../../lib/platform/private/cost-checks';
import { SKIP_BUNDLING, testApp } from '../helpers/app';
import { stateMachineDefinition } from '../helpers/etl';
import { platformStacks } from '../helpers/platform';

// The default app with every environment (-c env=all), built and synthesized once for every test
// of this file: day 0 (was day-zero.test.ts), the images and data contract (day-zero-contract.test.ts),
// the dev profile (dev-profile.test.ts) and the closed default security groups (default-security-group.test.ts).
// Each of those files built and synthesized the same app on its own; the tests read it, never change it.
const app = testApp({ ...SKIP_BUNDLING, env: 'all' });
const { stages } = buildDefaultApp(app);
app.synth();

type Parameters = Record<string, { Type: string; Default?: string }>;

/** Every stack of the app, nested stages included. */
function allStacks(app: App): Stack[] {
  return app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
}

/** The SSM-typed template parameters of a synthesized stack, by logical ID, with the SSM name they read. */
function ssmTyped(t: Template): Array<[string, string]> {
  return Object.entries((t.toJSON().Parameters ?? {}) as Parameters)
    .filter(([, p]) => /^AWS::SSM::Parameter::Value</.test(p.Type)).map(([id, p]) => [id, p.Default!]);
}

describe('day 0: the default app (-c env=all) deploys on an empty bootstrapped account with nothing created by hand', () => {
  const templates = new Map<Stack, Template>(allStacks(app).map((s) => [s, Template.fromStack(s)]));

  // The only SSM parameter no stack of the app creates: `cdk bootstrap` creates /cdk-bootstrap/<qualifier>/version
  // (the bootstrap stack's CdkBootstrapVersion parameter), and the default synthesizer's BootstrapVersion
  // template parameter reads it to check the bootstrap version before deploying.
  const BOOTSTRAP = /^\/cdk-bootstrap\/[a-z0-9]+\/version$/;

  test('every SSM-typed template parameter names a parameter the app itself creates (an ApprovedVersionParameter or a published registry parameter), except the bootstrap version', () => {
    const created = new Map<string, Stack>();
    for (const c of app.node.findAll()) {
      if (c instanceof ApprovedVersionParameter) created.set(c.parameterName, Stack.of(c));
      if (c instanceof ssm.CfnParameter) created.set(Stack.of(c).resolve(c.name), Stack.of(c));
    }
    const missing: string[] = [];
    let read = 0;
    for (const [stack, t] of templates) {
      for (const [id, name] of ssmTyped(t)) {
        read++;
        if (id === 'BootstrapVersion' && BOOTSTRAP.test(name)) continue;
        const by = created.get(name);
        if (!by) missing.push(`${stack.stackName}.${id}: ${name}`);
        // Same stage: the creating stack deploys before the reading one.
        else if (Stage.of(by) === Stage.of(stack) && by !== stack) expect({ reader: stack.stackName, dependsOn: stack.dependencies.includes(by) }).toEqual({ reader: stack.stackName, dependsOn: true });
      }
    }
    expect(read).toBeGreaterThan(3);
    expect(missing).toEqual([]);
  });

  test('every SageMaker Model, EndpointConfig and Endpoint serving an SSM-resolved version is conditional on a version being approved', () => {
    let checked = 0;
    for (const [stack, t] of templates) {
      const ssmIds = new Set(ssmTyped(t).map(([id]) => id));
      const conditions = (t.toJSON().Conditions ?? {}) as Record<string, unknown>;
      const resources = t.toJSON().Resources as Record<string, { Type: string; Condition?: string; Properties: unknown }>;
      const models = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SageMaker::Model'
        && [...ssmIds].some((id) => JSON.stringify(r.Properties).includes(`{"Ref":"${id}"}`)));
      for (const [id, r] of models) {
        checked++;
        expect({ stack: stack.stackName, id, condition: r.Condition !== undefined }).toEqual({ stack: stack.stackName, id, condition: true });
        expect(JSON.stringify(conditions[r.Condition!])).toMatch(/"Fn::Not":\[\{"Fn::Equals":\[\{"Ref":"[^"]+"\},"none"\]\}\]/);
        // The config naming this model and the endpoint naming that config share the condition.
        for (const [cid, c] of Object.entries(resources).filter(([, x]) => x.Type === 'AWS::SageMaker::EndpointConfig' && JSON.stringify(x.Properties).includes(`"${id}"`))) {
          expect(c.Condition).toBe(r.Condition);
          for (const [, e] of Object.entries(resources).filter(([, x]) => x.Type === 'AWS::SageMaker::Endpoint' && JSON.stringify(x.Properties).includes(`"${cid}"`))) {
            expect(e.Condition).toBe(r.Condition);
          }
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  test('each promotion role may read (ssm:GetParameters) exactly the SSM-typed parameters of its target serving stacks', () => {
    const byName = new Map([...templates.keys()].map((s) => [s.stackName, s]));
    let checked = 0;
    for (const stage of stages.values() as IterableIterator<PlatformStage>) {
      for (const promotion of stage.promotions.values()) {
        const t = templates.get(Stack.of(promotion))!;
        const role = Stack.of(promotion).resolve((promotion.stateMachine.role.node.defaultChild as unknown as { ref: string }).ref) as { Ref: string };
        const granted = Object.values(t.findResources('AWS::IAM::Policy'))
          .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${role.Ref}"`))
          .flatMap((p) => p.Properties.PolicyDocument.Statement)
          .filter((s: { Action: unknown }) => s.Action === 'ssm:GetParameters')
          .flatMap((s: { Resource: unknown }) => [s.Resource].flat())
          .map((r: unknown) => String(JSON.stringify(r)).replace(/^.*:parameter/, '').replace(/"\]\]\}"?$|"$/, ''));
        const expected = [...new Set(promotion.stages.flatMap((s) => ssmTyped(templates.get(byName.get(s.stackName)!)!).map(([, n]) => n)))].sort();
        expect({ promotion: promotion.node.path, granted: [...granted].sort() }).toEqual({ promotion: promotion.node.path, granted: expected });
        checked++;
      }
    }
    expect(checked).toBe(2);
  });

  test('the parameter each endpoint reads is created in its environment\'s ML stack, which its serving stack depends on', () => {
    for (const stage of stages.values()) {
      expect(stage.servingStacks[0].dependencies).toContain(stage.mlStacks[0]);
      Template.fromStack(stage.mlStack).resourceCountIs('Custom::ApprovedVersionParameter', 1);
      expect(platformStacks(stage).length).toBeGreaterThanOrEqual(4);
    }
  });

  test('-c env=prod alone grants the same as -c env=all (the staging target is derived from a detached build)', () => {
    const only = testApp({ ...SKIP_BUNDLING, env: 'prod' });
    const prod = buildDefaultApp(only).stages.get('prod')!;
    const statement = (s: PlatformStage) => JSON.stringify(Template.fromStack(s.mlStack).toJSON()).match(/"Action":"ssm:GetParameters","Effect":"Allow","Resource":\[[^\]]*\]/)?.[0];
    expect(statement(prod)).toBeDefined();
    expect(statement(prod)).toBe(statement(stages.get('prod')!));
    expect([...buildDefaultApp(testApp({ ...SKIP_BUNDLING, env: 'prod' })).stages.keys()]).toEqual(['prod']);
  });
});

// Issue 12, "What must show", over the synthesized default app with every environment.
describe('default app (-c env=all): images and the data contract', () => {
  test('no training or processing step uses an image that must be pushed first: every step runs the AWS-provided image of the region map', () => {
    for (const stage of stages.values()) {
      for (const ml of stage.mlStacks) {
        const t = Template.fromStack(ml);
        for (const id of Object.keys(t.findResources('AWS::StepFunctions::StateMachine')).filter((k) => k.includes('Training'))) {
          const states = stateMachineDefinition(t, new RegExp(`^${id}$`)).States;
          const jobs = Object.entries(states).filter(([, s]) => /createProcessingJob|createTrainingJob/.test(String(s.Resource)));
          expect(jobs.map(([n]) => n).sort()).toEqual(['Baseline', 'Evaluate', 'Prepare', 'Train']);
          for (const [, s] of jobs) {
            const image = JSON.stringify(s.Parameters).match(/"(?:ImageUri|TrainingImage)":"([^"]*)"/)?.[1] ?? '';
            // The region map's account, then the public repository name: nothing from the registry's own ECR repositories.
            expect(image).toBe('${token}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/sagemaker-xgboost:1.7-1'); // ${token}: Fn::FindInMap of the region map
          }
        }
      }
    }
  });

  test('every drift feature is a column of a lakehouse table, and the drift features are the training features, in order (staging and prod; dev has no drift job)', () => {
    for (const stage of stages.values()) {
      const training = stage.trainings.get('churn')!;
      const watch = stage.monitoringStack.endpointWatches.get('Churn')!;
      // Dev serves serverless by its profile (issue 18): SageMaker captures nothing from a serverless
      // endpoint, so dev has no drift job (the dev profile tests below); staging and prod have one.
      if (stage.environmentName === 'dev') {
        expect(watch.drift).toBeUndefined();
        continue;
      }
      expect(watch.drift).toBeDefined();
      expect(watch.drift!.features).toEqual([...training.featureNames!]);
      const table = stage.lakehouse.findTable(LakehouseZone.CURATED, 'training_samples')!;
      const columns = table.columns.map((c) => c.name);
      for (const f of watch.drift!.features) expect(columns).toContain(f);
    }
  });
});

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

// Moved from test/core/default-security-group.test.ts (its unit tests stay there), to read the shared build.
describe('createIsolatedVpc closes the default security group', () => {
  test('every VPC of the default app (all environments) is closed', () => {
    const vpcs = app.node.findAll().filter((c): c is ec2.CfnVPC => c instanceof ec2.CfnVPC);
    expect(vpcs.length).toBeGreaterThan(0);
    for (const vpc of vpcs) expect({ vpc: vpc.node.path, compliance: rules.vpc.VPCDefaultSecurityGroupClosed(vpc) }).toEqual({ vpc: vpc.node.path, compliance: NagRuleCompliance.COMPLIANT });
  });
});
