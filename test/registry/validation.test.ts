import { Lazy, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { ValidationError } from '../../lib';
import { ModelRegistry, ModelRegistryProps, TrackingServerSize } from '../../lib/registry';
import { testStack } from '../helpers/app';

// One stack for every case: a registry that fails validation adds nothing but its own empty node,
// and no test here synthesizes.
const stack = testStack();
let count = 0;

function build(props: Partial<ModelRegistryProps>): ModelRegistry {
  return new ModelRegistry(new Construct(stack, `Case${count++}`), 'Registry', { models: [{ name: 'churn' }], ...props });
}

function errorOf(props: Partial<ModelRegistryProps>): ValidationError {
  try {
    build(props);
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError, but the registry was created');
}

/** Longest model name that fits `mlops-prod-<name>` into SageMaker's 63 characters. */
const MAX_MODEL = 63 - 'mlops-prod-'.length;

describe('ModelRegistry validation', () => {
  test('fails when no model is declared', () => {
    expect(errorOf({ models: [] }).message).toMatch(/models \(0\): must declare at least one model/);
  });

  test('fails when a model name is not a valid, canonical model package group name part', () => {
    for (const name of ['Churn', 'churn--v2', '-churn', 'churn-', 'churn_v2', 'churn.v2', '']) {
      const e = errorOf({ models: [{ name }] });
      expect(e.problems[0]).toEqual({
        property: 'models[0].name', value: JSON.stringify(name),
        allowed: 'must be lowercase letters and digits, words joined by single hyphens, starting and ending with a letter or digit',
      });
    }
  });

  test('fails when the model package group name would exceed 63 characters, naming the group and the room left', () => {
    const name = 'a'.repeat(MAX_MODEL + 1);
    expect(() => build({ models: [{ name: 'a'.repeat(MAX_MODEL) }] })).not.toThrow();
    expect(errorOf({ models: [{ name }] }).message).toContain(
      `models[0].name ("${name}"): makes the model package group name "mlops-prod-${name}" 64 characters long; ` +
      `SageMaker allows at most 63 (at most ${MAX_MODEL} for the model name in this project and environment)`);
  });

  test('fails when a model is declared twice', () => {
    expect(errorOf({ models: [{ name: 'churn' }, { name: 'fraud' }, { name: 'churn' }] }).message)
      .toMatch(/models\[2\]\.name \("churn"\): must be unique: each model is declared once/);
  });

  test('fails when a model name is a token (it becomes construct IDs and physical names)', () => {
    expect(errorOf({ models: [{ name: Lazy.string({ produce: () => 'churn' }) }] }).message)
      .toMatch(/models\[0\]\.name \("\(unresolved token\)"\): must be a literal string/);
  });

  test('fails when a description is too long', () => {
    expect(errorOf({ models: [{ name: 'churn', description: 'x'.repeat(1025) }] }).message)
      .toMatch(/models\[0\]\.description \("x{60}\.\.\."\): must be at most 1024 .* \(got 1025 characters\)/);
  });

  test('fails when so many models are declared that the approval rule pattern exceeds EventBridge\'s 2048 characters', () => {
    const models = Array.from({ length: 40 }, (_, i) => ({ name: `model-${String(i).padStart(2, '0')}-${'x'.repeat(40)}` }));
    expect(errorOf({ models }).message).toMatch(/models \("40 models"\): make the approved rule's event pattern \d{4} characters long; EventBridge allows 2048/);
  });

  test('fails when imageRetention is not a whole number from 1 to 1000', () => {
    for (const n of [0, 1001, 2.5, -1, Number.NaN]) {
      expect(errorOf({ imageRetention: n }).message).toMatch(/imageRetention \([^)]*\): must be a whole number of images from 1 to 1000/);
    }
  });

  test('fails when a cross-account reader is not an exact role ARN, is listed twice or is a role of this account', () => {
    const reader = 'arn:aws:iam::111111111111:role/mlops-staging-serve-churn';
    const e = errorOf({ crossAccountReaders: ['12345', '111111111111', reader, reader, 'arn:aws:iam::123456789012:role/own', 'arn:aws:iam::111111111111:root', 'arn:aws:iam::111111111111:role/*'] });
    expect(e.problems.map((p) => `${p.property} ${p.value}`)).toEqual([
      'crossAccountReaders[0] "12345"',
      'crossAccountReaders[1] "111111111111"',
      `crossAccountReaders[3] "${reader}"`,
      'crossAccountReaders[4] "arn:aws:iam::123456789012:role/own"',
      'crossAccountReaders[5] "arn:aws:iam::111111111111:root"',
      'crossAccountReaders[6] "arn:aws:iam::111111111111:role/*"',
    ]);
    // An account ID (what 0.x before this change took) is refused with the way forward.
    expect(e.message).toMatch(/crossAccountReaders\[1\] \("111111111111"\): must be the exact ARN of an IAM role[^\n]*a whole account is no longer admitted/);
    expect(e.message).toMatch(/crossAccountReaders\[4\] \("arn:aws:iam::123456789012:role\/own"\): must be a role of another account than the registry's/);
  });

  test('fails when MLflow size, version or maintenance window is not allowed', () => {
    const e = errorOf({ mlflow: { enabled: true, size: TrackingServerSize.custom('XLarge'), mlflowVersion: 'latest', weeklyMaintenanceWindowStart: 'TUE:25:00' } });
    expect(e.problems.map((p) => p.property)).toEqual(['mlflow.size', 'mlflow.mlflowVersion', 'mlflow.weeklyMaintenanceWindowStart']);
    expect(e.message).toMatch(/mlflow\.size \("XLarge"\): must be one of Small, Medium, Large/);
  });

  test('collects every problem into one error naming the construct path', () => {
    const e = errorOf({ models: [{ name: 'Bad' }, { name: 'Bad' }], imageRetention: 0, crossAccountReaders: ['1'] });
    expect(e.constructPath).toMatch(/^Test\/Case\d+\/Registry$/);
    expect(e.message).toMatch(/^Invalid configuration for Test\/Case\d+\/Registry \(5 problems\):/);
    expect(e.problems.map((p) => p.property)).toEqual(['models[0].name', 'models[1].name', 'models[1].name', 'imageRetention', 'crossAccountReaders[0]']);
  });

  test('unresolved tokens are not validated', () => {
    expect(() => build({
      imageRetention: Token.asNumber(Lazy.number({ produce: () => 5 })),
      crossAccountReaders: [Lazy.string({ produce: () => 'arn:aws:iam::111111111111:role/reader' })],
    })).not.toThrow();
  });
});

describe('ModelRegistry validation (property-based)', () => {
  type Case = { props: Partial<ModelRegistryProps>; property: RegExp };
  const validName = fc.stringMatching(/^[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,2}$/);
  const cases: fc.Arbitrary<Case> = fc.oneof(
    fc.string({ maxLength: 30 }).filter((s) => !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(s))
      .map((name) => ({ props: { models: [{ name }] }, property: /^models\[0\]\.name$/ })),
    fc.stringMatching(new RegExp(`^[a-z0-9]{${MAX_MODEL + 1},120}$`))
      .map((name) => ({ props: { models: [{ name }] }, property: /^models\[0\]\.name$/ })),
    validName.map((name) => ({ props: { models: [{ name }, { name }] }, property: /^models\[1\]\.name$/ })),
    fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 1001 }), fc.double({ min: 1.01, max: 999.99, noInteger: true }))
      .map((imageRetention) => ({ props: { imageRetention }, property: /^imageRetention$/ })),
    fc.string({ maxLength: 40 }).filter((s) => !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(s))
      .map((id) => ({ props: { crossAccountReaders: [id] }, property: /^crossAccountReaders\[0\]$/ })),
    fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !TrackingServerSize.SUPPORTED.includes(s))
      .map((size) => ({ props: { mlflow: { enabled: true, size: TrackingServerSize.custom(size) } }, property: /^mlflow\.size$/ })),
    fc.string({ maxLength: 12 }).filter((s) => !/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01]\d|2[0-3]):([0-5]\d)$/.test(s))
      .map((w) => ({ props: { mlflow: { enabled: true, weeklyMaintenanceWindowStart: w } }, property: /^mlflow\.weeklyMaintenanceWindowStart$/ })),
    fc.string({ minLength: 1025, maxLength: 1100 })
      .map((description) => ({ props: { models: [{ name: 'churn', description }] }, property: /^models\[0\]\.description$/ })),
  );

  test('random bad props always give a ValidationError naming the property, never a crash or a registry', () => {
    fc.assert(fc.property(cases, ({ props, property }) => {
      const e = errorOf(props);
      expect(e.problems.some((p) => property.test(p.property))).toBe(true);
      expect(e.constructPath).toMatch(/^Test\/Case\d+\/Registry$/);
    }), { numRuns: 150 });
  });
});
