import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PROMOTION_ROLLED_BACK, PROMOTION_UPDATE_REFUSED, PromotionWorkflow } from '../../lib/inference';
import { TaskMock, execute, sequence, taskError } from '../helpers/asl';
import { testStack } from '../helpers/app';
import { stateMachineDefinition } from '../helpers/etl';
import { registryIn } from './helpers';

// The default two-stage workflow (staging without approval, then prod after a person approves), executed locally.
const stack = testStack();
new PromotionWorkflow(stack, 'Promotion', {
  registry: registryIn(stack), model: 'churn',
  stages: [{ name: 'staging', stackName: 'mlops-staging-serving' }, { name: 'prod', stackName: 'mlops-prod-serving' }],
});
(stack.node.root as App).synth();
const definition = stateMachineDefinition(Template.fromStack(stack));

const PACKAGE = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-prod-churn/7';
const PREVIOUS = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-prod-churn/6';
// EventBridge "SageMaker Model Package State Change" event (SageMaker developer guide, Events that SageMaker sends to EventBridge).
const EVENT = {
  'version': '0', 'detail-type': 'SageMaker Model Package State Change', 'source': 'aws.sagemaker',
  'detail': { ModelPackageGroupName: 'mlops-prod-churn', ModelPackageArn: PACKAGE, ModelApprovalStatus: 'Approved', ModelPackageVersion: 7 },
};

// SSM API reference, GetParameter response: { Parameter: { Name, Type, Value, Version, LastModifiedDate, ARN, DataType } }.
const getParameter = (name: string, value: string) => ({
  Parameter: { Name: name, Type: 'String', Value: value, Version: 3, LastModifiedDate: '2026-12-01T00:00:00Z', ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name}`, DataType: 'text' },
});
// SSM API reference, PutParameter response: { Version, Tier }.
const PUT = { Version: 4, Tier: 'Standard' };
// CloudFormation API reference, UpdateStack response: { StackId }.
const updated = (name: string) => ({ StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${name}/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab` });
// CloudFormation API reference, DescribeStacks response: { Stacks: [Stack] } with StackStatus.
const described = (name: string, status: string) => ({ Stacks: [{ StackName: name, StackId: updated(name).StackId, StackStatus: status, CreationTime: '2026-11-01T00:00:00Z' }] });

const RUN_CONTEXT = 'arn:aws:sagemaker:us-east-1:123456789012:context/churn-run-0b6f3c1e-8d2a-4c55-9e61-3f7a2b9d4c10';
// SageMaker API reference, ListContexts response: { ContextSummaries: [{ ContextArn, ContextName, Source, ContextType, CreationTime, LastModifiedTime }], NextToken }.
const runContexts = (...arns: string[]) => ({
  ContextSummaries: arns.map((a) => ({ ContextArn: a, ContextName: a.split('/')[1], Source: { SourceUri: PACKAGE }, ContextType: 'TrainingRun', CreationTime: '2026-12-01T00:00:00Z' })),
});
// SageMaker API reference, CreateAction response: { ActionArn }; AddAssociation response: { SourceArn, DestinationArn }.
const actionArn = (env: string) => `arn:aws:sagemaker:us-east-1:123456789012:action/churn-${env}-deploy-0123456789abcdef0123456789abcdef`;

/** Mocks of one stage's tasks. */
function stageMocks(env: string, o: { current?: string; update?: unknown; statuses?: string[]; lineage?: Record<string, TaskMock> } = {}): Record<string, TaskMock> {
  const name = `/mlops/${env}/models/churn/approved-package-arn`;
  const stackName = `mlops-${env}-serving`;
  return {
    [`${env}: Read current version`]: sequence(getParameter(name, o.current ?? PREVIOUS)),
    [`${env}: Write approved version`]: sequence(PUT),
    [`${env}: Update serving stack`]: sequence(o.update ?? updated(stackName)),
    [`${env}: Read stack status`]: sequence(...(o.statuses ?? ['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE']).map((s) => described(stackName, s))),
    [`${env}: Restore previous version`]: sequence(PUT),
    [`${env}: Restore after refusal`]: sequence(PUT),
    [`${env} lineage: Find training run`]: sequence(runContexts(RUN_CONTEXT)),
    [`${env} lineage: Record deployment`]: sequence({ ActionArn: actionArn(env) }),
    [`${env} lineage: Link to training run`]: (p) => ({ SourceArn: p.SourceArn, DestinationArn: p.DestinationArn }),
    [`${env} lineage: Not recorded`]: sequence({ MessageId: 'm-1' }), // SNS Publish response
    ...o.lineage,
  };
}
/** Executes the workflow on the approval event; the context object carries the task token the approval state sends. */
const promote = (mocks: Record<string, TaskMock>) => execute(definition, EVENT, mocks, { Task: { Token: 'AQCEAAAAKgAAAA-token' } });

// Step Functions returns SendTaskSuccess's output as the task result; the approval message documents `--task-output {}`.
const APPROVED = { 'prod: Wait for approval': sequence({}) };

describe('promotion workflow executions (ASL harness)', () => {
  test('first approval: the parameter holds the placeholder "none"; the update creates the endpoint; staging then manual approval then prod', async () => {
    const run = await promote({ ...stageMocks('staging', { current: 'none' }), ...APPROVED, ...stageMocks('prod', { current: 'none' }) });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toEqual([
      'staging: Read current version', 'staging: Write approved version', 'staging: Update serving stack', 'staging: Wait for rollout', 'staging: Read stack status', 'staging: Rollout settled?',
      'staging: Wait for rollout', 'staging: Read stack status', 'staging: Rollout settled?',
      'staging lineage: Find training run', 'staging lineage: Record deployment', 'staging lineage: Version trained with lineage?', 'staging lineage: Link to training run',
      'prod: Wait for approval',
      'prod: Read current version', 'prod: Write approved version', 'prod: Update serving stack', 'prod: Wait for rollout', 'prod: Read stack status', 'prod: Rollout settled?',
      'prod: Wait for rollout', 'prod: Read stack status', 'prod: Rollout settled?',
      'prod lineage: Find training run', 'prod lineage: Record deployment', 'prod lineage: Version trained with lineage?', 'prod lineage: Link to training run',
      'Promoted',
    ]);
    expect(run.calls['staging: Write approved version']).toEqual([{ Name: '/mlops/staging/models/churn/approved-package-arn', Value: PACKAGE, Overwrite: true }]);
    expect(run.calls['prod: Update serving stack'][0]).toEqual(expect.objectContaining({ StackName: 'mlops-prod-serving', UsePreviousTemplate: true }));
    expect(run.calls['prod: Wait for approval'][0].Message).toEqual(expect.objectContaining({ modelPackageArn: PACKAGE }));
  });

  test('a normal promotion replaces the previous version and restores nothing', async () => {
    const run = await promote({ ...stageMocks('staging'), ...APPROVED, ...stageMocks('prod') });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.calls['staging: Restore previous version']).toBeUndefined();
    expect(run.calls['prod: Restore after refusal']).toBeUndefined();
  });

  test('re-approval of the served version: "No updates are to be performed" moves on to the next stage', async () => {
    const noUpdates = taskError('CloudFormation.CloudFormationException', 'No updates are to be performed. (Service: CloudFormation, Status Code: 400, Request ID: 1)');
    const run = await promote({
      ...stageMocks('staging', { current: PACKAGE, update: noUpdates }), ...APPROVED, ...stageMocks('prod', { current: PACKAGE, update: noUpdates }),
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toContain('staging: Already serving it?');
    expect(run.path).not.toContain('staging: Wait for rollout');
    expect(run.calls['staging: Restore after refusal']).toBeUndefined();
  });

  test.each([
    ['a validation error', taskError('CloudFormation.CloudFormationException', 'Parameters: [ssm:/mlops/staging/models/churn/approved-package-arn] cannot be found.')],
    ['access denied', taskError('CloudFormation.CloudFormationException', 'User: arn:aws:sts::123456789012:assumed-role/PromotionRole/x is not authorized to perform: ssm:GetParameters')],
    ['a busy stack', taskError('CloudFormation.CloudFormationException', 'Stack:arn:aws:cloudformation:us-east-1:123456789012:stack/mlops-staging-serving/x is in UPDATE_IN_PROGRESS state and can not be updated.')],
    ['a missing permission on UpdateStack', taskError('CloudFormation.AccessDeniedException', 'not authorized to perform: cloudformation:UpdateStack')],
  ])('item 14: a refused UpdateStack (%s) restores the previous version and fails as PromotionUpdateRefused with the cause, not as a rollback', async (_what, error) => {
    const run = await promote({ ...stageMocks('staging', { update: error }), ...APPROVED, ...stageMocks('prod') });
    expect(run).toMatchObject({ status: 'FAILED', error: PROMOTION_UPDATE_REFUSED, cause: error.message });
    expect(run.calls['staging: Restore after refusal']).toEqual([{ Name: '/mlops/staging/models/churn/approved-package-arn', Value: PREVIOUS, Overwrite: true }]);
    expect(run.calls['staging: Restore previous version']).toBeUndefined();
    expect(run.path).not.toContain('prod: Wait for approval');
  });

  test('a rolled-back update restores the previous version and fails as PromotionRolledBack', async () => {
    const run = await promote({ ...stageMocks('staging', { statuses: ['UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE'] }), ...APPROVED, ...stageMocks('prod') });
    expect(run).toMatchObject({ status: 'FAILED', error: PROMOTION_ROLLED_BACK });
    expect(run.calls['staging: Restore previous version']).toEqual([{ Name: '/mlops/staging/models/churn/approved-package-arn', Value: PREVIOUS, Overwrite: true }]);
    expect(run.calls['staging: Read stack status']).toHaveLength(3);
  });

  test('a rejection at the approval stops before prod is touched', async () => {
    const run = await promote({
      ...stageMocks('staging'), 'prod: Wait for approval': sequence(taskError('Rejected', 'not this week')), ...stageMocks('prod'),
    });
    expect(run).toMatchObject({ status: 'FAILED', error: 'Rejected' });
    expect(run.calls['prod: Write approved version']).toBeUndefined();
    expect(run.calls['staging: Restore previous version']).toBeUndefined();
  });

  test('issue 19: a settled rollout records the deployment (action sourced at the stack) and links the version\'s training run to it', async () => {
    const run = await promote({ ...stageMocks('staging'), ...APPROVED, ...stageMocks('prod') });
    expect(run.status).toBe('SUCCEEDED');
    // The run context of the version: sourced at its package ARN, of the type the retraining workflow gives it.
    expect(run.calls['staging lineage: Find training run']).toEqual([{ SourceUri: PACKAGE, ContextType: 'TrainingRun', MaxResults: 1 }]);
    const [action] = run.calls['prod lineage: Record deployment'];
    expect(action).toEqual({
      ActionName: expect.stringMatching(/^churn-prod-deploy-[0-9a-f]{32}$/),
      ActionType: 'ModelDeployment',
      Source: { SourceUri: 'arn:aws:ssm:us-east-1:123456789012:parameter/mlops/prod/models/churn/approved-package-arn', SourceType: 'AWS::SSM::Parameter' },
      Status: 'Completed',
      Description: `Deployed ${PACKAGE} to prod (stack mlops-prod-serving)`,
      Properties: {
        Environment: 'prod', StackName: 'mlops-prod-serving',
        ParameterName: '/mlops/prod/models/churn/approved-package-arn', Account: '123456789012',
        ModelPackageArn: PACKAGE, ExecutionArn: expect.stringMatching(/^arn:aws:states:.*:execution:/),
      },
    });
    // ActionName: 1-120 of [a-zA-Z0-9](-*[a-zA-Z0-9]) (SageMaker API reference, CreateAction), unique per stage and execution.
    expect(action.ActionName.length).toBeLessThanOrEqual(120);
    expect(action.ActionName).not.toBe(run.calls['staging lineage: Record deployment'][0].ActionName);
    expect(run.calls['prod lineage: Link to training run']).toEqual([{ SourceArn: RUN_CONTEXT, DestinationArn: actionArn('prod'), AssociationType: 'ContributedTo' }]);
    expect(run.calls['staging lineage: Not recorded']).toBeUndefined();
  });

  test('issue 19: a version registered without lineage (no run context) still records its deployment, unlinked', async () => {
    const none = { [`staging lineage: Find training run`]: sequence(runContexts()) };
    const run = await promote({ ...stageMocks('staging', { lineage: none }), ...APPROVED, ...stageMocks('prod', { lineage: { 'prod lineage: Find training run': sequence(runContexts()) } }) });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.calls['staging lineage: Record deployment']).toHaveLength(1);
    expect(run.calls['staging lineage: Link to training run']).toBeUndefined();
    expect(run.calls['staging lineage: Not recorded']).toBeUndefined();
  });

  test.each([
    ['Find training run', taskError('SageMaker.AccessDeniedException', 'not authorized to perform: sagemaker:ListContexts')],
    ['Record deployment', taskError('SageMaker.ResourceInUseException', 'Action already exists')],
    ['Link to training run', taskError('SageMaker.ResourceNotFoundException', 'Context not found')],
  ])('issue 19: a failed lineage call (%s) neither fails nor rolls back the promotion: it alerts the topic and goes on to prod', async (state, error) => {
    const run = await promote({ ...stageMocks('staging', { lineage: { [`staging lineage: ${state}`]: sequence(error) } }), ...APPROVED, ...stageMocks('prod') });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.calls['staging: Restore previous version']).toBeUndefined();
    expect(run.calls['prod: Write approved version']).toHaveLength(1);
    const [alert] = run.calls['staging lineage: Not recorded'];
    expect(alert.Message).toEqual(expect.objectContaining({ modelPackageArn: PACKAGE, error: expect.objectContaining({ Error: error.name, Cause: error.message }) }));
  });

  test('issue 19: transient SageMaker errors are retried before the record is given up', async () => {
    const throttled = taskError('SageMaker.ThrottlingException', 'Rate exceeded');
    const run = await promote({ ...stageMocks('staging', { lineage: { 'staging lineage: Record deployment': sequence(throttled, { ActionArn: actionArn('staging') }) } }), ...APPROVED, ...stageMocks('prod') });
    expect(run.calls['staging lineage: Record deployment']).toHaveLength(2);
    expect(run.calls['staging lineage: Link to training run']).toHaveLength(1);
    expect(run.calls['staging lineage: Not recorded']).toBeUndefined();
  });

  test('issue 19: an answer without the documented fields (no ActionArn) skips the link instead of failing with States.Runtime', async () => {
    const run = await promote({ ...stageMocks('staging', { lineage: { 'staging lineage: Record deployment': sequence({}) } }), ...APPROVED, ...stageMocks('prod') });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.calls['staging lineage: Link to training run']).toBeUndefined();
  });

  test('issue 19: even a failed alert does not stop a promotion whose rollout succeeded', async () => {
    const run = await promote({
      ...stageMocks('staging', { lineage: {
        'staging lineage: Find training run': sequence(taskError('SageMaker.AccessDeniedException')),
        'staging lineage: Not recorded': sequence(taskError('SNS.AuthorizationErrorException')),
      } }), ...APPROVED, ...stageMocks('prod'),
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toContain('prod: Write approved version');
  });

  test('issue 19: nothing is recorded for a stage that deployed nothing (re-approval of the served version) or rolled back', async () => {
    const noUpdates = taskError('CloudFormation.CloudFormationException', 'No updates are to be performed.');
    const same = await promote({ ...stageMocks('staging', { current: PACKAGE, update: noUpdates }), ...APPROVED, ...stageMocks('prod', { current: PACKAGE, update: noUpdates }) });
    expect(same.calls['staging lineage: Record deployment']).toBeUndefined();
    const back = await promote({ ...stageMocks('staging', { statuses: ['UPDATE_ROLLBACK_COMPLETE'] }), ...APPROVED, ...stageMocks('prod') });
    expect(back.calls['staging lineage: Record deployment']).toBeUndefined();
  });
});
