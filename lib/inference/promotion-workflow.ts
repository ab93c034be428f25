import { Duration, Lazy, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { createAlertTopic } from '../core/alerts';
import { createKey, createLogGroup } from '../core/encryption';
import { Platform } from '../core/environment';
import { Validator } from '../core/errors';
import { deliverReliably } from '../core/event-delivery';
import { FAILED_EXECUTION_STATUSES, executionAlertTarget, executionStatusRule } from '../core/executions';
import { acknowledgeWildcardResources } from '../core/nag';
import { resolveRemovalPolicy } from '../core/removal';
import { PROMOTION_DEFAULTS, PromotionStage, PromotionWorkflowProps } from './promotion-workflow-props';
import { bootstrapExecutionRoleArn, deploymentLineage, lineageArns, promotionParameterNames, stackArn } from './private/promotion';
import { ssmParameterArn } from './private/stack-parameters';

const STAGE_NAME = /^[a-z][a-z0-9-]{0,19}$/;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const SSM_NAME = /^\/[a-zA-Z0-9_.\-/]{1,1010}$/;
const ACCOUNT_ID = /^\d{12}$/;
/** IAM role names: up to 64 of letters, digits and +=,.@_- (IAM API reference, CreateRole RoleName). */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** Stack statuses while an update (or its rollback) is still running. */
export const STACK_UPDATE_IN_PROGRESS = [
  'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
];

/** A stage with its defaults resolved. */
export interface ResolvedPromotionStage extends PromotionStage {
  /** The serving stack's name. */
  readonly stackName: string;
  /** The SSM parameter the stage's endpoint reads. */
  readonly parameterName: string;
  /** Whether a person approves before this stage is updated. */
  readonly requireApproval: boolean;
  /** The role CloudFormation updates the stage's serving stack with. */
  readonly cloudFormationRoleArn: string;
}

/**
 * Promotes approved versions of one registered model through environments with the stacks as
 * the source of truth: on approval, for each stage in order, it (after a manual approval where
 * required) writes the package ARN to the stage's SSM parameter and updates the serving stack
 * with its previous template, so that CloudFormation re-reads the parameter and the endpoint's
 * guarded rollout (blue/green with auto-rollback) deploys the version. It waits for the update to
 * settle; a rolled-back or failed update restores the previous ARN in the parameter, stops the
 * promotion and alerts the topic.
 *
 * The serving stacks must already exist (deployed with `cdk deploy`); every parameter of their
 * templates must have a default, which the update uses.
 */
export class PromotionWorkflow extends Construct {
  /** The state machine; its input is the registry's "Model Package State Change" event. */
  public readonly stateMachine: sfn.StateMachine;
  /** Receives approval requests (with the task token) and failure alerts. */
  public readonly topic: sns.ITopic;
  /** The rule on the registry's approvals that starts the workflow. */
  public readonly approvalRule: events.Rule;
  /** The resolved stages, in order. */
  public readonly stages: readonly Readonly<ResolvedPromotionStage>[];
  /** The removal policy applied to the key and log group this construct creates. */
  public readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: PromotionWorkflowProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const settings = Platform.of(this);
    validate(new Validator(this), props, Stack.of(this).account);

    this.stages = props.stages.map((s, i) => ({
      ...s,
      stackName: s.stackName ?? s.servingStack!.stackName,
      parameterName: s.parameterName ?? `/${settings.project}/${s.name}/models/${props.model}/approved-package-arn`,
      requireApproval: s.requireApproval ?? i > 0,
      cloudFormationRoleArn: s.cloudFormationRoleArn
        ?? (s.role ? bootstrapExecutionRoleArn(this, s.account) : props.cloudFormationRoleArn ?? bootstrapExecutionRoleArn(this)),
    }));
    this.removalPolicy = resolveRemovalPolicy(this, props.removalPolicy, settings.profile);
    const key: kms.IKey = props.encryptionKey ?? createKey(this, 'Key', {
      description: `Promotion workflow ${this.node.path}: topic and logs`, removalPolicy: this.removalPolicy,
    });
    this.topic = props.topic ?? createAlertTopic(this, 'Topic', key, `Promotion of ${props.model}`);
    const poll = props.pollInterval ?? PROMOTION_DEFAULTS.pollInterval;
    const packageArn = sfn.JsonPath.stringAt('$.detail.ModelPackageArn');

    const succeed = new sfn.Succeed(this, 'Promoted');
    let chain: sfn.IChainable = succeed;
    // Built back to front: each stage continues with the next.
    for (let i = this.stages.length - 1; i >= 0; i--) {
      chain = this.stageSteps(this.stages[i], i, { next: chain, packageArn, poll, model: props.model });
    }

    const logGroup = createLogGroup(this, 'Logs', { key, removalPolicy: this.removalPolicy });
    // A fixed name only where a role of another account must trust this one by its exact ARN.
    const role = props.roleName === undefined ? undefined : new iam.Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: `State machine role of ${this.node.path}; promotion roles in other accounts trust it by name`,
    });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      role,
      definitionBody: sfn.DefinitionBody.fromChainable(chain),
      timeout: props.timeout ?? PROMOTION_DEFAULTS.timeout,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: `Promotion of ${props.model} through ${this.stages.map((s) => s.name).join(' -> ')}`,
    });
    // UpdateStack re-resolves every SSM-typed template parameter of the stack ("CloudFormation always
    // fetches the latest values from Parameter Store when it updates stacks", CloudFormation User
    // Guide, Systems Manager parameter types) with the caller's credentials: the bootstrap version
    // parameter, other models' versions and imported registry parameters included. Derived from the
    // serving stacks' own CfnParameters at synthesis, so the grant follows the templates. One
    // statement for every stage: statements with list tokens cannot be merged. A stage in another
    // account updates its stack with its own role's credentials, which carries that grant there.
    const local = this.stages.filter((s) => !s.role);
    if (local.length > 0) {
      this.stateMachine.addToRolePolicy(new iam.PolicyStatement({
        actions: ['ssm:GetParameters'],
        resources: Lazy.list({
          produce: () => [...new Set(local.flatMap((s) => promotionParameterNames(this, s)))].sort().map((n) => ssmParameterArn(stack, n)),
        }),
      }));
    }
    // Publishing approval requests to an encrypted topic needs its key.
    (props.topic ? props.topic.masterKey : key)?.grant(this.stateMachine, 'kms:Decrypt', 'kms:GenerateDataKey');
    acknowledgeWildcardResources(this.stateMachine.role, ['*'],
      'Step Functions log delivery, X-Ray tracing and SageMaker ListContexts support no resource-level permissions.');
    for (const s of this.stages) {
      acknowledgeWildcardResources(this.stateMachine.role, [stackArn(stack, s.stackName, s.account)],
        'A stack ARN ends with a stack ID that is only known after the stack is created; the name is fixed.');
      const lineage = lineageArns(stack, props.model, s.name);
      acknowledgeWildcardResources(this.stateMachine.role, [lineage.actions, lineage.runContexts],
        'Each promotion records one deployment action per stage named <model>-<stage>-deploy-<execution hash>, linked to the version\'s run context <model>-run-<run UUID>: scoped to this model.');
    }

    executionStatusRule(this, 'FailedRule', this.stateMachine, FAILED_EXECUTION_STATUSES, {
      description: `Alerts when a promotion of ${props.model} fails, times out, is rejected or rolled back`,
      target: executionAlertTarget(this.topic, { source: 'promotion', model: props.model }),
    });
    this.approvalRule = props.registry.onApproved(`Promote${Names.uniqueId(this)}`.slice(0, 80), {
      model: props.model,
      description: `Starts the promotion of approved ${props.model} versions (${this.node.path})`,
      target: deliverReliably(new targets.SfnStateMachine(this.stateMachine), { alarmTopic: this.topic }),
    });
  }

  private stageSteps(stage: ResolvedPromotionStage, index: number, o: { next: sfn.IChainable; packageArn: string; poll: Duration; model: string }): sfn.IChainable {
    const stack = Stack.of(this);
    const label = (what: string) => `${stage.name}: ${what}`;
    const parameterArn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: stage.parameterName.slice(1), account: stage.account });
    const cfnRoleArn = stage.cloudFormationRoleArn;
    // A stage in another account: every task of the stage runs with the credentials of that
    // account's role (Task state field "Credentials": { "RoleArn" }, which Step Functions assumes for
    // the task; Step Functions developer guide, "Accessing resources in other AWS accounts",
    // https://docs.aws.amazon.com/step-functions/latest/dg/concepts-access-cross-acct-resources.html).
    // aws-cdk-lib grants the workflow's role sts:AssumeRole on it.
    const credentials = stage.role ? { role: sfn.TaskRole.fromRole(stage.role) } : undefined;
    const previousPath = `$.stage${index}Previous`;
    const short = Duration.minutes(2);

    const readPrevious = new tasks.CallAwsService(this, label('Read current version'), {
      service: 'ssm', action: 'getParameter', iamAction: 'ssm:GetParameter', iamResources: [parameterArn],
      parameters: { Name: stage.parameterName },
      resultSelector: { 'value.$': '$.Parameter.Value' },
      resultPath: previousPath,
      taskTimeout: sfn.Timeout.duration(short),
      credentials,
    });
    const write = new tasks.CallAwsService(this, label('Write approved version'), {
      service: 'ssm', action: 'putParameter', iamAction: 'ssm:PutParameter', iamResources: [parameterArn],
      parameters: { Name: stage.parameterName, Value: o.packageArn, Overwrite: true },
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(short),
      credentials,
    });
    const update = new tasks.CallAwsService(this, label('Update serving stack'), {
      service: 'cloudformation', action: 'updateStack', iamAction: 'cloudformation:UpdateStack', iamResources: [stackArn(stack, stage.stackName, stage.account)],
      parameters: {
        StackName: stage.stackName,
        UsePreviousTemplate: true,
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
        RoleARN: cfnRoleArn,
      },
      additionalIamStatements: [
        new iam.PolicyStatement({
          actions: ['iam:PassRole'], resources: [cfnRoleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
        }),
      ],
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(short),
      credentials,
    });
    const restore = new tasks.CallAwsService(this, label('Restore previous version'), {
      service: 'ssm', action: 'putParameter', iamAction: 'ssm:PutParameter', iamResources: [parameterArn],
      parameters: { Name: stage.parameterName, Value: sfn.JsonPath.stringAt(`${previousPath}.value`), Overwrite: true },
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(short),
      credentials,
    });
    const failed = new sfn.Fail(this, label('Rolled back'), {
      error: PROMOTION_ROLLED_BACK,
      cause: `The update of stack ${stage.stackName} did not complete (rolled back or failed); ${stage.parameterName} holds the previous version again`,
    });
    restore.next(failed);
    // A refused UpdateStack (validation error, access denied, stack busy) deployed nothing: restore
    // the parameter and report the refusal with CloudFormation's cause, not as a rollback.
    const restoreRefused = new tasks.CallAwsService(this, label('Restore after refusal'), {
      service: 'ssm', action: 'putParameter', iamAction: 'ssm:PutParameter', iamResources: [parameterArn],
      parameters: { Name: stage.parameterName, Value: sfn.JsonPath.stringAt(`${previousPath}.value`), Overwrite: true },
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(short),
      credentials,
    });
    restoreRefused.next(new sfn.Fail(this, label('Update refused'), {
      error: PROMOTION_UPDATE_REFUSED,
      causePath: '$.updateError.Cause',
    }));
    // Re-approving the version a stage already serves leaves nothing to update: that stage is done.
    // Step Functions names an AWS SDK integration error "<Service>.<Error>" (Step Functions developer
    // guide, AWS SDK service integrations); CloudFormation answers such an UpdateStack with a
    // ValidationError "No updates are to be performed.", which the SDK integration reports as
    // CloudFormation.CloudFormationException (its Cause carries the message).
    const unchanged = new sfn.Choice(this, label('Already serving it?'))
      .when(sfn.Condition.and(
        sfn.Condition.stringEquals('$.updateError.Error', 'CloudFormation.CloudFormationException'),
        sfn.Condition.stringMatches('$.updateError.Cause', '*No updates are to be performed*'),
      ), o.next)
      .otherwise(restoreRefused);
    update.addCatch(unchanged, { errors: ['States.ALL'], resultPath: '$.updateError' });

    const wait = new sfn.Wait(this, label('Wait for rollout'), { time: sfn.WaitTime.duration(o.poll) });
    const describe = new tasks.CallAwsService(this, label('Read stack status'), {
      service: 'cloudformation', action: 'describeStacks', iamAction: 'cloudformation:DescribeStacks', iamResources: [stackArn(stack, stage.stackName, stage.account)],
      parameters: { StackName: stage.stackName },
      resultSelector: { 'status.$': '$.Stacks[0].StackStatus' },
      resultPath: `$.stage${index}Stack`,
      taskTimeout: sfn.Timeout.duration(short),
      credentials,
    });
    describe.addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(10), maxAttempts: 3, backoffRate: 2 });
    const status = `$.stage${index}Stack.status`;
    // Issue 19: a completed rollout is recorded in the lineage (in this account) before the next stage.
    const recorded = deploymentLineage(this, {
      model: o.model, stage, packageArn: o.packageArn, parameterArn,
      resultPath: `$.stage${index}Lineage`, topic: this.topic, next: o.next,
    });
    const settled = new sfn.Choice(this, label('Rollout settled?'))
      .when(sfn.Condition.stringEquals(status, 'UPDATE_COMPLETE'), recorded)
      .when(sfn.Condition.or(...STACK_UPDATE_IN_PROGRESS.map((s) => sfn.Condition.stringEquals(status, s))), wait)
      .otherwise(restore);

    const rollout = readPrevious.next(write).next(update).next(wait).next(describe).next(settled);
    if (!stage.requireApproval) return rollout;
    const approve = new tasks.SnsPublish(this, label('Wait for approval'), {
      topic: this.topic,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      subject: `Approve ${o.model} for ${stage.name}`,
      message: sfn.TaskInput.fromObject({
        request: `Approve promoting ${o.model} to ${stage.name} (stack ${stage.stackName})`,
        modelPackageArn: o.packageArn,
        execution: sfn.JsonPath.executionId,
        taskToken: sfn.JsonPath.taskToken,
        approve: 'aws stepfunctions send-task-success --task-output {} --task-token <taskToken>',
        reject: 'aws stepfunctions send-task-failure --error Rejected --task-token <taskToken>',
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    return approve.next(rollout);
  }
}

/** The error a promotion fails with when CloudFormation refused the stack update (nothing was deployed). */
export const PROMOTION_UPDATE_REFUSED = 'PromotionUpdateRefused';
/** The error a promotion fails with when the stack update rolled back or failed. */
export const PROMOTION_ROLLED_BACK = 'PromotionRolledBack';

function validate(v: Validator, props: PromotionWorkflowProps, own: string): void {
  v.check(props.registry.hasModel(props.model), 'model', props.model,
    `is not a model of registry ${props.registry.node.path}; declared: ${props.registry.models.join(', ')}`);
  v.check(props.stages.length >= 1 && props.stages.length <= PROMOTION_DEFAULTS.maxStages, 'stages', `${props.stages.length} stages`,
    `must hold 1 to ${PROMOTION_DEFAULTS.maxStages} stages`);
  const names = props.stages.map((s) => s.name);
  props.stages.forEach((s, i) => {
    v.matches(s.name, STAGE_NAME, `stages[${i}].name`, 'must be 1-20 lowercase letters, digits or hyphens, starting with a letter');
    if (names.indexOf(s.name) !== i) v.fail(`stages[${i}].name`, s.name, 'must be unique');
    v.matches(s.stackName, STACK_NAME, `stages[${i}].stackName`, 'must be a CloudFormation stack name: a letter, then up to 127 letters, digits or hyphens');
    v.check(s.stackName !== undefined || s.servingStack !== undefined, `stages[${i}].stackName`, s.stackName, 'must be given when servingStack is not');
    if (s.stackName !== undefined && s.servingStack !== undefined) {
      v.check(s.stackName === s.servingStack.stackName, `stages[${i}].stackName`, s.stackName, `must be the name of servingStack (${s.servingStack.stackName}) when both are given`);
    }
    v.matches(s.parameterName, SSM_NAME, `stages[${i}].parameterName`, 'must be an SSM parameter path: "/" followed by letters, digits, "_", ".", "-" or "/"');
    v.matches(s.account, ACCOUNT_ID, `stages[${i}].account`, 'must be a 12-digit AWS account ID');
    if (s.account !== undefined && !Token.isUnresolved(s.account) && !Token.isUnresolved(own) && s.account === own) {
      v.fail(`stages[${i}].account`, s.account, 'must be another account than the workflow\'s: leave it out for a stage in the same account');
    }
    if (s.role !== undefined && s.account === undefined) v.fail(`stages[${i}].account`, undefined, 'must be set when role is: the role belongs to the stage\'s account');
    if (s.role === undefined && s.account !== undefined) v.fail(`stages[${i}].role`, undefined, 'must be set when account is: a stage in another account is reached through a role of that account');
    if (s.servingStack !== undefined && s.account !== undefined && !Token.isUnresolved(s.servingStack.account)) {
      v.check(s.servingStack.account === s.account, `stages[${i}].account`, s.account, `must be the account of servingStack (${s.servingStack.account})`);
    }
  });
  v.matches(props.roleName, ROLE_NAME, 'roleName', 'must be an IAM role name: 1 to 64 letters, digits or +=,.@_-');
  if (props.pollInterval && !props.pollInterval.isUnresolved()) {
    const s = props.pollInterval.toSeconds({ integral: false });
    v.check(Number.isInteger(s) && s >= 10 && s <= 3600, 'pollInterval', props.pollInterval, 'must be a whole number of seconds from 10 seconds to 1 hour');
  }
  if (props.timeout && !props.timeout.isUnresolved()) {
    const s = props.timeout.toSeconds({ integral: false });
    v.check(s >= 600 && s <= 365 * 24 * 3600, 'timeout', props.timeout, 'must be between 10 minutes and 1 year (the Step Functions maximum)');
  }
  v.throwIfAny();
}
