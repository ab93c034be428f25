import { Duration, Lazy, Size, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { ValidationError } from '../../lib/core';
import { IInferenceEndpoint } from '../../lib/inference';
import { DataLakehouse, LakehouseZone } from '../../lib/lakehouse';
import {
  ModelMonitor, ModelMonitorProps, ModelQualityMetric, ModelQualityMonitorOptions, ModelQualityProblemType, MonitoringInstanceType,
} from '../../lib/monitoring/model-monitor-index';
import { testStack } from '../helpers/app';

// One stack for every case: a monitor that fails validation adds only its own empty node, and no
// test here synthesizes. Endpoints are stand-ins with the attributes a monitor reads.
const stack = testStack();
const lakehouse = new DataLakehouse(stack, 'Lakehouse');
const rawBucket = lakehouse.zoneBucket(LakehouseZone.RAW).bucketName;
const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });

function endpointIn(scope: Construct, id: string, dataCaptureLocation?: string): IInferenceEndpoint {
  return Object.assign(new Construct(scope, id), {
    endpointName: 'mlops-prod-churn', endpointArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/mlops-prod-churn', variantNames: ['AllTraffic'], dataCaptureLocation,
  }) as unknown as IInferenceEndpoint;
}
const endpoint = endpointIn(stack, 'Endpoint', `s3://${rawBucket}/data-capture/mlops-prod-churn/`);
const regression: ModelQualityMonitorOptions = { problemType: ModelQualityProblemType.REGRESSION, qualityThreshold: 10 };
let count = 0;

function build(props: Partial<ModelMonitorProps>): ModelMonitor {
  const n = count++;
  return new ModelMonitor(new Construct(stack, `Case${n}`), 'Monitor', {
    endpoint, lakehouse, monitorName: `case-${n}`, dataQuality: { driftFeatures: ['tenure'] }, ...props,
  });
}

function errorOf(props: Partial<ModelMonitorProps>): ValidationError {
  try {
    build(props);
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError, but the monitor was created');
}

const dq = (o: Partial<ModelMonitorProps['dataQuality']>) => ({ dataQuality: { driftFeatures: ['tenure'], ...o } });
const mq = (o: Partial<ModelQualityMonitorOptions>) => ({ modelQuality: { ...regression, ...o } });
const properties = (e: ValidationError) => e.problems.map((p) => p.property);

describe('ModelMonitor validation', () => {
  test('fails when the endpoint does not capture data', () => {
    expect(errorOf({ endpoint: endpointIn(stack, 'NoCapture') }).message)
      .toMatch(/endpoint \("Test\/NoCapture"\): must have data capture on \(the dataCapture prop of InferenceEndpoint\)/);
  });

  test('fails when the lakehouse is not the one the endpoint captures into (its key would not decrypt the captures)', () => {
    const other = new DataLakehouse(stack, 'Other');
    expect(errorOf({ lakehouse: other }).message).toMatch(/lakehouse \("Test\/Other"\): must be the lakehouse the endpoint captures into/);
  });

  test('fails when the drift features are none, more than 10, badly named, repeated or tokens', () => {
    expect(errorOf(dq({ driftFeatures: [] })).message).toMatch(/dataQuality\.driftFeatures \("0 features"\): must list 1 to 10 features/);
    expect(errorOf(dq({ driftFeatures: Array.from({ length: 11 }, (_, i) => `f${i}`) })).message).toMatch(/dataQuality\.driftFeatures \("11 features"\)/);
    const e = errorOf(dq({ driftFeatures: ['tenure', 'monthly charges', 'tenure', 'x'.repeat(233), Lazy.string({ produce: () => 'f' })] }));
    expect(e.problems.map((p) => `${p.property} ${p.value}`)).toEqual([
      'dataQuality.driftFeatures[1] "monthly charges"',
      'dataQuality.driftFeatures[2] "tenure"',
      `dataQuality.driftFeatures[3] "${'x'.repeat(233)}"`,
      'dataQuality.driftFeatures[4] "(unresolved token)"',
    ]);
  });

  test('fails when the drift threshold is not above 0 and at most 1', () => {
    for (const t of [0, -0.1, 1.01, Number.NaN]) {
      expect(errorOf(dq({ driftThreshold: t })).message).toMatch(/dataQuality\.driftThreshold \([^)]*\): must be a number above 0 and at most 1/);
    }
    expect(() => build(dq({ driftThreshold: 1 }))).not.toThrow();
  });

  test('fails when a schedule is not one Model Monitor accepts', () => {
    for (const s of ['rate(1 hour)', 'cron(30 * ? * * *)', 'cron(0 12 * * ? *)', 'cron(0 * ? * MON *)']) {
      expect(errorOf(dq({ scheduleExpression: s })).message).toMatch(/dataQuality\.scheduleExpression \(".*"\): is not a schedule Model Monitor accepts; must be one of cron\(0 \* \? \* \* \*\) \(hourly\)/);
    }
    expect(errorOf(dq({ scheduleExpression: 'NOW' })).message).toMatch(/scheduleExpression \("NOW"\): is a one-time run, not a schedule/);
    expect(errorOf(dq({ scheduleExpression: 'cron(0 24 ? * * *)' })).message).toMatch(/starts at hour 24; the hour must be 0-23/);
    expect(errorOf(mq({ scheduleExpression: 'cron(0 1/0 ? * * *)' })).message).toMatch(/modelQuality\.scheduleExpression \("cron\(0 1\/0 \? \* \* \*\)"\): repeats every 0 hours/);
    for (const s of ['cron(0 * ? * * *)', 'cron(0 12 ? * * *)', 'cron(0 0 ? * * *)', 'cron(0 17/12 ? * * *)', 'cron(0 0/2 ? * * *)']) {
      expect(() => build(dq({ scheduleExpression: s }))).not.toThrow();
    }
  });

  test('fails when a run may outlast the schedule\'s interval (model quality: 1800 seconds when hourly)', () => {
    expect(errorOf(dq({ maxRuntime: Duration.minutes(61) })).message).toMatch(/dataQuality\.maxRuntime \(1 hour 1 minute\): must be a whole number of seconds from 1 to 3600 \(the schedule runs every 1 hour\)/);
    expect(errorOf(dq({ maxRuntime: Duration.millis(1500) })).message).toMatch(/dataQuality\.maxRuntime/);
    expect(errorOf(mq({ maxRuntime: Duration.minutes(31) })).message).toMatch(/modelQuality\.maxRuntime \(31 minutes\): must be a whole number of seconds from 1 to 1800/);
    expect(() => build({ ...dq({ scheduleExpression: 'cron(0 0/6 ? * * *)', maxRuntime: Duration.hours(6) }), ...mq({ scheduleExpression: 'cron(0 0/6 ? * * *)', maxRuntime: Duration.hours(2) }) })).not.toThrow();
    expect(errorOf(dq({ scheduleExpression: 'cron(0 3 ? * * *)', maxRuntime: Duration.hours(25) })).message).toMatch(/from 1 to 86400 \(the schedule runs every 24 hours\)/);
  });

  test('fails when instance type, count or volume size is not allowed', () => {
    const e = errorOf(dq({ instanceType: MonitoringInstanceType.of('m5.xlarge'), instanceCount: 0, volumeSize: Size.mebibytes(1536) }));
    expect(properties(e)).toEqual(['dataQuality.instanceType', 'dataQuality.instanceCount', 'dataQuality.volumeSize']);
    expect(e.message).toMatch(/dataQuality\.instanceType \("m5\.xlarge"\): must look like ml\.<family>\.<size>/);
    expect(e.message).toMatch(/dataQuality\.volumeSize \(1536 MiB\): must be a whole number of GiB from 1 to 16384/);
    expect(errorOf(mq({ instanceCount: 101 })).message).toMatch(/modelQuality\.instanceCount \(101\): must be a whole number from 1 to 100/);
    expect(errorOf(mq({ volumeSize: Size.tebibytes(17) })).message).toMatch(/modelQuality\.volumeSize \(17 TiB\)/);
  });

  test('fails when a baseline or ground-truth location is not an s3:// URI the role can be scoped to', () => {
    const e = errorOf({
      ...dq({ baselineConstraintsUri: 'https://bucket.s3.amazonaws.com/c.json', baselineStatisticsUri: 's3://bucket/baseline/' }),
      ...mq({ groundTruthUri: Lazy.string({ produce: () => 's3://labels/x/' }), baselineConstraintsUri: 's3://Bad_Bucket/c.json' }),
    });
    expect(e.problems.map((p) => `${p.property} ${p.value}`)).toEqual([
      'dataQuality.baselineConstraintsUri "https://bucket.s3.amazonaws.com/c.json"',
      'dataQuality.baselineStatisticsUri "s3://bucket/baseline/"',
      'modelQuality.groundTruthUri "(unresolved token)"',
      'modelQuality.baselineConstraintsUri "s3://Bad_Bucket/c.json"',
    ]);
    expect(e.message).toMatch(/baselineStatisticsUri \("s3:\/\/bucket\/baseline\/"\): must be an s3:\/\/<bucket>\/<key> URI of an object \(not ending with "\/"\)/);
    expect(e.message).toMatch(/groundTruthUri \("\(unresolved token\)"\): must be a string that starts with "s3:\/\/<bucket>\/" \(only the bucket may be a token\)/);
    // A token bucket with a literal key is fine.
    expect(() => build(dq({ baselineConstraintsUri: `s3://${lakehouse.zoneBucket(LakehouseZone.CURATED).bucketName}/baselines/c.json` }))).not.toThrow();
  });

  test('fails when monitorName is not canonical, a token, too long for a schedule name, or already used in the account and region', () => {
    expect(errorOf({ monitorName: 'Churn_Monitor' }).message).toMatch(/monitorName \("Churn_Monitor"\): must be lowercase letters and digits, words joined by single hyphens/);
    expect(errorOf({ monitorName: Lazy.string({ produce: () => 'x' }) }).message).toMatch(/monitorName \("\(unresolved token\)"\): must be a literal/);
    const longest = 'a'.repeat(63 - 'mlops-prod--model-quality'.length);
    expect(() => build({ monitorName: longest, ...mq({}) })).not.toThrow();
    expect(errorOf({ monitorName: `${longest}b`, ...mq({}) }).message)
      .toContain(`monitorName ("${longest}b"): makes the schedule name "mlops-prod-${longest}b-model-quality" 64 characters long; SageMaker allows at most 63`);
    expect(() => build({ monitorName: 'shared' })).not.toThrow();
    expect(errorOf({ monitorName: 'shared' }).message).toMatch(/monitorName \("shared"\): makes the schedule name "mlops-prod-shared-data-quality", already used by Test\/Case\d+\/Monitor/);
    // Another region of the same app is another namespace.
    const west = new Stack(stack.node.root as Construct, 'West', { env: { account: '123456789012', region: 'us-west-2' } });
    expect(() => new ModelMonitor(west, 'Monitor', { endpoint, lakehouse, monitorName: 'shared', dataQuality: { driftFeatures: ['tenure'] } })).not.toThrow();
  });

  test('the default name is the construct id, and a long id fails naming monitorName', () => {
    const id = 'A'.repeat(60);
    let caught: unknown;
    try {
      new ModelMonitor(new Construct(stack, 'LongId'), id, { endpoint, lakehouse, dataQuality: { driftFeatures: ['tenure'] } });
    } catch (e) {
      caught = e;
    }
    expect((caught as ValidationError).message).toMatch(/monitorName \("A{60}"\): makes the schedule name "mlops-prod-a{60}-data-quality" \d+ characters long.*\(monitorName defaults to the construct id\)/);
  });

  test('fails when the zone, prefix, image or network settings are not allowed', () => {
    const e = errorOf({ zone: 'gold' as LakehouseZone, prefix: '/monitor', imageUri: 'an image', subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    expect(properties(e)).toEqual(['zone', 'prefix', 'imageUri', 'subnets']);
    expect(e.message).toMatch(/zone \("gold"\): is not a zone of lakehouse Test\/Lakehouse; allowed: raw, curated, analytics/);
    const groups = Array.from({ length: 6 }, (_, i) => ec2.SecurityGroup.fromSecurityGroupId(stack, `Sg${count}-${i}`, `sg-0000000${i}`));
    expect(errorOf({ vpc, securityGroups: groups }).message).toMatch(/securityGroups \("6 groups"\): must hold 1 to 5 security groups/);
    expect(errorOf({ securityGroups: groups.slice(0, 1) }).message).toMatch(/securityGroups \("1 groups"\): must not be set without vpc/);
    expect(() => build({ vpc, securityGroups: groups.slice(0, 2) })).not.toThrow();
  });

  test('fails when the problem type, metric or threshold do not go together', () => {
    expect(errorOf(mq({ problemType: ModelQualityProblemType.custom('Ranking') })).message)
      .toMatch(/modelQuality\.problemType \("Ranking"\): must be one of BinaryClassification, MulticlassClassification, Regression/);
    expect(errorOf(mq({ qualityMetric: ModelQualityMetric.AUC })).message).toMatch(/modelQuality\.qualityMetric \("auc"\): is not a Regression metric; allowed: mae, mse, rmse, r2/);
    expect(errorOf(mq({ qualityMetric: ModelQualityMetric.custom('mape') })).message).toMatch(/modelQuality\.qualityMetric \("mape"\)/);
    expect(errorOf(mq({ qualityThreshold: -1 })).message).toMatch(/modelQuality\.qualityThreshold \(-1\): must be a finite number of at least 0 for rmse/);
    expect(errorOf(mq({ qualityMetric: ModelQualityMetric.R2, qualityThreshold: 1.5 })).message).toMatch(/qualityThreshold \(1\.5\): must be a finite number of at most 1 for r2/);
    expect(errorOf({ modelQuality: { problemType: ModelQualityProblemType.BINARY_CLASSIFICATION, qualityThreshold: 1.2 } }).message)
      .toMatch(/qualityThreshold \(1\.2\): must be a finite number from 0 to 1 for auc/);
    expect(() => build({ modelQuality: { problemType: ModelQualityProblemType.MULTICLASS_CLASSIFICATION, qualityThreshold: 0.8, qualityMetric: ModelQualityMetric.ACCURACY } })).not.toThrow();
  });

  test('fails when probability settings do not fit the problem, or the analysis window is not whole hours ending after it starts', () => {
    expect(properties(errorOf(mq({ probabilityAttribute: '1', probabilityThreshold: 0.5 })))).toEqual([
      'modelQuality.probabilityAttribute', 'modelQuality.probabilityThreshold',
    ]);
    const multi = { problemType: ModelQualityProblemType.MULTICLASS_CLASSIFICATION, qualityThreshold: 0.8 };
    expect(errorOf({ modelQuality: { ...multi, probabilityThreshold: 1 } }).problems.map((p) => p.allowed)).toEqual([
      'must be a number above 0 and below 1', 'is only for BinaryClassification', 'needs probabilityAttribute (the probability it is compared with)',
    ]);
    expect(errorOf(mq({ inferenceAttribute: '' })).message).toMatch(/modelQuality\.inferenceAttribute \(""\): must be an index or JSONPath of 1 to 256 characters/);
    expect(errorOf(mq({ startTimeOffset: Duration.minutes(90) })).message).toMatch(/modelQuality\.startTimeOffset \(1 hour 30 minutes\): must be a whole number of hours from 1 to 720/);
    expect(errorOf(mq({ startTimeOffset: Duration.hours(24), endTimeOffset: Duration.hours(24) })).message)
      .toMatch(/modelQuality\.endTimeOffset \(1 day\): must be below startTimeOffset \(1 day\)/);
    expect(errorOf(mq({ endTimeOffset: Duration.days(31) })).message).toMatch(/endTimeOffset \(31 days\)/);
  });

  test('collects every problem into one error naming the construct path', () => {
    const e = errorOf({ monitorName: 'Bad', ...dq({ driftFeatures: [], driftThreshold: 2 }), ...mq({ qualityThreshold: -3 }) });
    expect(e.constructPath).toMatch(/^Test\/Case\d+\/Monitor$/);
    expect(e.message).toMatch(/^Invalid configuration for Test\/Case\d+\/Monitor \(4 problems\):/);
    expect(properties(e)).toEqual(['monitorName', 'dataQuality.driftFeatures', 'dataQuality.driftThreshold', 'modelQuality.qualityThreshold']);
  });

  test('unresolved tokens are not validated', () => {
    const n = (v: number) => Token.asNumber(Lazy.number({ produce: () => v }));
    expect(() => build({
      ...dq({ driftThreshold: n(5), instanceCount: n(500), scheduleExpression: Lazy.string({ produce: () => 'x' }), maxRuntime: Duration.seconds(n(99999)) }),
      ...mq({ qualityThreshold: n(-1), inferenceAttribute: Lazy.string({ produce: () => '' }) }),
      imageUri: Lazy.string({ produce: () => '' }),
    })).not.toThrow();
  });
});

describe('ModelMonitor validation (property-based)', () => {
  type Case = { props: Partial<ModelMonitorProps>; property: RegExp };
  const badFeature = fc.string({ maxLength: 40 }).filter((s) => !/^[A-Za-z0-9_.-]{1,232}$/.test(s));
  const badSchedule = fc.string({ maxLength: 30 }).filter((s) => !/^cron\(0 (\*|\d{1,2}(\/\d{1,2})?) \? \* \* \*\)$/.test(s));
  const badUri = fc.string({ maxLength: 40 }).filter((s) => !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+$/.test(s) || s.endsWith('/'));
  const cases: fc.Arbitrary<Case> = fc.oneof(
    badFeature.map((f) => ({ props: dq({ driftFeatures: [f] }), property: /^dataQuality\.driftFeatures\[0\]$/ })),
    fc.integer({ min: 11, max: 30 }).map((n) => ({ props: dq({ driftFeatures: Array.from({ length: n }, (_, i) => `f${i}`) }), property: /^dataQuality\.driftFeatures$/ })),
    fc.oneof(fc.double({ max: 0, noNaN: true }), fc.double({ min: 1.0001, noNaN: true }), fc.constant(Number.NaN))
      .map((t) => ({ props: dq({ driftThreshold: t }), property: /^dataQuality\.driftThreshold$/ })),
    badSchedule.map((s) => ({ props: dq({ scheduleExpression: s }), property: /^dataQuality\.scheduleExpression$/ })),
    fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 101 }), fc.double({ min: 1.01, max: 99.99, noInteger: true }))
      .map((n) => ({ props: mq({ instanceCount: n }), property: /^modelQuality\.instanceCount$/ })),
    fc.integer({ min: 3601, max: 200000 }).map((s) => ({ props: dq({ maxRuntime: Duration.seconds(s) }), property: /^dataQuality\.maxRuntime$/ })),
    fc.integer({ min: 1801, max: 200000 }).map((s) => ({ props: mq({ maxRuntime: Duration.seconds(s) }), property: /^modelQuality\.maxRuntime$/ })),
    fc.oneof(fc.integer({ min: 16385, max: 100000 }).map((g) => Size.gibibytes(g)), fc.integer({ min: 1, max: 1023 }).map((m) => Size.mebibytes(m)))
      .map((size) => ({ props: dq({ volumeSize: size }), property: /^dataQuality\.volumeSize$/ })),
    fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(s))
      .map((name) => ({ props: { monitorName: name }, property: /^monitorName$/ })),
    badUri.map((u) => ({ props: dq({ baselineStatisticsUri: u }), property: /^dataQuality\.baselineStatisticsUri$/ })),
    badUri.map((u) => ({ props: mq({ baselineConstraintsUri: u }), property: /^modelQuality\.baselineConstraintsUri$/ })),
    fc.string({ maxLength: 30 }).filter((s) => !ModelQualityProblemType.SUPPORTED.includes(s))
      .map((t) => ({ props: mq({ problemType: ModelQualityProblemType.custom(t) }), property: /^modelQuality\.problemType$/ })),
    fc.oneof(fc.double({ max: -0.0001, noNaN: true }), fc.double({ min: 1.0001, noNaN: true }))
      .map((t) => ({ props: { modelQuality: { problemType: ModelQualityProblemType.BINARY_CLASSIFICATION, qualityThreshold: t } }, property: /^modelQuality\.qualityThreshold$/ })),
    fc.constantFrom(...ModelQualityMetric.ALL.filter((m) => !m.problemTypes.includes('Regression')))
      .map((m) => ({ props: mq({ qualityMetric: m }), property: /^modelQuality\.qualityMetric$/ })),
  );

  test('random bad props always give a ValidationError naming the property, never a crash or a monitor', () => {
    fc.assert(fc.property(cases, ({ props, property }) => {
      const e = errorOf(props);
      expect(e.problems.some((p) => property.test(p.property))).toBe(true);
      expect(e.constructPath).toMatch(/^Test\/Case\d+\/Monitor$/);
    }), { numRuns: 150 });
  });
});
