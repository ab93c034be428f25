import { Duration } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { EnvironmentName, PLATFORM_DEFAULTS, PlatformEnvironment, PlatformStage, Profiles, ValidationError, buildPlatform } from '../../lib';
import { DEFINITION } from '../../bin/main';
import { ENVIRONMENTS } from '../../bin/environments';
import { testApp } from '../helpers/app';
import { documentedDefaults } from '../helpers/docs';

type Envs = Partial<Record<EnvironmentName, PlatformEnvironment>>;
const build = (environments: Envs, select?: EnvironmentName[]) => () => buildPlatform(testApp(), { definition: DEFINITION, environments, select });
const stage = (environment: Partial<PlatformEnvironment>, definition = DEFINITION) => () => new PlatformStage(testApp(), 'dev', {
  definition, environment: { ...ENVIRONMENTS.dev, ...environment },
});

describe('buildPlatform checks the promotion graph before building anything', () => {
  test('fails when two environments promote to the same one', () => {
    expect(build({ ...ENVIRONMENTS, staging: { ...ENVIRONMENTS.staging, promotesTo: [{ environment: 'staging' }] } }, ['staging']))
      .toThrow(/staging and prod promote to staging[^\n]*exactly one environment must promote to staging/);
  });

  test('fails when nothing promotes to a built environment', () => {
    expect(build({ ...ENVIRONMENTS, prod: { ...ENVIRONMENTS.prod, promotesTo: [{ environment: 'staging' }] } }, ['prod']))
      .toThrow(/nothing promotes to prod/);
  });

  test('fails when a promotion would cross regions, within one account or across two', () => {
    const sameAccount: Envs = {
      ...ENVIRONMENTS,
      staging: { ...ENVIRONMENTS.staging, account: '111111111111', region: 'eu-central-1' },
      prod: { ...ENVIRONMENTS.prod, account: '111111111111', region: 'eu-west-1' },
    };
    expect(build(sameAccount, ['prod'])).toThrow(/must share the region of prod \(eu-west-1, target has eu-central-1\): cross-region promotion is not supported/);
    const twoAccounts: Envs = {
      ...ENVIRONMENTS,
      staging: { ...ENVIRONMENTS.staging, account: '111111111111' },
      prod: { ...ENVIRONMENTS.prod, account: '222222222222', region: 'eu-west-1' },
    };
    expect(build(twoAccounts, ['prod'])).toThrow(/must be in the region of prod: a promotion to another account \(222222222222 to 111111111111\) needs environments\.prod\.region and environments\.staging\.region set to one region \(now eu-west-1 and unset\)/);
  });

  test('fails when only one side of a promotion names an account: the target cannot be reached', () => {
    const envs: Envs = { ...ENVIRONMENTS, prod: { ...ENVIRONMENTS.prod, account: '222222222222', region: 'eu-west-1' } };
    expect(build(envs, ['prod'])).toThrow(/promotesTo \(staging\): has no way to be reached from prod: environments\.staging\.account must be set/);
  });

  test('fails when a target or a selected environment is not configured', () => {
    expect(build({ dev: { ...ENVIRONMENTS.dev, promotesTo: [{ environment: 'prod' }] } }, ['dev']))
      .toThrow(/promotesTo \(prod\): must name a configured environment: dev/);
    expect(build({ dev: ENVIRONMENTS.dev }, ['prod'])).toThrow(/select \(prod\): must be a configured environment: dev/);
  });

  test('works out which environment feeds each one', () => {
    const stages = buildPlatform(testApp(), { definition: DEFINITION, environments: ENVIRONMENTS, select: ['dev'] });
    expect(stages.get('dev')!.promotions.get('churn')!.stages.map((s) => s.stackName)).toEqual(['mlops-dev-serving']);
  });
});

describe('PlatformStage validation', () => {
  test('fails when a model retrains after a pipeline that does not exist or has no batch part', () => {
    const models = [{ ...DEFINITION.models[0], training: { ...DEFINITION.models[0].training, retrainAfter: ['Ingest', 'Nope'] } }];
    expect(stage({}, { ...DEFINITION, models }))
      .toThrow(/retrainAfter\[0\] \("Ingest"\): must be the ID of a pipeline with a batch part; batch pipelines: Curate, BuildTrainingSet[\s\S]*retrainAfter\[1\] \("Nope"\)/);
  });

  test('fails when a drift feature is not one of the model\'s declared features (one data contract)', () => {
    const models = [{
      ...DEFINITION.models[0],
      monitoring: { drift: { features: ['tenure', 'fare'] }, modelMonitor: { dataQuality: { driftFeatures: ['tenure', 'payload'] } } },
    }];
    expect(stage({}, { ...DEFINITION, models }))
      .toThrow(/monitoring.modelMonitor.dataQuality.driftFeatures\[1\] \("payload"\): must be one of the model's declared features \(training.managed.features\): tenure, monthly_charges, support_calls/);
    expect(stage({}, { ...DEFINITION, models })).toThrow(/monitoring.drift.features\[1\] \("fare"\): must be one of the model's declared features/);
    expect(stage({}, { ...DEFINITION, models })).not.toThrow(/driftFeatures\[0\]/);
  });

  test('fails when model names repeat or pipelines are not PascalCase', () => {
    const models = [DEFINITION.models[0], DEFINITION.models[0]];
    expect(stage({}, { ...DEFINITION, models, pipelines: [{ ...DEFINITION.pipelines![1], id: 'curate' }] }))
      .toThrow(/definition.models\[1\].name \("churn"\): must be unique[\s\S]*definition.pipelines\[0\].id \("curate"\): must be a PascalCase/);
  });

  test('fails when the existing network is inconsistent', () => {
    expect(stage({ network: { vpcId: 'vpc-1', vpcCidrBlock: '10.0.0.0', availabilityZones: ['a'], subnetIds: ['s1', 's2'], routeTableIds: ['r1'] } }))
      .toThrow(/vpcCidrBlock \("10.0.0.0"\)[\s\S]*availabilityZones \("a"\): must list one zone per subnet \(2 subnets\)[\s\S]*routeTableIds \("r1"\)/);
  });

  test('fails when a promotion target repeats', () => {
    expect(stage({ promotesTo: [{ environment: 'dev' }, { environment: 'dev' }] })).toThrow(/promotesTo\[1\].environment \("dev"\): must appear once/);
  });

  test('random model counts per stack outside 1-20 always fail naming modelsPerStack', () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 21 }), fc.double({ min: 1.01, max: 19.99, noNaN: true })), (n) => {
      try {
        stage({ modelsPerStack: n })();
        return false;
      } catch (e) {
        return e instanceof ValidationError && e.message.includes('environment.modelsPerStack');
      }
    }), { numRuns: 30 });
  });

  test('documented defaults are the ones used', () => {
    const docs = documentedDefaults('lib/platform/platform-config.ts');
    expect(docs.get('PlatformEnvironment.modelsPerStack')).toBe(String(PLATFORM_DEFAULTS.modelsPerStack));
    expect(docs.get('captureSamplingPercentage')).toBe(String(PLATFORM_DEFAULTS.captureSamplingPercentage));
    expect(docs.get('PlatformEnvironment.promotesTo')).toBe('[this environment]');
    expect(docs.get('PromotionTarget.requireApproval')).toBe('false for the first target, true for every later one');
  });

  test('thresholds given per environment reach the monitoring stack', () => {
    const s = new PlatformStage(testApp({ 'aws:cdk:bundling-stacks': [] }), 'prod', {
      definition: DEFINITION,
      environment: { ...ENVIRONMENTS.prod, profile: Profiles.PROD, promotesTo: [{ environment: 'prod' }], alarmThresholds: { etlMaxSilence: Duration.hours(50) } },
    });
    expect(s.monitoringStack.thresholds.etlMaxSilence.toHours()).toBe(50);
    expect(s.monitoringStack.thresholds.endpoint5xxErrors).toBe(1);
  });
});

describe('model names', () => {
  test('fail with the registry\'s rule, from the registry the stage builds', () => {
    const models = [{ ...DEFINITION.models[0], name: 'Churn_V2' }];
    expect(stage({}, { ...DEFINITION, models })).toThrow(/Registry[\s\S]*"Churn_V2"/);
  });
});

describe('monitoring stacks', () => {
  test('past endpointsPerMonitoringStack endpoints, more monitoring stacks watch the rest; the first also watches data and training', () => {
    const models = ['a', 'b', 'c'].map((name) => ({ ...DEFINITION.models[0], name }));
    const s = new PlatformStage(testApp({ 'aws:cdk:bundling-stacks': [] }), 'dev', {
      definition: { ...DEFINITION, models },
      environment: { ...ENVIRONMENTS.dev, endpointsPerMonitoringStack: 2, modelsPerStack: 2 },
    });
    expect(s.monitoringStacks.map((m) => m.stackName)).toEqual(['mlops-dev-monitoring', 'mlops-dev-monitoring-2']);
    expect(s.monitoringStacks.map((m) => [...m.endpointWatches.keys()])).toEqual([['A', 'B'], ['C']]);
    expect(s.monitoringStacks[1].alarms.some((a) => a.node.id.includes('Training') || a.node.id.includes('Curate'))).toBe(false);
    expect(s.monitoringStack.alarms.some((a) => a.node.id === 'CurateStale')).toBe(true);
    expect(stage({ endpointsPerMonitoringStack: 21 })).toThrow(/endpointsPerMonitoringStack \(21\): must be a whole number between 1 and 20/);
  });
});
