import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EnvironmentName, PlatformEnvironment, PlatformStage, buildPlatform } from '../../lib';
import { ACCOUNTS, DEFINITION, ENVIRONMENTS, REGION, buildMultiAccountExample } from '../../examples/multi-account';
import { SKIP_BUNDLING, testApp, validationViolations } from '../helpers/app';
import { TaskMock, execute, sequence } from '../helpers/asl';
import { stateMachineDefinition } from '../helpers/etl';
import { platformStacks } from '../helpers/platform';
import { missingContext } from '../helpers/offline';

/**
 * The tests of examples/multi-account.ts. test/app.test.ts runs them in its validated file, so that one
 * validation engine (seconds to start) serves every validated synth of the suite.
 */
export function describeMultiAccountExample(): void {
  // examples/multi-account.ts: dev, staging, prod in three accounts of one region, tooling in a fourth.
  // Synthesized once with aws-cdk-lib's CloudFormation validation on and cdk-nag AwsSolutions, as
  // test/app.test.ts does for the other examples (it turns the validation on for its whole file, and
  // runs these tests there).
  let app: App;
  let stages: Map<EnvironmentName, PlatformStage>;
  beforeAll(() => {
    app = testApp({ ...SKIP_BUNDLING, env: 'all' });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    stages = buildMultiAccountExample(app);
    app.synth();
  });

  const templates = new Map<Stack, Template>();
  const t = (s: Stack): Template => {
    if (!templates.has(s)) templates.set(s, Template.fromStack(s));
    return templates.get(s)!;
  };
  const stage = (name: EnvironmentName) => stages.get(name)!;
  const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
  const CFN_EXEC = (account: string) => role(account, `cdk-hnb659fds-cfn-exec-role-${account}-${REGION}`);
  const WORKFLOW_ROLES = ['churn', 'upsell'].map((m) => role(ACCOUNTS.prod, `retail-prod-promote-${m}`));
  const STAGING_TARGET_ROLE = role(ACCOUNTS.staging, 'retail-staging-promotion-target');

  /** A policy statement as it appears in a template. */
  interface Statement { Effect: string; Principal?: { AWS?: unknown; Service?: unknown }; Action: string | string[]; Condition?: Record<string, Record<string, unknown>> }

  /** Every resource policy and trust policy statement of a template, with where it is. */
  function policyStatements(template: Template): Array<{ where: string; statement: Statement }> {
    const out: Array<{ where: string; statement: Statement }> = [];
    const add = (where: string, doc: unknown) => {
      const parsed = typeof doc === 'string' ? JSON.parse(doc) : doc as { Statement?: Statement[] } | undefined;
      for (const statement of parsed?.Statement ?? []) out.push({ where, statement });
    };
    const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    for (const [id, r] of Object.entries(resources)) {
      const p = r.Properties ?? {};
      if (r.Type === 'AWS::IAM::Role') add(`${id} trust`, p.AssumeRolePolicyDocument);
      if (r.Type === 'AWS::S3::BucketPolicy') add(id, p.PolicyDocument);
      if (r.Type === 'AWS::KMS::Key') add(id, p.KeyPolicy);
      if (r.Type === 'AWS::ECR::Repository') add(id, p.RepositoryPolicyText);
      if (r.Type === 'AWS::SageMaker::ModelPackageGroup') add(id, p.ModelPackageGroupPolicy);
    }
    return out;
  }

  /** The 12-digit accounts an AWS principal names (account roots or role ARNs, literal or joined with the partition). */
  function principalAccounts(principal: unknown): string[] {
    return [...JSON.stringify(principal ?? null).matchAll(/:iam::(\d{12}):/g)].map((m) => m[1]);
  }

  describe('multi-account example (dev 111111111111, staging 222222222222, prod 333333333333, tooling 444444444444)', () => {
    test('synthesizes every environment with zero validation findings and zero unacknowledged cdk-nag findings', () => {
      expect(validationViolations(app)).toEqual([]);
      expect([...stages.keys()]).toEqual(['dev', 'staging', 'prod']);
      for (const name of ['dev', 'staging', 'prod'] as const) {
        for (const s of platformStacks(stage(name))) expect(s.account).toBe(ENVIRONMENTS[name].account);
      }
    });

    test('synthesizes offline: no context lookup (the availability zones of every pinned account are in context)', () => {
      expect(missingContext(app)).toEqual([]);
    });

    test('every cross-account trust and resource policy names exact role ARNs: the other account only under ArnEquals aws:PrincipalArn', () => {
      const crossing: string[] = [];
      for (const name of ['dev', 'staging', 'prod'] as const) {
        for (const s of platformStacks(stage(name))) {
          for (const { where, statement } of policyStatements(t(s))) {
            const foreign = principalAccounts(statement.Principal?.AWS).filter((a) => a !== s.account);
            if (foreign.length === 0) continue;
            crossing.push(`${s.stackName} ${where}`);
            const arns = statement.Condition?.ArnEquals?.['aws:PrincipalArn'];
            expect({ where: `${s.stackName} ${where}`, arns }).toEqual({ where: `${s.stackName} ${where}`, arns: expect.any(Array) });
            for (const arn of arns as string[]) {
              // Exact: a literal role ARN of one of the principal accounts, no wildcard.
              expect(arn).toMatch(/^arn:aws:iam::\d{12}:role\/[\w+=,.@-]+$/);
              expect(foreign).toContain(arn.split(':')[4]);
            }
            expect(statement.Condition!.ArnLike).toBeUndefined();
          }
        }
      }
      // Dev shares nothing; staging trusts prod's workflows; prod shares its registry with staging.
      expect(crossing.filter((c) => c.startsWith('retail-dev-'))).toEqual([]);
      expect(crossing.some((c) => c.startsWith('retail-staging-ml'))).toBe(true);
      expect(crossing.some((c) => c.startsWith('retail-prod-ml'))).toBe(true);
    });

    test('staging\'s promotion target role trusts only prod\'s promotion workflow roles, and may only promote', () => {
      const ml = t(stage('staging').mlStack);
      const roles = Object.values(ml.findResources('AWS::IAM::Role', { Properties: { RoleName: 'retail-staging-promotion-target' } }));
      expect(roles).toHaveLength(1);
      const trust = roles[0].Properties.AssumeRolePolicyDocument.Statement;
      expect(trust).toHaveLength(1);
      expect(principalAccounts(trust[0].Principal.AWS)).toEqual([ACCOUNTS.prod]);
      expect(trust[0].Action).toBe('sts:AssumeRole');
      expect(trust[0].Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': WORKFLOW_ROLES } });
      const policies = Object.values(ml.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes('PromotionTargetRole'));
      const actions = new Set(policies.flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: Statement) => [s.Action].flat())));
      expect([...actions].sort()).toEqual(['cloudformation:DescribeStacks', 'cloudformation:UpdateStack', 'iam:PassRole', 'ssm:GetParameter', 'ssm:GetParameters', 'ssm:PutParameter']);
      const text = JSON.stringify(policies);
      expect(text).toContain('stack/retail-staging-serving/*');
      expect(text).toContain('parameter/retail/staging/models/churn/approved-package-arn');
      // UpdateStack re-resolves the serving stack's SSM-typed parameters with the caller's credentials.
      expect(text).toContain('parameter/retail/staging/models/upsell/approved-package-arn');
      expect(text).toContain(`cdk-hnb659fds-cfn-exec-role-${ACCOUNTS.staging}-${REGION}`);
    });

    test('prod\'s registry shares approved versions with exactly staging\'s endpoint, drift and CloudFormation execution roles', () => {
      const ml = t(stage('prod').mlStack);
      const readers = [
        CFN_EXEC(ACCOUNTS.staging),
        ...['churn', 'upsell'].flatMap((m) => [role(ACCOUNTS.staging, `retail-staging-drift-${m}`), role(ACCOUNTS.staging, `retail-staging-serve-${m}`)]),
      ].sort();
      for (const group of Object.values(ml.findResources('AWS::SageMaker::ModelPackageGroup'))) {
        const [statement] = group.Properties.ModelPackageGroupPolicy.Statement;
        expect(statement.Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': readers } });
        expect(statement.Action).toEqual(expect.arrayContaining(['sagemaker:DescribeModelPackage']));
        expect(JSON.stringify(statement.Action)).not.toMatch(/Update|Create|Delete|\*/);
      }
      const bucketStatements = Object.values(ml.findResources('AWS::S3::BucketPolicy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
        .filter((s) => String((s as { Sid?: string }).Sid).startsWith('CrossAccount'));
      expect(bucketStatements).toHaveLength(2);
      for (const s of bucketStatements) expect(s.Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': readers } });
      // The staging roles that use them carry those names.
      const serving = t(stage('staging').servingStacks[0]);
      for (const m of ['churn', 'upsell']) {
        expect(Object.keys(serving.findResources('AWS::IAM::Role', { Properties: { RoleName: `retail-staging-serve-${m}` } }))).toHaveLength(1);
        expect(Object.keys(t(stage('staging').monitoringStack).findResources('AWS::IAM::Role', { Properties: { RoleName: `retail-staging-drift-${m}` } }))).toHaveLength(1);
      }
    });

    test('staging reads prod\'s registry at deploy time through Fn::GetStackOutput with prod\'s reader role, which trusts only staging\'s CloudFormation execution role', () => {
      const serving = JSON.stringify(t(stage('staging').servingStacks[0]).toJSON());
      expect(serving).toContain(JSON.stringify({ 'Fn::GetStackOutput': {
        StackName: 'retail-prod-ml', OutputName: 'ModelRegistryKeyArn', RoleArn: role(ACCOUNTS.prod, 'retail-prod-registry-reader'), Region: REGION,
      } }));
      expect(serving).not.toMatch(/\/retail\/prod\/registry\//);
      const ml = t(stage('prod').mlStack);
      expect(Object.keys(ml.toJSON().Outputs)).toEqual(expect.arrayContaining(['ModelRegistryKeyArn', 'ModelRegistryArtifactBucket']));
      const [reader] = Object.values(ml.findResources('AWS::IAM::Role', { Properties: { RoleName: 'retail-prod-registry-reader' } }));
      expect(reader.Properties.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({
        Action: 'sts:AssumeRole', Condition: { ArnEquals: { 'aws:PrincipalArn': [CFN_EXEC(ACCOUNTS.staging)] } },
      })]);
    });

    describe('the loop across accounts: approval in prod -> promotion -> UpdateStack in staging (with its role) -> approval -> UpdateStack in prod', () => {
      const PACKAGE = `arn:aws:sagemaker:${REGION}:${ACCOUNTS.prod}:model-package/retail-prod-churn/7`;
      // EventBridge "SageMaker Model Package State Change" (SageMaker developer guide, Events that SageMaker sends to EventBridge).
      const EVENT = {
        'version': '0', 'detail-type': 'SageMaker Model Package State Change', 'source': 'aws.sagemaker', 'account': ACCOUNTS.prod,
        'detail': { ModelPackageGroupName: 'retail-prod-churn', ModelPackageArn: PACKAGE, ModelApprovalStatus: 'Approved', ModelPackageVersion: 7 },
      };

      test('approval in prod\'s registry starts the promotion workflow in prod\'s account', () => {
        const ml = t(stage('prod').mlStack);
        const rules = Object.values(ml.findResources('AWS::Events::Rule'))
          .filter((r) => JSON.stringify(r.Properties.EventPattern?.detail ?? {}).includes('"ModelApprovalStatus":["Approved"]')
            && JSON.stringify(r.Properties.Targets).includes('ChurnPromotion'));
        expect(rules).toHaveLength(1);
        expect(rules[0].Properties.EventPattern.detail.ModelPackageGroupName).toEqual(['retail-prod-churn']);
        // The rule is on the default bus of prod's own account: the approval event does not cross accounts.
        expect(rules[0].Properties.EventBusName).toBeUndefined();
      });

      test('staging\'s tasks run with staging\'s promotion target role; prod\'s with the workflow\'s own role', async () => {
        const ml = t(stage('prod').mlStack);
        const id = Object.keys(ml.findResources('AWS::StepFunctions::StateMachine')).find((k) => k.startsWith('ChurnPromotion'))!;
        const def = stateMachineDefinition(ml, new RegExp(`^${id}$`));
        const credentials: Record<string, string | undefined> = {};
        const recorded = (name: string, result: unknown): TaskMock => (p, call) => {
          credentials[name] = (def.States[name].Credentials as { RoleArn?: string } | undefined)?.RoleArn;
          return sequence(result)(p, call);
        };
        const stack = (env: string) => `retail-${env}-serving`;
        const mocks = (env: string, account: string): Record<string, TaskMock> => ({
          // SSM API reference, GetParameter / PutParameter responses; CloudFormation API reference, UpdateStack / DescribeStacks responses.
          [`${env}: Read current version`]: recorded(`${env}: Read current version`, { Parameter: { Name: `/retail/${env}/models/churn/approved-package-arn`, Type: 'String', Value: 'none', Version: 1 } }),
          [`${env}: Write approved version`]: recorded(`${env}: Write approved version`, { Version: 2, Tier: 'Standard' }),
          [`${env}: Update serving stack`]: recorded(`${env}: Update serving stack`, { StackId: `arn:aws:cloudformation:${REGION}:${account}:stack/${stack(env)}/1` }),
          [`${env}: Read stack status`]: recorded(`${env}: Read stack status`, { Stacks: [{ StackName: stack(env), StackStatus: 'UPDATE_COMPLETE' }] }),
          [`${env}: Restore previous version`]: sequence({ Version: 3 }),
          [`${env}: Restore after refusal`]: sequence({ Version: 3 }),
        });
        // The local interpreter runs the states without their Credentials field (each call's role is read from the
        // definition above, as Step Functions would assume it for that call).
        const runnable = { ...def, States: Object.fromEntries(Object.entries(def.States).map(([n, st]) => {
          const rest = { ...st };
          delete rest.Credentials;
          return [n, rest];
        })) };
        const run = await execute(runnable, EVENT, { ...mocks('staging', ACCOUNTS.staging), 'prod: Wait for approval': sequence({}), ...mocks('prod', ACCOUNTS.prod) },
          { Task: { Token: 'AQCEAAAAKgAAAA-token' } });
        expect(run.status).toBe('SUCCEEDED');
        expect(run.calls['staging: Write approved version']).toEqual([{ Name: '/retail/staging/models/churn/approved-package-arn', Value: PACKAGE, Overwrite: true }]);
        expect(run.calls['staging: Update serving stack'][0]).toEqual(expect.objectContaining({
          StackName: 'retail-staging-serving', UsePreviousTemplate: true, RoleARN: CFN_EXEC(ACCOUNTS.staging),
        }));
        expect(run.calls['prod: Update serving stack'][0]).toEqual(expect.objectContaining({ StackName: 'retail-prod-serving', RoleARN: CFN_EXEC(ACCOUNTS.prod) }));
        for (const task of ['Read current version', 'Write approved version', 'Update serving stack', 'Read stack status']) {
          expect([task, credentials[`staging: ${task}`]]).toEqual([task, STAGING_TARGET_ROLE]);
          expect([task, credentials[`prod: ${task}`]]).toEqual([task, undefined]);
        }
        // The workflow's role may assume staging's role (and has a fixed name that role trusts).
        const policies = JSON.stringify(Object.values(ml.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes('ChurnPromotionRole')));
        expect(policies).toContain('"sts:AssumeRole"');
        expect(policies).toContain(STAGING_TARGET_ROLE);
        expect(Object.keys(ml.findResources('AWS::IAM::Role', { Properties: { RoleName: 'retail-prod-promote-churn' } }))).toHaveLength(1);
      });

      test('the staging serving stack UpdateStack re-reads is the one whose parameter the promotion wrote', () => {
        const params = Object.values(t(stage('staging').servingStacks[0]).toJSON().Parameters as Record<string, { Type: string; Default?: string }>);
        expect(params).toEqual(expect.arrayContaining([
          expect.objectContaining({ Type: 'AWS::SSM::Parameter::Value<String>', Default: '/retail/staging/models/churn/approved-package-arn' }),
        ]));
      });
    });
  });

  describe('reachability of promotion targets', () => {
    type Envs = Partial<Record<EnvironmentName, PlatformEnvironment>>;
    const build = (environments: Envs, tooling?: { account: string; region?: string }) => () =>
      buildPlatform(testApp(SKIP_BUNDLING), { definition: DEFINITION, environments, select: ['prod'], tooling });

    test('fails when a promotion target in another account has no account of its own (no role there can be named)', () => {
      const envs: Envs = { ...ENVIRONMENTS, staging: { ...ENVIRONMENTS.staging, account: undefined } };
      expect(build(envs)).toThrow(/environments\.prod\.promotesTo \("?staging"?\)[^\n]*has no way to be reached from prod: environments\.staging\.account must be set/);
    });

    test('fails when a promotion would cross regions', () => {
      const envs: Envs = { ...ENVIRONMENTS, staging: { ...ENVIRONMENTS.staging, region: 'eu-west-1' } };
      expect(build(envs)).toThrow(/must be in the region of prod[^\n]*cross-region promotion is not supported/);
    });

    test('a mix: staging shares dev\'s account (dev owns its account-wide settings), prod is in its own; prod still reaches staging through its role', () => {
      const envs: Envs = { ...ENVIRONMENTS, staging: { ...ENVIRONMENTS.staging, account: ACCOUNTS.dev } };
      const app = testApp(SKIP_BUNDLING);
      const built = buildPlatform(app, { definition: DEFINITION, environments: envs, select: ['staging', 'prod'] });
      app.synth();
      expect(built.get('staging')!.foundationStack).toBeUndefined();
      const ml = Template.fromStack(built.get('staging')!.mlStack);
      const [target] = Object.values(ml.findResources('AWS::IAM::Role', { Properties: { RoleName: 'retail-staging-promotion-target' } }));
      expect(target.Properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': WORKFLOW_ROLES } });
      const def = JSON.stringify(Template.fromStack(built.get('prod')!.mlStack).findResources('AWS::StepFunctions::StateMachine'));
      expect(def).toContain(`arn:aws:iam::${ACCOUNTS.dev}:role/retail-staging-promotion-target`);
    });

    test('fails when the tooling account is not an account ID', () => {
      expect(build(ENVIRONMENTS, { account: '4444' })).toThrow(/tooling\.account \("?4444"?\): must be a 12-digit AWS account ID/);
      expect(build(ENVIRONMENTS, { account: ACCOUNTS.tooling, region: 'Mars' })).toThrow(/tooling\.region/);
    });
  });
}
