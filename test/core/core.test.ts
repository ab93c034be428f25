import { App, Aspects, Duration, RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ALLOW_DESTROY_CONTEXT, DEFAULT_PLATFORM_SETTINGS, Platform, Profiles, StandardTags, ValidationError, Validator,
  applyPlatform, bucketNameProblem, createKey, dashedName, glueName, grantWithKey, normalizeTemplate, resolveRemovalPolicy,
} from '../../lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { TEST_ENV, VERSION } from '../helpers/app';

describe('Validator and ValidationError', () => {
  test('collects every problem and throws once with path, property, value and what is allowed', () => {
    const stack = new Stack(new App(), 'S');
    const v = new Validator(stack);
    v.check(false, 'minCapacity', 5, 'must not exceed maxCapacity (2)');
    v.inRange(101, 0, 100, 'samplingPercentage');
    v.matches('Bad Name', /^[a-z]+$/, 'name', 'must be lowercase letters');
    v.check(true, 'fine', 1, 'never shown');
    expect(v.count).toBe(3);
    let error: ValidationError | undefined;
    try { v.throwIfAny(); } catch (e) { error = e as ValidationError; }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error!.message).toBe([
      'Invalid configuration for S (3 problems):',
      '  - minCapacity (5): must not exceed maxCapacity (2)',
      '  - samplingPercentage (101): must be between 0 and 100',
      '  - name ("Bad Name"): must be lowercase letters',
    ].join('\n'));
  });

  test('skips unresolved tokens and renders durations and sizes', () => {
    const v = new Validator(new Stack(new App(), 'S'));
    v.check(false, 'a', Token.asString({ Ref: 'P' }), 'x');
    v.check(false, 'b', Token.asNumber({ Ref: 'P' }), 'x');
    v.check(false, 'c', Duration.seconds(Token.asNumber({ Ref: 'P' })), 'x');
    expect(v.count).toBe(0);
    v.check(false, 'd', Duration.days(3), 'x');
    v.check(false, 'e', Size.kibibytes(1), 'x');
    v.check(false, 'f', Size.bytes(1500), 'x');
    expect(() => v.throwIfAny()).toThrow(/d \(3 days\): x\n  - e \(1 KiB\): x\n  - f \(1500 bytes\): x/);
  });

  test('does not throw when there is nothing to report', () => {
    expect(() => new Validator(new Stack(new App(), 'S')).throwIfAny()).not.toThrow();
  });
});

describe('Platform settings and profiles', () => {
  test('without configuration a construct gets the production profile', () => {
    const stack = new Stack(new App(), 'S');
    expect(Platform.of(stack)).toBe(DEFAULT_PLATFORM_SETTINGS);
    expect(Platform.of(stack).profile).toBe(Profiles.PROD);
  });

  test('the nearest configured ancestor wins', () => {
    const app = new App();
    applyPlatform(app, { project: 'p', profile: Profiles.PROD, owner: 'o', costCentre: 'c' });
    const stack = new Stack(app, 'S');
    Platform.configure(stack, { project: 'q', profile: Profiles.DEV, owner: 'o', costCentre: 'c' });
    const child = new s3.Bucket(stack, 'B');
    expect(Platform.of(child).project).toBe('q');
    expect(Platform.of(app).project).toBe('p');
  });

  test('profiles get stricter from dev to prod', () => {
    expect(Profiles.of('dev').allowDestroy).toBe(true);
    for (const p of [Profiles.of('staging'), Profiles.of('prod')]) {
      expect(p.allowDestroy).toBe(false);
      expect(p.removalPolicy).toBe(RemovalPolicy.RETAIN);
      expect(p.deletionProtection).toBe(true);
    }
    expect(Profiles.PROD.noncurrentVersionRetention.toDays()).toBeGreaterThan(Profiles.DEV.noncurrentVersionRetention.toDays());
  });

  test('fails when the project name or a non-dev profile allowing destroy is configured', () => {
    expect(() => Platform.configure(new App(), { project: 'Bad_Project', profile: { ...Profiles.PROD, allowDestroy: true }, owner: 'o', costCentre: 'c' }))
      .toThrow(/project \("Bad_Project"\)[\s\S]*profile\.allowDestroy \(true\): may only be true for the dev profile/);
  });
});

describe('removal-policy guard', () => {
  const scope = (profile = Profiles.DEV, context: Record<string, unknown> = {}) => {
    const app = new App({ context });
    applyPlatform(app, { project: 'p', profile, owner: 'o', costCentre: 'c' });
    return new Stack(app, 'S');
  };

  test('DESTROY only with the dev profile and the context flag', () => {
    expect(resolveRemovalPolicy(scope(Profiles.DEV, { [ALLOW_DESTROY_CONTEXT]: true }))).toBe(RemovalPolicy.DESTROY);
  });

  test('dev without the flag retains and warns', () => {
    const s = scope(Profiles.DEV);
    expect(resolveRemovalPolicy(s)).toBe(RemovalPolicy.RETAIN);
    Annotations.fromStack(s).hasWarning('/S', Match.stringLikeRegexp('mlops:allowDestroy=true is not set'));
  });

  test('prod with the flag and an explicit DESTROY still retains and warns', () => {
    const s = scope(Profiles.PROD, { [ALLOW_DESTROY_CONTEXT]: true });
    expect(resolveRemovalPolicy(s, RemovalPolicy.DESTROY)).toBe(RemovalPolicy.RETAIN);
    Annotations.fromStack(s).hasWarning('/S', Match.stringLikeRegexp('the "prod" profile never allows it'));
  });

  test('RETAIN and SNAPSHOT pass through without a warning', () => {
    const s = scope(Profiles.PROD);
    expect(resolveRemovalPolicy(s)).toBe(RemovalPolicy.RETAIN);
    expect(resolveRemovalPolicy(s, RemovalPolicy.SNAPSHOT)).toBe(RemovalPolicy.SNAPSHOT);
    Annotations.fromStack(s).hasNoWarning('*', Match.anyValue());
  });
});

describe('naming', () => {
  test('bucket names follow S3 rules and refuse dots and reserved affixes', () => {
    expect(bucketNameProblem('acme-ml-raw')).toBeUndefined();
    for (const bad of ['ab', 'UPPER-case', 'with.dot', '-lead', 'trail-', 'a--b', 'xn--abc', 'bucket-s3alias', 'a'.repeat(64)]) {
      expect(bucketNameProblem(bad)).toBeDefined();
    }
  });

  test('glue and dashed names are built from project, environment and parts', () => {
    const app = new App();
    applyPlatform(app, { project: 'acme-ml', profile: Profiles.STAGING, owner: 'o', costCentre: 'c' });
    const stack = new Stack(app, 'S');
    expect(glueName(stack, 'Lake', 'raw')).toBe('acme_ml_staging_lake_raw');
    expect(dashedName(stack, 128, 'lake')).toBe('acme-ml-staging-lake');
    expect(dashedName(stack, 12, 'lake')).toBe('acme-ml-stag');
  });
});

describe('tagging aspect', () => {
  test('tags every taggable resource with project, environment, owner and cost centre', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    Aspects.of(stack).add(new StandardTags({ project: 'p', profile: Profiles.STAGING, owner: 'team-a', costCentre: 'cc-9' }));
    new s3.Bucket(stack, 'B');
    new events.Rule(stack, 'R', { schedule: events.Schedule.rate(Duration.hours(1)) });
    // A resource with the newer tag manager (cdkTagManager) is tagged too.
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { Tags: Match.arrayWith([{ Key: 'Project', Value: 'p' }]) });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', { Tags: [
      { Key: 'CostCenter', Value: 'cc-9' }, { Key: 'Environment', Value: 'staging' }, { Key: 'Owner', Value: 'team-a' }, { Key: 'Project', Value: 'p' },
    ] });
  });
});

describe('KMS key helper and grants', () => {
  test('keys always rotate and use the profile pending window', () => {
    const app = new App();
    applyPlatform(app, { project: 'p', profile: Profiles.DEV, owner: 'o', costCentre: 'c' });
    const stack = new Stack(app, 'S');
    createKey(stack, 'K', { description: 'd', removalPolicy: RemovalPolicy.RETAIN });
    Template.fromStack(stack).hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, PendingWindowInDays: 7, Description: 'd' },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('grantWithKey grants the key with the resource and refuses wildcard actions', () => {
    const stack = new Stack(new App(), 'S', { env: TEST_ENV });
    const key = createKey(stack, 'K', { description: 'd', removalPolicy: RemovalPolicy.RETAIN });
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    grantWithKey(role, { actions: ['s3:GetObject'], resourceArns: ['arn:aws:s3:::b/*'], key, keyActions: ['kms:Decrypt'] });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([
      Match.objectLike({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }),
      Match.objectLike({ Action: 'kms:Decrypt' }),
    ]) } });
    expect(() => grantWithKey(role, { actions: ['s3:*'], resourceArns: ['*'] })).toThrow(/wildcard actions are not allowed \(s3:\*\)/);
  });
});

describe('snapshot normalizer', () => {
  test('blanks asset hashes and the package version, and nothing else', () => {
    const hash = 'a'.repeat(64);
    const input = { Resources: { F: { Properties: { Code: { S3Key: `${hash}.zip` }, Description: `lib v${VERSION}`, Other: `${VERSION}1` } } } };
    expect(normalizeTemplate(input, { packageVersion: VERSION })).toEqual({
      Resources: { F: { Properties: { Code: { S3Key: '<asset-hash>.zip' }, Description: 'lib v<version>', Other: `${VERSION}1` } } },
    });
  });

});
