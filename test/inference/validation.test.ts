import { Duration, Lazy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { ValidationError } from '../../lib';
import {
  DeploymentStrategy, InferenceEndpoint, InferenceEndpointProps, InferenceInstanceType, ModelSource, VariantOptions,
} from '../../lib/inference';
import { testStack } from '../helpers/app';
import { lakehouseIn, registryIn } from './helpers';

// One stack for every case: an endpoint that fails validation adds only its own empty node, and
// no test here synthesizes.
const stack = testStack();
const registry = registryIn(stack);
const lakehouse = lakehouseIn(stack);
const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
const alarm = new cloudwatch.Alarm(stack, 'Alarm', { metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }), threshold: 1, evaluationPeriods: 1 });
const model = ModelSource.fromRegistry(registry, 'churn');
let count = 0;

function build(props: Partial<InferenceEndpointProps>): InferenceEndpoint {
  return new InferenceEndpoint(new Construct(stack, `Case${count++}`), 'Endpoint', { model, ...props });
}

function errorOf(props: Partial<InferenceEndpointProps>): ValidationError {
  try {
    build(props);
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError, but the endpoint was created');
}

const named = (n: number): VariantOptions[] => Array.from({ length: n }, (_, i) => ({ name: `V${i}` }));
const serverless = { memorySizeMiB: 2048, maxConcurrency: 5 };

describe('InferenceEndpoint validation', () => {
  test('fails when every variant weight is zero', () => {
    expect(errorOf({ variants: [{ name: 'A', weight: 0 }, { name: 'B', weight: 0 }] }).problems).toEqual([
      { property: 'variants[*].weight', value: '[0,0]', allowed: 'at least one production variant must have a weight above 0' },
    ]);
  });

  test('fails when a weight is negative or not finite', () => {
    expect(errorOf({ variants: [{ weight: -1 }] }).message).toMatch(/variants\[0\]\.weight \(-1\): must be a finite number of at least 0/);
  });

  test('fails when there are more than ten variants, the shadow included', () => {
    expect(errorOf({ variants: named(11) }).message).toMatch(/variants \("11 variants"\): must be at most 10, including the shadow variant/);
    expect(errorOf({ variants: named(10), shadowVariant: { name: 'S' } }).message).toMatch(/variants \("11 variants"\): must be at most 10/);
    expect(() => build({ variants: named(10) })).not.toThrow();
  });

  test('fails when a serverless memory size is not one of the allowed sizes', () => {
    for (const memorySizeMiB of [512, 1000, 7168, 1536]) {
      expect(errorOf({ variants: [{ serverless: { memorySizeMiB, maxConcurrency: 1 } }] }).problems[0]).toEqual({
        property: 'variants[0].serverless.memorySizeMiB', value: String(memorySizeMiB), allowed: 'must be one of 1024, 2048, 3072, 4096, 5120, 6144',
      });
    }
  });

  test('fails when serverless concurrency is out of range', () => {
    const e = errorOf({ variants: [{ serverless: { memorySizeMiB: 1024, maxConcurrency: 201, provisionedConcurrency: 0 } }] });
    expect(e.problems.map((p) => p.property)).toEqual(['variants[0].serverless.maxConcurrency', 'variants[0].serverless.provisionedConcurrency']);
  });

  test('fails when minCapacity exceeds maxCapacity', () => {
    expect(errorOf({ variants: [{ autoScaling: { minCapacity: 5, maxCapacity: 2 } }] }).message)
      .toContain('variants[0].autoScaling.minCapacity (5): must not exceed maxCapacity (2)');
  });

  test('fails when the canary size is out of range, or a linear step is below 10 or above 50 percent', () => {
    for (const value of [0, 51, 100, 2.5]) {
      expect(errorOf({ deployment: DeploymentStrategy.canary({ canarySize: { type: 'CAPACITY_PERCENT', value } }) }).message)
        .toContain(`deployment.canarySize.value (${value}): must be a whole percentage from 1 to 50`);
    }
    expect(errorOf({ deployment: DeploymentStrategy.canary({ canarySize: { type: 'INSTANCE_COUNT', value: 0 } }) }).message)
      .toContain('deployment.canarySize.value (0): must be a whole instance count of at least 1');
    expect(errorOf({ deployment: DeploymentStrategy.linear({ stepSize: { type: 'CAPACITY_PERCENT', value: 5 } }) }).message)
      .toContain('deployment.stepSize.value (5): must be a whole percentage from 10 to 50');
  });

  test('fails when bake or timeout durations are out of range', () => {
    const e = errorOf({ deployment: DeploymentStrategy.canary({ wait: Duration.hours(2), maximumExecutionTimeout: Duration.minutes(1) }) });
    expect(e.problems.map((p) => p.property)).toEqual(['deployment.wait', 'deployment.maximumExecutionTimeout']);
  });

  test('fails when the sampling percentage is outside 0-100', () => {
    for (const samplingPercentage of [-1, 101, 50.5]) {
      expect(errorOf({ dataCapture: { lakehouse, samplingPercentage } }).problems[0]).toEqual({
        property: 'dataCapture.samplingPercentage', value: String(samplingPercentage), allowed: 'must be a whole number from 0 to 100',
      });
    }
    expect(() => build({ dataCapture: { lakehouse, samplingPercentage: 0 } })).not.toThrow();
  });

  test('fails when a shadow variant has no production variant', () => {
    expect(errorOf({ variants: [], shadowVariant: { name: 'Shadow' } }).message)
      .toMatch(/variants \("0 variants"\): must hold at least one production variant when a shadowVariant is set/);
  });

  test('fails when an instance type is malformed or of an unknown family or size', () => {
    const e = errorOf({ variants: [
      { name: 'A', instanceType: InferenceInstanceType.of('m5.large') },
      { name: 'B', instanceType: InferenceInstanceType.of('ml.x9.large') },
      { name: 'C', instanceType: InferenceInstanceType.of('ml.m5.huge') },
    ] });
    expect(e.problems.map((p) => [p.property, p.value])).toEqual([
      ['variants[0].instanceType', '"m5.large"'], ['variants[1].instanceType', '"ml.x9.large"'], ['variants[2].instanceType', '"ml.m5.huge"'],
    ]);
    expect(e.problems[1].allowed).toMatch(/^has an unknown family "x9"; allowed: t2, m5/);
  });

  test('fails when variant names repeat, the shadow included, or are not valid names', () => {
    const e = errorOf({ variants: [{ name: 'A' }, { name: 'A' }], shadowVariant: { name: 'A' } });
    expect(e.problems.map((p) => p.property)).toEqual(['variants[1].name', 'shadowVariant.name']);
    expect(e.problems[0].allowed).toBe('must be unique among the variants (shadow included)');
    expect(errorOf({ variants: [{ name: 'bad_name' }] }).problems[0].property).toBe('variants[0].name');
  });

  test('fails when a serverless endpoint asks for what serverless inference does not support', () => {
    const e = errorOf({
      variants: [{ name: 'A', serverless }, { name: 'B' }],
      dataCapture: { lakehouse },
      asyncInference: { bucket: s3.Bucket.fromBucketName(stack, `B${count}`, 'results') },
      vpc,
    });
    expect(e.problems.map((p) => p.property)).toEqual(['variants', 'dataCapture', 'asyncInference', 'vpc']);
    expect(errorOf({ variants: [{ serverless, instanceType: InferenceInstanceType.M5_LARGE, autoScaling: {} }] }).problems.map((p) => p.property))
      .toEqual(['variants[0].instanceType', 'variants[0].autoScaling']);
    const key = new kms.Key(stack, `Key${count}`);
    expect(errorOf({ variants: [{ serverless }], encryptionKey: key, deployment: DeploymentStrategy.allAtOnce(), rollbackAlarms: {}, additionalRollbackAlarms: [alarm] })
      .problems.map((p) => p.property)).toEqual(['encryptionKey', 'deployment', 'rollbackAlarms', 'additionalRollbackAlarms']);
  });

  test('fails when rolling updates are asked for several variants, a shadow variant or serverless', () => {
    expect(errorOf({ variants: named(2), deployment: DeploymentStrategy.rolling() }).message)
      .toContain('deployment ("ROLLING"): rolling updates need exactly one instance-based production variant');
    expect(errorOf({ variants: [{ serverless }], deployment: DeploymentStrategy.rolling() }).problems.map((p) => p.property)).toEqual(['deployment']);
    expect(errorOf({ shadowVariant: { name: 'Shadow' }, deployment: DeploymentStrategy.rolling() }).problems[0].property).toBe('deployment');
  });

  test('fails when too many rollback alarms are passed in (auto-rollback takes at most ten)', () => {
    expect(errorOf({ additionalRollbackAlarms: Array.from({ length: 8 }, () => alarm) }).message)
      .toContain('additionalRollbackAlarms ("8 alarms"): must be at most 7: auto-rollback takes at most 10 alarms and the endpoint creates 3');
  });

  test('fails when a model source is bad: unknown registry model, bad parameter name, image or model data URL', () => {
    const e = errorOf({
      model: ModelSource.fromRegistry(registry, 'nope', { parameterName: 'no-slash' }),
      variants: [{ model: ModelSource.fromImage('docker.io/library/nginx:latest', 'https://example.com/model.tar.gz') }],
    });
    expect(e.problems.map((p) => p.property)).toEqual(['model.model', 'model.parameterName', 'variants[0].model.imageUri', 'variants[0].model.modelDataUrl']);
    expect(e.problems[0].allowed).toBe('is not a model of registry Test/Registry; declared: churn');
  });

  test('fails when capture and async prefixes are not key prefixes, or the endpoint name is invalid', () => {
    const e = errorOf({ dataCapture: { lakehouse, prefix: '/capture' }, endpointName: 'bad_name' });
    expect(e.problems.map((p) => p.property)).toEqual(['dataCapture.prefix', 'endpointName']);
  });

  test('reports every problem at once, with the construct path', () => {
    const e = errorOf({ variants: [{ weight: 0, autoScaling: { minCapacity: 3, maxCapacity: 1 } }], dataCapture: { lakehouse, samplingPercentage: 200 } });
    expect(e.constructPath).toMatch(/^Test\/Case\d+\/Endpoint$/);
    expect(e.problems.map((p) => p.property)).toEqual(['variants[0].autoScaling.minCapacity', 'variants[*].weight', 'dataCapture.samplingPercentage']);
  });

  test('does not validate unresolved tokens', () => {
    expect(() => build({ endpointName: Lazy.string({ produce: () => 'x' }), dataCapture: { lakehouse, samplingPercentage: Lazy.number({ produce: () => 500 }) } })).not.toThrow();
  });
});

describe('InferenceEndpoint validation (property-based)', () => {
  type Case = { props: Partial<InferenceEndpointProps>; property: RegExp };
  const cases: fc.Arbitrary<Case> = fc.oneof(
    fc.array(fc.constant(0), { minLength: 1, maxLength: 10 })
      .map((w) => ({ props: { variants: w.map((weight, i) => ({ name: `V${i}`, weight })) }, property: /^variants\[\*\]\.weight$/ })),
    fc.integer({ min: 11, max: 30 }).map((n) => ({ props: { variants: named(n) }, property: /^variants$/ })),
    fc.integer({ min: 0, max: 20000 }).filter((m) => m % 1024 !== 0 || m === 0 || m > 6144)
      .map((memorySizeMiB) => ({ props: { variants: [{ serverless: { memorySizeMiB, maxConcurrency: 1 } }] }, property: /^variants\[0\]\.serverless\.memorySizeMiB$/ })),
    fc.tuple(fc.integer({ min: 2, max: 100 }), fc.integer({ min: 1, max: 99 })).filter(([min, max]) => min > max)
      .map(([minCapacity, maxCapacity]) => ({ props: { variants: [{ autoScaling: { minCapacity, maxCapacity } }] }, property: /^variants\[0\]\.autoScaling\.minCapacity$/ })),
    fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 51 }))
      .map((value) => ({ props: { deployment: DeploymentStrategy.canary({ canarySize: { type: 'CAPACITY_PERCENT', value } }) }, property: /^deployment\.canarySize\.value$/ })),
    fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 101 }), fc.double({ min: 0.01, max: 99.99, noInteger: true }))
      .map((samplingPercentage) => ({ props: { dataCapture: { lakehouse, samplingPercentage } }, property: /^dataCapture\.samplingPercentage$/ })),
    fc.constant<Case>({ props: { variants: [], shadowVariant: {} }, property: /^variants$/ }),
    fc.stringMatching(/^[a-z0-9.]{1,20}$/).filter((s) => InferenceInstanceType.of(s).problem() !== undefined)
      .map((s) => ({ props: { variants: [{ instanceType: InferenceInstanceType.of(s) }] }, property: /^variants\[0\]\.instanceType$/ })),
    fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}$/).map((name) => ({ props: { variants: [{ name }, { name }] }, property: /^variants\[1\]\.name$/ })),
  );

  test('random bad props always give a ValidationError naming the property, never a crash or a template', () => {
    fc.assert(fc.property(cases, ({ props, property }) => {
      const e = errorOf(props);
      expect(e.problems.some((p) => property.test(p.property))).toBe(true);
      expect(e.constructPath).toMatch(/^Test\/Case\d+\/Endpoint$/);
    }), { numRuns: 100 });
  });
});
