import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ModelRegistry, Profiles, ValidationError } from '../../lib';
import {
  InferenceEndpoint, ModelSource, PROMOTION_DEFAULTS, PromotionWorkflow, PromotionWorkflowProps, STACK_UPDATE_IN_PROGRESS,
} from '../../lib/inference';
import { testStack } from '../helpers/app';
import { documentedDefaults } from '../helpers/docs';
import { only, registryIn } from './helpers';

const STAGES = [{ name: 'staging', stackName: 'mlops-staging-ml' }, { name: 'prod', stackName: 'mlops-prod-ml' }];

// The default two-stage workflow, synthesized once with cdk-nag.
const stack = testStack({ nag: true });
const registry = registryIn(stack);
const workflow = new PromotionWorkflow(stack, 'Promotion', { registry, model: 'churn', stages: STAGES });
(stack.node.root as App).synth();
const template = Template.fromStack(stack);

type State = { Type: string; Next?: string; Default?: string; Resource?: string; Parameters?: Record<string, unknown>; Choices?: Array<Record<string, unknown>>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>; Error?: string; Seconds?: number };

/** The state machine definition, with the partition resolved to `aws`. */
function definition(t: Template): { StartAt: string; States: Record<string, State>; TimeoutSeconds?: number } {
  const body = only(t, 'AWS::StepFunctions::StateMachine').Properties.DefinitionString;
  const text = typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : 'aws')).join('');
  return JSON.parse(text);
}

/** The states visited from the start when every task succeeds and every choice takes its first branch. */
function happyPath(d: ReturnType<typeof definition>): string[] {
  const path: string[] = [];
  for (let name: string | undefined = d.StartAt; name && path.length < 50;) {
    path.push(name);
    const state: State = d.States[name];
    name = state.Type === 'Choice' ? (state.Choices![0].Next as string) : state.Next;
  }
  return path;
}

describe('PromotionWorkflow', () => {
  const d = definition(template);

  test('starts on approvals of the model in the registry', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.sagemaker'], 'detail-type': ['SageMaker Model Package State Change'],
        'detail': { ModelPackageGroupName: ['mlops-prod-churn'], ModelApprovalStatus: ['Approved'] } },
      Targets: [{ Arn: { Ref: Object.keys(template.findResources('AWS::StepFunctions::StateMachine'))[0] }, Id: 'Target0', RoleArn: Match.anyValue() }],
    });
    expect(workflow.approvalRule).toBeDefined();
  });

  test('staging first, without approval; then a manual approval (task token), then prod; each stage writes the parameter, updates the stack with its previous template and waits for it', () => {
    expect(happyPath(d)).toEqual([
      'staging: Read current version', 'staging: Write approved version', 'staging: Update serving stack', 'staging: Wait for rollout',
      'staging: Read stack status', 'staging: Rollout settled?',
      // Issue 19: a settled rollout is recorded in the lineage before the next stage.
      'staging lineage: Find training run', 'staging lineage: Record deployment', 'staging lineage: Version trained with lineage?', 'staging lineage: Link to training run',
      'prod: Wait for approval',
      'prod: Read current version', 'prod: Write approved version', 'prod: Update serving stack', 'prod: Wait for rollout',
      'prod: Read stack status', 'prod: Rollout settled?',
      'prod lineage: Find training run', 'prod lineage: Record deployment', 'prod lineage: Version trained with lineage?', 'prod lineage: Link to training run',
      'Promoted',
    ]);
    expect(d.States['prod: Wait for approval'].Resource).toBe('arn:aws:states:::sns:publish.waitForTaskToken');
    expect(JSON.stringify(d.States['prod: Wait for approval'].Parameters)).toContain('"taskToken.$":"$$.Task.Token"');
    expect(d.States['staging: Write approved version'].Parameters).toEqual({
      'Name': '/mlops/staging/models/churn/approved-package-arn', 'Value.$': '$.detail.ModelPackageArn', 'Overwrite': true,
    });
    expect(d.States['prod: Update serving stack'].Parameters).toEqual({
      StackName: 'mlops-prod-ml', UsePreviousTemplate: true, Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
      RoleARN: 'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-us-east-1',
    });
    expect(d.States['staging: Wait for rollout'].Seconds).toBe(PROMOTION_DEFAULTS.pollInterval.toSeconds());
    expect(d.TimeoutSeconds).toBe(PROMOTION_DEFAULTS.timeout.toSeconds());
  });

  test('keeps polling while the update or its rollback runs; a rolled-back or failed update restores the previous version and stops; an unchanged version moves on', () => {
    for (const stage of ['staging', 'prod']) {
      const choice = d.States[`${stage}: Rollout settled?`];
      expect(choice.Choices![0]).toEqual({ Variable: expect.stringMatching(/Stack\.status$/), StringEquals: 'UPDATE_COMPLETE', Next: expect.any(String) });
      expect((choice.Choices![1].Or as Array<{ StringEquals: string }>).map((c) => c.StringEquals)).toEqual(STACK_UPDATE_IN_PROGRESS);
      expect(choice.Choices![1].Next).toBe(`${stage}: Wait for rollout`);
      expect(choice.Default).toBe(`${stage}: Restore previous version`);
      expect(d.States[`${stage}: Update serving stack`].Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: `${stage}: Already serving it?` })]);
      // An update with nothing to do (the version is already served) moves on; any other error restores and stops.
      const unchanged = d.States[`${stage}: Already serving it?`];
      expect(unchanged.Choices).toEqual([{ And: [
        { Variable: '$.updateError.Error', StringEquals: 'CloudFormation.CloudFormationException' },
        { Variable: '$.updateError.Cause', StringMatches: '*No updates are to be performed*' },
      ], Next: stage === 'staging' ? 'prod: Wait for approval' : 'Promoted' }]);
      // Item 14: a refused update deployed nothing: it restores and fails as its own error, with CloudFormation's cause.
      expect(unchanged.Default).toBe(`${stage}: Restore after refusal`);
      expect(d.States[d.States[`${stage}: Restore after refusal`].Next!]).toEqual({ Type: 'Fail', Error: 'PromotionUpdateRefused', CausePath: '$.updateError.Cause' });
      const restore = d.States[`${stage}: Restore previous version`];
      expect(restore.Parameters).toEqual({ 'Name': `/mlops/${stage}/models/churn/approved-package-arn`, 'Value.$': expect.stringMatching(/Previous\.value$/), 'Overwrite': true });
      expect(d.States[restore.Next!]).toEqual(expect.objectContaining({ Type: 'Fail', Error: 'PromotionRolledBack' }));
    }
  });

  test('alerts the encrypted topic when a promotion fails, times out or is aborted (rejections and rollbacks included)', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.states'], detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'] } },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^PromotionTopic') } })],
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  test('least privilege: the parameters and stacks of its stages, passing only the CloudFormation role to CloudFormation', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('PromotionRole'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:PutParameter'], Resource: [
        'arn:aws:ssm:us-east-1:123456789012:parameter/mlops/prod/models/churn/approved-package-arn',
        'arn:aws:ssm:us-east-1:123456789012:parameter/mlops/staging/models/churn/approved-package-arn'] },
      // Item 3: UpdateStack resolves every SSM-typed parameter with the workflow's credentials; without a
      // servingStack the workflow knows the stage's parameter and the CDK bootstrap version parameter.
      { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: [
        'arn:aws:ssm:us-east-1:123456789012:parameter/cdk-bootstrap/hnb659fds/version',
        'arn:aws:ssm:us-east-1:123456789012:parameter/mlops/prod/models/churn/approved-package-arn',
        'arn:aws:ssm:us-east-1:123456789012:parameter/mlops/staging/models/churn/approved-package-arn'] },
      { Effect: 'Allow', Action: ['cloudformation:DescribeStacks', 'cloudformation:UpdateStack'], Resource: [
        'arn:aws:cloudformation:us-east-1:123456789012:stack/mlops-prod-ml/*', 'arn:aws:cloudformation:us-east-1:123456789012:stack/mlops-staging-ml/*'] },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-us-east-1',
        Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } } },
      // Issue 19: the deployment's lineage, in this account: its actions and the model's run contexts only.
      { Effect: 'Allow', Action: 'sagemaker:CreateAction', Resource: [
        'arn:aws:sagemaker:us-east-1:123456789012:action/churn-prod-deploy-*', 'arn:aws:sagemaker:us-east-1:123456789012:action/churn-staging-deploy-*'] },
      { Effect: 'Allow', Action: 'sagemaker:AddAssociation', Resource: [
        'arn:aws:sagemaker:us-east-1:123456789012:action/churn-prod-deploy-*', 'arn:aws:sagemaker:us-east-1:123456789012:action/churn-staging-deploy-*',
        'arn:aws:sagemaker:us-east-1:123456789012:context/churn-run-*'] },
    ]));
    const sagemaker = statements.flatMap((s: { Action: string | string[] }) => [s.Action].flat()).filter((a: string) => a.startsWith('sagemaker:')).sort();
    expect(sagemaker).toEqual(['sagemaker:AddAssociation', 'sagemaker:CreateAction', 'sagemaker:ListContexts']);
    expect(JSON.stringify(statements)).not.toMatch(/"\w+:\*"/);
  });

  test('zero unacknowledged cdk-nag findings (synthesized with AwsSolutions above); logs and tracing on', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true }, LoggingConfiguration: { IncludeExecutionData: true, Level: 'ALL', Destinations: Match.anyValue() },
    });
  });

  test('options: explicit parameters, approvals, topic, role, poll interval and timeout', () => {
    const s = testStack();
    const key = new kms.Key(s, 'TopicKey');
    const topic = new sns.Topic(s, 'Approvals', { masterKey: key });
    new PromotionWorkflow(s, 'Promotion', {
      registry: registryIn(s), model: 'churn', topic,
      stages: [{ name: 'qa', stackName: 'qa-serving', parameterName: '/custom/churn', requireApproval: true }],
      cloudFormationRoleArn: 'arn:aws:iam::123456789012:role/deployer', pollInterval: Duration.seconds(30), timeout: Duration.days(1),
    });
    const t = Template.fromStack(s);
    const dd = definition(t);
    expect(happyPath(dd)[0]).toBe('qa: Wait for approval');
    expect(dd.States['qa: Write approved version'].Parameters!.Name).toBe('/custom/churn');
    expect(dd.States['qa: Update serving stack'].Parameters!.RoleARN).toBe('arn:aws:iam::123456789012:role/deployer');
    expect(dd.States['qa: Wait for rollout'].Seconds).toBe(30);
    expect(dd.TimeoutSeconds).toBe(86400);
    t.resourceCountIs('AWS::SNS::Topic', 1);
    expect(JSON.stringify(t.findResources('AWS::IAM::Policy'))).toContain('TopicKey');
    expect(Stack.of(topic)).toBe(s);
  });
});

describe('PromotionWorkflow with serving stacks in the app (item 3: promotion permissions)', () => {
  test('ssm:GetParameters covers exactly the SSM-typed parameters of the target stacks, other models and the bootstrap version included', () => {
    const app = (testStack().node.root as App);
    const shared = new Stack(app, 'Shared', { env: { account: '123456789012', region: 'us-east-1' } });
    const r = new ModelRegistry(shared, 'Registry', { models: [{ name: 'churn' }, { name: 'fraud' }] });
    const serving = new Stack(app, 'Serving', { env: { account: '123456789012', region: 'us-east-1' }, stackName: 'shared-serving' });
    new InferenceEndpoint(serving, 'Churn', { model: ModelSource.fromRegistry(r, 'churn') });
    new InferenceEndpoint(serving, 'Fraud', { model: ModelSource.fromRegistry(r, 'fraud') });
    new PromotionWorkflow(shared, 'Promotion', { registry: r, model: 'churn', stages: [{ name: 'prod', servingStack: serving }] });
    const statements = Object.values(Template.fromStack(shared).findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement).filter((st: { Action: unknown }) => st.Action === 'ssm:GetParameters');
    const expected = Object.values(Template.fromStack(serving).findParameters('*', { Type: Match.stringLikeRegexp('^AWS::SSM::Parameter::Value') })).map((p) => p.Default).sort();
    expect(expected).toEqual(['/cdk-bootstrap/hnb659fds/version', '/mlops/prod/models/churn/approved-package-arn', '/mlops/prod/models/fraud/approved-package-arn']);
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: expected.map((n) => `arn:aws:ssm:us-east-1:123456789012:parameter${n}`) }]);
  });

  test('fails when a stage has neither stackName nor servingStack, or they disagree', () => {
    const s = testStack();
    const r = registryIn(s);
    const other = new Stack(s.node.root as App, 'Other', { stackName: 'other' });
    expect(() => new PromotionWorkflow(s, 'A', { registry: r, model: 'churn', stages: [{ name: 'prod' }] })).toThrow(/stages\[0\]\.stackName \(undefined\): must be given when servingStack is not/);
    expect(() => new PromotionWorkflow(s, 'B', { registry: r, model: 'churn', stages: [{ name: 'prod', stackName: 'x', servingStack: other }] })).toThrow(/must be the name of servingStack \(other\)/);
  });
});

describe('PromotionWorkflow documented defaults', () => {
  const docs = documentedDefaults('lib/inference/promotion-workflow-props.ts');
  test('the docs state the values in PROMOTION_DEFAULTS and the behaviour the default workflow shows', () => {
    expect(docs.get('PromotionWorkflowProps.pollInterval')).toBe(PROMOTION_DEFAULTS.pollInterval.toHumanString());
    expect(docs.get('PromotionWorkflowProps.timeout')).toBe(PROMOTION_DEFAULTS.timeout.toHumanString());
    expect(docs.get('PromotionWorkflowProps.cloudFormationRoleArn')).toContain('cdk-<qualifier>-cfn-exec-role-<account>-<region>');
    expect(PROMOTION_DEFAULTS.bootstrapQualifier).toBe('hnb659fds');
    expect(docs.get('PromotionStage.requireApproval')).toBe('false for the first stage, true for every later one');
    expect(docs.get('PromotionStage.parameterName')).toMatch(/^`\/<project>\/<stage name>\/models\/<model>\/approved-package-arn`/);
    expect(workflow.stages.map((s) => [s.parameterName, s.requireApproval])).toEqual([
      ['/mlops/staging/models/churn/approved-package-arn', false], ['/mlops/prod/models/churn/approved-package-arn', true],
    ]);
  });
});

describe('PromotionWorkflow and InferenceEndpoint agree', () => {
  test('a stage writes the very SSM parameter that the endpoint of that environment reads by default', () => {
    for (const profile of [Profiles.STAGING, Profiles.PROD]) {
      const s = testStack({ profile });
      const r = registryIn(s);
      new InferenceEndpoint(s, 'Endpoint', { model: ModelSource.fromRegistry(r, 'churn'), variants: [{ serverless: { memorySizeMiB: 1024, maxConcurrency: 1 } }] });
      const read = Object.values(Template.fromStack(s).findParameters('*', { Type: 'AWS::SSM::Parameter::Value<String>' }))
        .map((p) => p.Default).filter((d) => d.includes('/models/'));
      const stage = workflow.stages.find((x) => x.name === profile.name)!;
      expect(read).toEqual([stage.parameterName]);
    }
  });
});

describe('PromotionWorkflow validation', () => {
  const vs = testStack();
  const vr = registryIn(vs);
  let n = 0;
  const errorOf = (props: Partial<PromotionWorkflowProps>): ValidationError => {
    try {
      new PromotionWorkflow(new Construct(vs, `Case${n++}`), 'Promotion', { registry: vr, model: 'churn', stages: STAGES, ...props });
    } catch (e) {
      if (e instanceof ValidationError) return e;
      throw e;
    }
    throw new Error('expected a ValidationError');
  };

  test('fails when the model is unknown, stages are missing, too many, repeated or badly named', () => {
    expect(errorOf({ model: 'nope' }).problems[0]).toEqual({ property: 'model', value: '"nope"', allowed: 'is not a model of registry Test/Registry; declared: churn' });
    expect(errorOf({ stages: [] }).message).toContain('stages ("0 stages"): must hold 1 to 5 stages');
    expect(errorOf({ stages: Array.from({ length: 6 }, (_, i) => ({ name: `s${i}`, stackName: `st${i}` })) }).problems[0].property).toBe('stages');
    const e = errorOf({ stages: [{ name: 'Staging', stackName: '1bad' }, { name: 'prod', stackName: 'ok', parameterName: 'no-slash' }, { name: 'prod', stackName: 'ok2' }] });
    expect(e.problems.map((p) => p.property)).toEqual(['stages[0].name', 'stages[0].stackName', 'stages[1].parameterName', 'stages[2].name']);
  });

  test('fails when the poll interval or timeout is out of range', () => {
    expect(errorOf({ pollInterval: Duration.seconds(5), timeout: Duration.minutes(5) }).problems.map((p) => p.property)).toEqual(['pollInterval', 'timeout']);
  });
});
