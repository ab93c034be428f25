import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Profiles, ValidationError } from '../../lib';
import { APPROVED_VERSION_PLACEHOLDER, CapacitySize, DeploymentStrategy, InferenceEndpoint, InferenceEndpointProps, InferenceInstanceType, ModelSource } from '../../lib/inference';
import { testStack } from '../helpers/app';
import { buildEndpoint, lakehouseIn, registryIn } from './helpers';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1.0.0';
const NEEDS_VERSION = [
  'AWS::SageMaker::Model', 'AWS::SageMaker::EndpointConfig', 'AWS::SageMaker::Endpoint',
  'AWS::ApplicationAutoScaling::ScalableTarget', 'AWS::ApplicationAutoScaling::ScalingPolicy',
];

/** Every resource of the types that need a served version, with its Condition. */
function conditionsOf(t: Template): Array<[string, string | undefined]> {
  return NEEDS_VERSION.flatMap((type) => Object.values(t.findResources(type)).map((r) => [type, r.Condition] as [string, string | undefined]));
}

describe('item 1: before the first approval a serving stack holds no model and no endpoint', () => {
  test(`every resource that needs a version is conditional on the SSM-resolved version differing from "${APPROVED_VERSION_PLACEHOLDER}"`, () => {
    const { template, endpoint } = buildEndpoint();
    const conditions = template.toJSON().Conditions as Record<string, unknown>;
    const [id] = Object.keys(conditions);
    const [param] = Object.keys(template.findParameters('*', { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/mlops/prod/models/churn/approved-package-arn' }));
    expect(conditions[id]).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: param }, 'none'] }] });
    expect(conditionsOf(template)).toEqual(NEEDS_VERSION.map((type) => [type, id]));
    expect(endpoint.versionApproved).toBeDefined();
    // Nothing unconditional refers to a conditional resource (CloudFormation rejects such a reference).
    const conditional = new Set(Object.entries(template.toJSON().Resources as Record<string, { Condition?: string }>).filter(([, r]) => r.Condition).map(([k]) => k));
    for (const [k, r] of Object.entries(template.toJSON().Resources as Record<string, { Condition?: string; DependsOn?: string[] }>)) {
      if (r.Condition) continue;
      const text = JSON.stringify(r);
      for (const c of conditional) expect({ k, refers: text.includes(`"${c}"`) }).toEqual({ k, refers: false });
    }
  });

  test('variants reading different parameters: the condition requires every one of them approved', () => {
    const { template } = buildEndpoint(({ registry }) => ({
      variants: [
        { name: 'Champion', initialInstanceCount: 2 },
        { name: 'Challenger', initialInstanceCount: 2, model: ModelSource.fromRegistry(registry, 'churn', { parameterName: '/mlops/prod/models/churn/candidate' }) },
      ],
    }));
    const [expression] = Object.values(template.toJSON().Conditions as Record<string, { 'Fn::And': unknown[] }>);
    expect(expression['Fn::And']).toHaveLength(2);
    expect(JSON.stringify(expression)).toMatch(/ApprovedPackagechurn.*Packagemlopsprodmodelschurncandidate/);
  });

  test('an endpoint whose models are fixed images is unconditional', () => {
    const stack = testStack();
    const e = new InferenceEndpoint(stack, 'Endpoint', { model: ModelSource.fromImage(IMAGE) });
    const t = Template.fromStack(stack);
    expect(t.toJSON().Conditions).toBeUndefined();
    expect(conditionsOf(t).every(([, c]) => c === undefined)).toBe(true);
    expect(e.versionApproved).toBeUndefined();
  });
});

describe('item 9: a rollout must be valid for the instance count of the variants', () => {
  test.each([['dev', Profiles.DEV], ['staging', Profiles.STAGING]] as const)('%s serves one instance: the default is blue/green all at once with bake time and auto-rollback', (_n, profile) => {
    const { template } = buildEndpoint(() => ({}), { profile });
    const deployment = Object.values(template.findResources('AWS::SageMaker::Endpoint'))[0].Properties.DeploymentConfig;
    expect(deployment.BlueGreenUpdatePolicy.TrafficRoutingConfiguration).toEqual({ Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 300 });
    expect(deployment.BlueGreenUpdatePolicy.TerminationWaitInSeconds).toBe(300);
    expect(deployment.AutoRollbackConfiguration.Alarms).toHaveLength(3);
  });

  test('the smallest fleet decides: an autoscaling minimum below the initial count counts', () => {
    const { endpoint } = buildEndpoint(() => ({ variants: [{ initialInstanceCount: 3, autoScaling: { minCapacity: 1, maxCapacity: 4 } }] }));
    expect(endpoint.deployment!.kind).toBe('ALL_AT_ONCE');
    const { endpoint: four } = buildEndpoint(() => ({ variants: [{ initialInstanceCount: 4 }] }));
    expect(four.deployment!.kind).toBe('CANARY');
  });

  const errorOf = (props: Partial<InferenceEndpointProps>, profile = Profiles.STAGING): ValidationError => {
    const stack = testStack({ profile });
    try {
      new InferenceEndpoint(stack, 'Endpoint', { model: ModelSource.fromRegistry(registryIn(stack), 'churn'), ...props });
    } catch (e) {
      if (e instanceof ValidationError) return e;
      throw e;
    }
    throw new Error('expected a ValidationError');
  };

  test('fails when a canary or linear step exceeds half of a one-instance variant, naming deployment and the instance count', () => {
    for (const deployment of [
      DeploymentStrategy.canary(), DeploymentStrategy.canary({ canarySize: { type: 'CAPACITY_PERCENT', value: 25 } }),
      DeploymentStrategy.linear(), DeploymentStrategy.canary({ canarySize: { type: 'INSTANCE_COUNT', value: 1 } }),
    ]) {
      const e = errorOf({ deployment });
      expect(e.problems).toEqual([expect.objectContaining({ property: 'deployment', allowed: expect.stringMatching(/starts with 1 instance: use DeploymentStrategy\.allAtOnce\(\)/) })]);
    }
  });

  test('fails when an instance-count step exceeds half the fleet; accepts one at half', () => {
    const e = errorOf({ variants: [{ initialInstanceCount: 4 }], deployment: DeploymentStrategy.linear({ stepSize: { type: 'INSTANCE_COUNT', value: 3 } }) });
    expect(e.problems).toEqual([expect.objectContaining({ property: 'deployment', value: '"LINEAR 3 instances"', allowed: expect.stringContaining('starts with 4 instances (at most 2)') })]);
    expect(() => buildEndpoint(() => ({ variants: [{ initialInstanceCount: 4 }], deployment: DeploymentStrategy.linear({ stepSize: { type: 'INSTANCE_COUNT', value: 2 } }) }),
      { profile: Profiles.STAGING }).template).not.toThrow();
  });

  test('all at once and rolling are accepted on one instance; serverless has no rollout', () => {
    expect(() => buildEndpoint(() => ({ deployment: DeploymentStrategy.allAtOnce({ wait: Duration.minutes(10) }) }), { profile: Profiles.DEV }).template).not.toThrow();
  });
});

describe('item 12: promotions keep autoscaled capacity', () => {
  test('an autoscaled endpoint retains instance counts across updates (weights still come from the config)', () => {
    const { template } = buildEndpoint();
    const props = Object.values(template.findResources('AWS::SageMaker::Endpoint'))[0].Properties;
    expect(props.RetainAllVariantProperties).toBe(true);
    expect(props.ExcludeRetainedVariantProperties).toEqual([{ VariantPropertyType: 'DesiredWeight' }]);
  });

  test('without autoscaling the config decides the counts', () => {
    const { template } = buildEndpoint(() => ({ variants: [{ autoScaling: false, initialInstanceCount: 2 }] }));
    const props = Object.values(template.findResources('AWS::SageMaker::Endpoint'))[0].Properties;
    expect(props.RetainAllVariantProperties).toBeUndefined();
    expect(props.ExcludeRetainedVariantProperties).toBeUndefined();
  });

  test('the instance type is not retained (it is no variant property) and its docs name the two-deployment path SageMaker requires for autoscaled variants', () => {
    const { template } = buildEndpoint(() => ({ variants: [{ instanceType: InferenceInstanceType.C5_XLARGE, initialInstanceCount: 2 }] }));
    const props = Object.values(template.findResources('AWS::SageMaker::Endpoint'))[0].Properties;
    expect(JSON.stringify(props.ExcludeRetainedVariantProperties)).not.toContain('Instance');
    const source = fs.readFileSync(path.join(__dirname, '..', '..', 'lib', 'inference', 'inference-endpoint-props.ts'), 'utf8');
    expect(source).toMatch(/Deploy with\s+\* `autoScaling: false` first/);
  });
});

describe('item 5: captured requests are stored as the text the model takes', () => {
  test('CSV and JSON requests are captured as text, not base64, so drift can decode them with the declared features', () => {
    const { template } = buildEndpoint(({ stack }) => ({ dataCapture: { lakehouse: lakehouseIn(stack) } }));
    // SageMaker API reference, CaptureContentTypeHeader: with no headers listed, captured data is base64-encoded.
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      DataCaptureConfig: { CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'], JsonContentTypes: ['application/json'] } },
    });
  });
});

describe('CapacitySize factories (issue 15, finding 9)', () => {
  test('percent and instances build the sizes the strategies take, and validation still applies', () => {
    expect(CapacitySize.percent(10)).toEqual({ type: 'CAPACITY_PERCENT', value: 10 });
    expect(CapacitySize.instances(1)).toEqual({ type: 'INSTANCE_COUNT', value: 1 });
    const { template } = buildEndpoint(() => ({ variants: [{ initialInstanceCount: 4 }], deployment: DeploymentStrategy.canary({ canarySize: CapacitySize.instances(1) }) }));
    const [endpoint] = Object.values(template.findResources('AWS::SageMaker::Endpoint'));
    expect(endpoint.Properties.DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.CanarySize).toEqual({ Type: 'INSTANCE_COUNT', Value: 1 });
    expect(() => buildEndpoint(() => ({ deployment: DeploymentStrategy.canary({ canarySize: CapacitySize.percent(80) }) }))).toThrow(/canarySize\.value \(80\)/);
  });
});
