import * as fs from 'fs';
import { CfnResource, Stack } from 'aws-cdk-lib';
import { CLOUDFORMATION_LIMITS, PlatformStage, Profiles, ValidationError, assertWithinCloudFormationLimits, countResources, enforceResourceLimit } from '../../lib';
import { DEFINITION } from '../../bin/main';
import { SKIP_BUNDLING, testApp } from '../helpers/app';
import { platformStacks } from '../helpers/platform';

const MODELS = 25;

describe('a platform of 25 models stays within CloudFormation limits', () => {
  let stage: PlatformStage;
  let assembly: ReturnType<ReturnType<typeof testApp>['synth']>;
  beforeAll(() => {
    const app = testApp(SKIP_BUNDLING);
    const template = DEFINITION.models[0];
    stage = new PlatformStage(app, 'prod', {
      definition: { ...DEFINITION, models: Array.from({ length: MODELS }, (_, i) => ({ ...template, name: `model-${String(i + 1).padStart(2, '0')}` })) },
      environment: { name: 'prod', profile: Profiles.PROD, owner: 'ml-platform', costCentre: 'ml-prod' },
    });
    assembly = app.synth();
  });

  test('spreads the models over ML and serving stacks of at most 8 models each', () => {
    expect(stage.mlStacks.map((s) => s.stackName)).toEqual(['mlops-prod-ml', 'mlops-prod-ml-2', 'mlops-prod-ml-3', 'mlops-prod-ml-4']);
    expect(stage.servingStacks.map((s) => s.stackName)).toEqual(['mlops-prod-serving', 'mlops-prod-serving-2', 'mlops-prod-serving-3', 'mlops-prod-serving-4']);
    expect(stage.endpoints.size).toBe(MODELS);
    expect(stage.trainings.size).toBe(MODELS);
  });

  test('every template has at most 500 resources and at most 1,000,000 bytes', () => {
    const stacks = assembly.getNestedAssembly(stage.artifactId).stacks;
    expect(stacks).toHaveLength(platformStacks(stage).length);
    for (const s of stacks) {
      const resources = Object.keys(s.template.Resources).length;
      expect({ stack: s.stackName, resources: resources <= CLOUDFORMATION_LIMITS.resources }).toEqual({ stack: s.stackName, resources: true });
      expect(fs.statSync(s.templateFullPath).size).toBeLessThanOrEqual(CLOUDFORMATION_LIMITS.templateBytes);
    }
    expect(() => assertWithinCloudFormationLimits(assembly)).not.toThrow();
  });

  test('the counted resources are the synthesized ones', () => {
    const stacks = assembly.getNestedAssembly(stage.artifactId).stacks;
    for (const s of platformStacks(stage)) {
      const artifact = stacks.find((a) => a.stackName === s.stackName)!;
      expect(countResources(s)).toBe(Object.keys(artifact.template.Resources).length);
    }
  });

  test('promotion of a model in a later group updates the serving stack of that group', () => {
    const promotion = stage.promotions.get('model-20')!;
    expect(promotion.stages.map((s) => s.stackName)).toEqual(['mlops-prod-serving-3']);
  });
});

describe('limits fail synth with a clear message', () => {
  test('fails when a stack holds more than 500 resources', () => {
    const app = testApp();
    const stack = new Stack(app, 'Big', { stackName: 'big-stack' });
    for (let i = 0; i <= CLOUDFORMATION_LIMITS.resources; i++) new CfnResource(stack, `Topic${i}`, { type: 'AWS::SNS::Topic' });
    enforceResourceLimit(stack, 'split it');
    expect(() => app.synth()).toThrow(/stack big-stack has 501 resources; CloudFormation accepts at most 500 per stack: split it/);
  });

  test('fails when a template is larger than CloudFormation accepts', () => {
    const app = testApp();
    const stack = new Stack(app, 'Wide', { stackName: 'wide-stack' });
    const description = 'x'.repeat(4000);
    for (let i = 0; i < 300; i++) new CfnResource(stack, `Param${i}`, { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: description } });
    const assembly = app.synth();
    expect(() => assertWithinCloudFormationLimits(assembly)).toThrow(ValidationError);
    expect(() => assertWithinCloudFormationLimits(assembly)).toThrow(/wide-stack template \(\d+ bytes\): must be at most 1000000 bytes/);
  });

  test('fails when modelsPerStack is out of range', () => {
    const make = (modelsPerStack: number) => () => new PlatformStage(testApp(), 'dev', {
      definition: DEFINITION,
      environment: { name: 'dev', profile: Profiles.DEV, owner: 'o', costCentre: 'c', modelsPerStack },
    });
    expect(make(0)).toThrow(/modelsPerStack \(0\): must be a whole number between 1 and 20/);
    expect(make(2.5)).toThrow(/modelsPerStack \(2.5\)/);
  });
});

describe('monitoring stacks with a drift job per endpoint', () => {
  test('20 endpoints (the default and the most per monitoring stack) with their drift jobs stay below 90 % of the resource limit', () => {
    const app = testApp(SKIP_BUNDLING);
    const template = DEFINITION.models[0];
    const stage = new PlatformStage(app, 'prod', {
      definition: { ...DEFINITION, models: Array.from({ length: 20 }, (_, i) => ({ ...template, name: `model-${String(i + 1).padStart(2, '0')}` })) },
      environment: { name: 'prod', profile: Profiles.PROD, owner: 'ml-platform', costCentre: 'ml-prod' },
    });
    expect(stage.monitoringStacks).toHaveLength(1);
    expect(countResources(stage.monitoringStack)).toBeLessThan(0.9 * CLOUDFORMATION_LIMITS.resources);
  });
});
