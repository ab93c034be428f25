import { esbuildProblem } from '../../lib/etl/private/esbuild';
import { Duration, Size } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { Template } from 'aws-cdk-lib/assertions';
import { EtlPipeline, EtlPipelineProps, GlueVersion, GlueWorkerType, LakehouseZone, Profiles, ValidationError } from '../../lib';
import { Construct } from 'constructs';
import { testStack } from '../helpers/app';
import { JOB_SCRIPT, RULESET, pipelineLakehouse } from '../helpers/etl';

type Props = Omit<EtlPipelineProps, 'lakehouse'>;

// One lakehouse for every case: a pipeline that fails validation adds nothing to the stack but its
// own empty node, and no test here synthesizes.
const stack = testStack();
const lakehouse = pipelineLakehouse(stack);
let count = 0;

function errorOf(props: Props): ValidationError {
  const scope = new Construct(stack, `Case${count++}`);
  try {
    new EtlPipeline(scope, 'Pipeline', { lakehouse, ...props });
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError, but the pipeline was created');
}

const batch = (extra: object = {}): Props => ({
  batch: {
    script: JOB_SCRIPT,
    source: { zone: LakehouseZone.RAW, table: 'events' },
    target: { zone: LakehouseZone.CURATED, table: 'clean' },
    dataQuality: { ruleset: RULESET },
    ...extra,
  },
});

describe('EtlPipeline validation', () => {
  test('fails when neither batch nor streaming is given', () => {
    expect(errorOf({}).message).toMatch(/at least one of batch and streaming is required/);
  });

  test('fails when the schedule is not a valid rate or cron expression', () => {
    expect(errorOf(batch({ schedule: 'cron(0 25 * * ? *)' })).message).toMatch(/batch\.schedule \("cron\(0 25 \* \* \? \*\)"\): hours 25 is outside 0-23/);
    expect(errorOf(batch({ schedule: 'rate(1 hours)' })).message).toMatch(/batch\.schedule \("rate\(1 hours\)"\): use "rate\(1 hour\)"/);
  });

  test('fails when the worker count, worker type or Glue version is not allowed', () => {
    const e = errorOf(batch({ numberOfWorkers: 1, workerType: GlueWorkerType.custom('G.025X'), glueVersion: GlueVersion.custom('2.0') }));
    expect(e.problems.map((p) => p.property)).toEqual(['batch.glueVersion', 'batch.workerType', 'batch.numberOfWorkers']);
    expect(e.message).toMatch(/batch\.glueVersion \("2\.0"\): must be one of 4\.0, 5\.0/);
    expect(e.message).toMatch(/batch\.numberOfWorkers \(1\): must be an integer from 2 to 299/);
  });

  test('fails when the DQDL ruleset is empty or not DQDL', () => {
    expect(errorOf(batch({ dataQuality: { ruleset: '   ' } })).message).toMatch(/batch\.dataQuality\.ruleset \(" {3}"\): must not be empty/);
    expect(errorOf(batch({ dataQuality: { ruleset: 'RowCount > 0' } })).message).toMatch(/must be DQDL of the form "Rules = \[ <rule>, \.\.\. \]"/);
    expect(errorOf(batch({ dataQuality: { ruleset: 'Rules = [ ]' } })).message).toMatch(/with at least one rule/);
  });

  test('fails when a zone or table is not in the lakehouse', () => {
    const e = errorOf(batch({ source: { zone: 'bronze' as LakehouseZone, table: 'events' }, target: { zone: LakehouseZone.ANALYTICS, table: 'nope' } }));
    expect(e.message).toMatch(/batch\.source\.zone \("bronze"\): is not a zone of lakehouse Test\/Lake; allowed: raw, curated, analytics/);
    expect(e.message).toMatch(/batch\.target\.table \("nope"\): is not a table declared in the analytics zone/);
  });

  test('fails when the script does not exist, timeouts are out of range or reserved arguments are overridden', () => {
    const e = errorOf(batch({ script: 'missing.py', timeout: Duration.hours(49), arguments: { '--job-bookmark-option': 'job-bookmark-disable', 'bad': 'x' } }));
    expect(e.problems.map((p) => p.property)).toEqual([
      'batch.script', 'batch.timeout', 'batch.arguments.--job-bookmark-option', 'batch.arguments.bad',
    ]);
  });

  test('fails when Firehose buffering hints are out of limits', () => {
    const e = errorOf({ streaming: { bufferInterval: Duration.seconds(901), bufferSize: Size.mebibytes(129) } });
    expect(e.message).toMatch(/streaming\.bufferInterval \(15 minutes 1 second\): must be between 0 and 900 seconds \(Firehose limit\)/);
    expect(e.message).toMatch(/streaming\.bufferSize \(129 MiB\): must be a whole number of MiB from 1 to 128/);
    expect(errorOf({ streaming: { table: 'events', bufferSize: Size.mebibytes(32) } }).message).toMatch(/Parquet conversion needs at least 64 MiB/);
  });

  test('fails when the streaming table is not a Parquet table of the zone', () => {
    expect(errorOf({ streaming: { zone: LakehouseZone.CURATED, table: 'features' } }).message)
      .toMatch(/streaming\.table \("features"\): must be a Parquet table for Firehose record-format conversion/);
    expect(errorOf({ streaming: { table: 'clean' } }).message).toMatch(/streaming\.table \("clean"\): is not a table declared in the raw zone/);
  });

  test('fails when shard count, retention or transformation settings are out of range', () => {
    const e = errorOf({ streaming: { shardCount: 0, retention: Duration.hours(1), transformation: { entry: 'nope.ts', memorySize: 64, timeout: Duration.minutes(6) } } });
    expect(e.problems.map((p) => p.property)).toEqual([
      'streaming.shardCount', 'streaming.retention', 'streaming.transformation.entry', 'streaming.transformation.timeout', 'streaming.transformation.memorySize',
    ]);
  });
});

describe('EtlPipeline validation (property-based)', () => {
  type Case = { props: Props; property: RegExp };
  const cases: fc.Arbitrary<Case> = fc.oneof(
    fc.oneof(fc.integer({ max: 1 }), fc.integer({ min: 300, max: 100000 }), fc.double({ min: 2.01, max: 298.99, noInteger: true }))
      .map((n) => ({ props: batch({ numberOfWorkers: n }), property: /^batch\.numberOfWorkers$/ })),
    fc.stringMatching(/^[0-9]\.[0-9]$/).filter((s) => !GlueVersion.SUPPORTED.includes(s))
      .map((s) => ({ props: batch({ glueVersion: GlueVersion.custom(s) }), property: /^batch\.glueVersion$/ })),
    fc.oneof(
      fc.integer({ min: 60, max: 200 }).map((m) => `cron(${m} 2 * * ? *)`),
      fc.integer({ min: 24, max: 99 }).map((h) => `cron(0 ${h} * * ? *)`),
      fc.integer({ min: 2, max: 100 }).map((n) => `rate(${n} minute)`),
      fc.stringMatching(/^[a-z ]{1,20}$/),
    ).map((schedule) => ({ props: batch({ schedule }), property: /^batch\.schedule$/ })),
    fc.stringMatching(/^\s*$/).map((ruleset) => ({ props: batch({ dataQuality: { ruleset } }), property: /^batch\.dataQuality\.ruleset$/ })),
    fc.stringMatching(/^[a-z]{3,10}$/).filter((z) => !['raw', 'curated', 'analytics'].includes(z))
      .map((zone) => ({ props: batch({ target: { zone: zone as LakehouseZone, table: 'clean' } }), property: /^batch\.target\.zone$/ })),
    fc.integer({ min: 901, max: 100000 }).map((s) => ({ props: { streaming: { bufferInterval: Duration.seconds(s) } }, property: /^streaming\.bufferInterval$/ })),
    fc.oneof(fc.integer({ min: 129, max: 10000 }), fc.integer({ min: 1, max: 63 }))
      .map((mib) => ({ props: { streaming: { table: 'events', bufferSize: Size.mebibytes(mib) } }, property: /^streaming\.bufferSize$/ })),
  );

  test('random bad props always give a ValidationError naming the property, never a crash or a template', () => {
    fc.assert(fc.property(cases, ({ props, property }) => {
      const e = errorOf(props);
      expect(e.problems.some((p) => property.test(p.property))).toBe(true);
      expect(e.constructPath).toMatch(/^Test\/Case\d+\/Pipeline$/);
    }), { numRuns: 100 });
  });
});

describe('streaming transformations need esbuild (issue 15, finding 8)', () => {
  test('without esbuild, the problem names esbuild and the install command instead of a Docker fallback', () => {
    expect(esbuildProblem(() => { throw new Error('Cannot find module'); })).toMatch(/needs esbuild to bundle the function without Docker: add it to your app \(npm install --save-dev esbuild\)/);
  });

  test('with esbuild resolvable (this repository), there is no problem', () => {
    expect(esbuildProblem()).toBeUndefined();
  });
});

describe('stream capacity by profile (issue 18)', () => {
  test('dev streams default to one provisioned shard; staging and prod to on-demand; an explicit shardCount wins', () => {
    const mode = (profile: typeof Profiles.DEV, shardCount?: number) => {
      const stack = testStack({ profile });
      new EtlPipeline(stack, 'P', { lakehouse: pipelineLakehouse(stack), streaming: { zone: LakehouseZone.RAW, table: 'events', shardCount } });
      const [s] = Object.values(Template.fromStack(stack).findResources('AWS::Kinesis::Stream'));
      return [s.Properties.StreamModeDetails.StreamMode, s.Properties.ShardCount];
    };
    expect(mode(Profiles.DEV)).toEqual(['PROVISIONED', 1]);
    expect(mode(Profiles.STAGING)).toEqual(['ON_DEMAND', undefined]);
    expect(mode(Profiles.PROD)).toEqual(['ON_DEMAND', undefined]);
    expect(mode(Profiles.DEV, 4)).toEqual(['PROVISIONED', 4]);
  });
});
