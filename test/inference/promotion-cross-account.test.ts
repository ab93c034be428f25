/* eslint-disable @typescript-eslint/no-explicit-any -- state machine JSON. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Profiles, ValidationError, applyPlatform } from '../../lib';
import { PromotionTargetRole, PromotionTargetRoleProps, PromotionWorkflow } from '../../lib/inference';
import { TEST_ENV, testApp, testStack } from '../helpers/app';
import { stateMachineDefinition } from '../helpers/etl';
import { registryIn } from './helpers';

const STAGING = '222222222222';
const TARGET_ROLE = `arn:aws:iam::${STAGING}:role/mlops-staging-promotion-target`;

/** A workflow in the test account (123456789012) whose first stage lives in the staging account. */
function crossAccountWorkflow() {
  const stack = testStack();
  const role = iam.Role.fromRoleArn(stack, 'StagingRole', TARGET_ROLE, { mutable: false });
  const workflow = new PromotionWorkflow(stack, 'Promotion', {
    registry: registryIn(stack), model: 'churn', roleName: 'mlops-prod-promote-churn',
    stages: [
      { name: 'staging', stackName: 'mlops-staging-serving', account: STAGING, role },
      { name: 'prod', stackName: 'mlops-prod-serving' },
    ],
  });
  (stack.node.root as App).synth();
  return { stack, workflow, template: Template.fromStack(stack) };
}

describe('PromotionWorkflow with a stage in another account', () => {
  const { workflow, template } = crossAccountWorkflow();
  const def = stateMachineDefinition(template);

  test('every task of that stage carries Credentials.RoleArn of its role; the other stage\'s tasks run with the workflow\'s role', () => {
    const tasks = Object.entries(def.States).filter(([, s]) => s.Type === 'Task' && !String(s.Resource).includes('sns:publish'));
    const staging = tasks.filter(([n]) => n.startsWith('staging: '));
    const prod = tasks.filter(([n]) => n.startsWith('prod: '));
    expect(staging.map(([n]) => n).sort()).toEqual(['staging: Read current version', 'staging: Read stack status', 'staging: Restore after refusal',
      'staging: Restore previous version', 'staging: Update serving stack', 'staging: Write approved version']);
    for (const [, s] of staging) expect(s.Credentials).toEqual({ RoleArn: TARGET_ROLE });
    for (const [, s] of prod) expect(s.Credentials).toBeUndefined();
  });

  test('issue 19: that stage\'s deployment is recorded in the releasing account: its lineage tasks carry no Credentials and name the stage\'s account', () => {
    const lineage = Object.entries(def.States).filter(([n, s]) => n.startsWith('staging lineage: ') && s.Type === 'Task');
    expect(lineage.map(([n]) => n).sort()).toEqual(['staging lineage: Find training run', 'staging lineage: Link to training run',
      'staging lineage: Not recorded', 'staging lineage: Record deployment']);
    for (const [, s] of lineage) expect(s.Credentials).toBeUndefined();
    const record = def.States['staging lineage: Record deployment'].Parameters as any;
    expect(record.Properties.Account).toBe(STAGING);
    expect(record.Source.SourceUri).toBe(`arn:aws:ssm:us-east-1:${STAGING}:parameter/mlops/staging/models/churn/approved-package-arn`);
    expect(String(def.States['staging lineage: Record deployment'].Resource)).toMatch(/aws-sdk:sagemaker:createAction$/);
    // The run context and the action live in the workflow's account (lineage entities belong to an account and Region).
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>);
    const create = statements.find((s) => s.Action === 'sagemaker:CreateAction')!;
    expect(create.Resource).toEqual(expect.arrayContaining([`arn:aws:sagemaker:us-east-1:${TEST_ENV.account}:action/churn-staging-deploy-*`]));
  });

  test('that stage passes its own account\'s CloudFormation execution role', () => {
    const params = (name: string) => def.States[name].Parameters as Record<string, unknown>;
    expect(params('staging: Update serving stack').RoleARN).toBe(`arn:aws:iam::${STAGING}:role/cdk-hnb659fds-cfn-exec-role-${STAGING}-us-east-1`);
    expect(params('prod: Update serving stack').RoleARN).toBe(`arn:aws:iam::${TEST_ENV.account}:role/cdk-hnb659fds-cfn-exec-role-${TEST_ENV.account}-us-east-1`);
    expect(workflow.stages[0].cloudFormationRoleArn).toContain(STAGING);
  });

  test('the state machine role has the fixed name and may assume exactly that role; it reads SSM for its own stage only', () => {
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'mlops-prod-promote-churn' });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>);
    expect(statements.filter((s) => s.Action === 'sts:AssumeRole').map((s) => s.Resource)).toEqual([TARGET_ROLE]);
    const getParameters = JSON.stringify(statements.filter((s) => s.Action === 'ssm:GetParameters'));
    expect(getParameters).toContain('parameter/mlops/prod/models/churn/approved-package-arn');
    expect(getParameters).not.toContain('staging');
  });

  test('fails when a stage names an account without a role, a role without an account, or the workflow\'s own account', () => {
    const build = (stages: ConstructorParameters<typeof PromotionWorkflow>[2]['stages']) => () => {
      const stack = testStack();
      new PromotionWorkflow(stack, 'Promotion', { registry: registryIn(stack), model: 'churn', stages });
    };
    const stack = new Stack(testApp(), 'Roles', { env: TEST_ENV });
    const role = iam.Role.fromRoleArn(stack, 'R', TARGET_ROLE);
    expect(build([{ name: 'staging', stackName: 'mlops-staging-serving', account: STAGING }])).toThrow(/stages\[0\]\.role \(undefined\): must be set when account is/);
    expect(build([{ name: 'staging', stackName: 'mlops-staging-serving', role }])).toThrow(/stages\[0\]\.account \(undefined\): must be set when role is/);
    expect(build([{ name: 'staging', stackName: 'mlops-staging-serving', role, account: TEST_ENV.account }])).toThrow(/stages\[0\]\.account \("123456789012"\): must be another account/);
    expect(build([{ name: 'staging', stackName: 'mlops-staging-serving', role, account: '2222' }])).toThrow(/stages\[0\]\.account \("2222"\): must be a 12-digit AWS account ID/);
  });
});

describe('PromotionTargetRole', () => {
  const PROMOTER = '333333333333';
  const WORKFLOW = `arn:aws:iam::${PROMOTER}:role/mlops-prod-promote-churn`;
  function build(overrides: Partial<PromotionTargetRoleProps> = {}) {
    const app = testApp();
    applyPlatform(app, { project: 'mlops', profile: Profiles.STAGING, owner: 'team-ml', costCentre: 'cc-42' });
    const env = { account: STAGING, region: 'us-east-1' };
    const serving = new Stack(app, 'Serving', { env, stackName: 'mlops-staging-serving' });
    new iam.Role(serving, 'Uses', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const ml = new Stack(app, 'Ml', { env, stackName: 'mlops-staging-ml' });
    const target = new PromotionTargetRole(ml, 'PromotionTargetRole', {
      roleName: 'mlops-staging-promotion-target', trustedAccount: PROMOTER, trustedRoleArns: [WORKFLOW],
      parameterNames: ['/mlops/staging/models/churn/approved-package-arn'], servingStacks: [serving], ...overrides,
    });
    return { target, template: () => Template.fromStack(ml) };
  }

  test('trusts only the named workflow roles of the promoting account (account principal under ArnEquals aws:PrincipalArn)', () => {
    const { template } = build();
    const [role] = Object.values(template().findResources('AWS::IAM::Role'));
    expect(role.Properties.RoleName).toBe('mlops-staging-promotion-target');
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole', Effect: 'Allow',
      // The partition is known from the stack's region (as test/registry's cross-account test shows for account principals).
      Principal: { AWS: `arn:aws:iam::${PROMOTER}:root` },
      Condition: { ArnEquals: { 'aws:PrincipalArn': [WORKFLOW] } },
    }]);
  });

  test('may write the approved-version parameter, update and describe the serving stack, read its SSM parameters and pass the CloudFormation role', () => {
    const { template } = build();
    const [policy] = Object.values(template().findResources('AWS::IAM::Policy'));
    const text = JSON.stringify(policy.Properties.PolicyDocument);
    const actions = (policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>).flatMap((s) => [s.Action].flat()).sort();
    expect(actions).toEqual(['cloudformation:DescribeStacks', 'cloudformation:UpdateStack', 'iam:PassRole', 'ssm:GetParameter', 'ssm:GetParameters', 'ssm:PutParameter']);
    expect(text).toContain(`:${STAGING}:stack/mlops-staging-serving/*`);
    expect(text).toContain('parameter/cdk-bootstrap/hnb659fds/version');
    expect(text).toContain(`role/cdk-hnb659fds-cfn-exec-role-${STAGING}-us-east-1`);
    expect(text).toContain('"iam:PassedToService":"cloudformation.amazonaws.com"');
  });

  test('fails when a trusted role is not an exact role of the trusted account, or the trusted account is its own', () => {
    const e = (o: Partial<PromotionTargetRoleProps>) => { try { build(o); } catch (x) { return x as ValidationError; } throw new Error('no error'); };
    expect(e({ trustedRoleArns: [`arn:aws:iam::${PROMOTER}:role/*`] }).message).toMatch(/trustedRoleArns\[0\][^\n]*must be the exact ARN of an IAM role in the trusted account/);
    expect(e({ trustedRoleArns: [`arn:aws:iam::444444444444:role/other`] }).message).toMatch(/trustedRoleArns\[0\]/);
    expect(e({ trustedRoleArns: [`arn:aws:iam::${PROMOTER}:root`] }).message).toMatch(/trustedRoleArns\[0\]/);
    expect(e({ trustedAccount: STAGING, trustedRoleArns: [`arn:aws:iam::${STAGING}:role/x`] }).message).toMatch(/trustedAccount \("222222222222"\): must be another account/);
    expect(e({ trustedRoleArns: [] }).message).toMatch(/trustedRoleArns \(\[\]\): must name at least one role/);
  });
});
