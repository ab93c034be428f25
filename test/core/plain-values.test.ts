import { App, Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import {
  ColumnType, DataLakehouse, InferenceEndpoint, LakehouseZone, ModelSource, PlatformStage, Profiles, ValidationError, applyPlatform,
} from '../../lib';
import { DEFINITION } from '../../bin/main';
import { ENVIRONMENTS } from '../../bin/environments';
import { testApp, testStack } from '../helpers/app';

/** Runs `build` and returns the ValidationError it throws; any other outcome fails the test. */
function validationErrorOf(build: () => unknown): ValidationError {
  try {
    build();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw new Error(`expected a ValidationError, got ${(e as Error).name}: ${(e as Error).message}`);
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
}

// Values a hurried user or a YAML/JSON config gives where an enum-like class is expected.
const plainValues = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.dictionary(fc.string(), fc.string()), fc.array(fc.string()));
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1.0.0';

describe('plain JavaScript values where the API expects enum-like classes fail with a ValidationError naming the property, never a TypeError (issue 15)', () => {
  test('a column type given as a string, e.g. "string"', () => {
    const e = validationErrorOf(() => new DataLakehouse(testStack(), 'Lake', {
      tables: [{ name: 't', zone: LakehouseZone.RAW, columns: [{ name: 'id', type: 'string' as unknown as ColumnType }] }],
    }));
    expect(e.message).toMatch(/tables\[0\]\.columns\[0\]\.type \("string"\): must be a ColumnType \(ColumnType\.STRING, .*\), not a plain string/);
  });

  test('any plain value as a column type', () => {
    fc.assert(fc.property(plainValues, (type) => {
      const e = validationErrorOf(() => new DataLakehouse(testStack(), 'Lake', {
        tables: [{ name: 't', zone: LakehouseZone.RAW, columns: [{ name: 'id', type: type as unknown as ColumnType }] }],
      }));
      expect(e.problems.map((p) => p.property)).toContain('tables[0].columns[0].type');
    }), { numRuns: 25 });
  });

  test('an instance type given as "ml.m5.large", a model and a deployment given as plain values', () => {
    const e = validationErrorOf(() => new InferenceEndpoint(testStack(), 'Endpoint', {
      model: ModelSource.fromImage(IMAGE),
      variants: [{ instanceType: 'ml.m5.large' as never }],
    }));
    expect(e.message).toMatch(/variants\[0\]\.instanceType \("ml\.m5\.large"\): must be a MlInstanceType \(MlInstanceType\.M5_LARGE or MlInstanceType\.of\("ml\.m5\.large"\)\), not a plain string/);
    fc.assert(fc.property(plainValues, plainValues, (model, deployment) => {
      const err = validationErrorOf(() => new InferenceEndpoint(testStack(), 'Endpoint', { model: model as never, deployment: deployment as never }));
      const props = err.problems.map((p) => p.property);
      if (model !== undefined) expect(props).toContain('model');
      if (deployment !== undefined) expect(props).toContain('deployment');
    }), { numRuns: 25 });
  });

  test('Profiles.of with a name outside dev, staging, prod (e.g. "production")', () => {
    expect(validationErrorOf(() => Profiles.of('production' as never)).message).toMatch(/name \("production"\): must be one of dev, staging, prod/);
  });

  test('applyPlatform with a profile given as a string', () => {
    const e = validationErrorOf(() => applyPlatform(new App(), { project: 'acme', profile: 'prod' as never, owner: 'o', costCentre: 'c' }));
    expect(e.message).toMatch(/profile \("prod"\): must be an EnvironmentProfile/);
  });

  test('an environment with a bad name, account, region, profile or email address', () => {
    const e = validationErrorOf(() => new PlatformStage(testApp(), 'dev', {
      definition: DEFINITION,
      environment: {
        ...ENVIRONMENTS.dev, name: 'production' as never, account: '12345', region: 'Europe', profile: 'dev' as never,
        alarmEmails: ['ops@example.com', 'not an address'], approverEmails: ['lead@'],
      },
    }));
    expect(e.problems.map((p) => p.property)).toEqual(expect.arrayContaining([
      'environment.name', 'environment.account', 'environment.region', 'environment.profile', 'environment.alarmEmails[1]', 'environment.approverEmails[0]',
    ]));
    expect(e.problems.map((p) => p.property)).not.toContain('environment.alarmEmails[0]');
    expect(e.message).toMatch(/environment\.account \("12345"\): must be a 12-digit AWS account ID/);
  });
});

test('a valid stack is unaffected', () => {
  const s = new Stack(new App(), 'S');
  applyPlatform(s, { project: 'acme', profile: Profiles.of('dev'), owner: 'o', costCentre: 'c' });
  expect(() => new DataLakehouse(s, 'Lake', { tables: [{ name: 't', zone: LakehouseZone.RAW, columns: [{ name: 'id', type: ColumnType.STRING }] }] })).not.toThrow();
});
