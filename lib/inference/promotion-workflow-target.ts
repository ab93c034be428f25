import { Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Validator } from '../core/errors';
import { acknowledgeWildcardResources } from '../core/nag';
import { bootstrapExecutionRoleArn, promotionParameterNames, stackArn } from './private/promotion';
import { ssmParameterArn } from './private/stack-parameters';

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const SSM_NAME = /^\/[a-zA-Z0-9_.\-/]{1,1010}$/;

/** Props of a {@link PromotionTargetRole}. */
export interface PromotionTargetRoleProps {
  /** Physical name of the role: the promotion workflows of the other account name it in their tasks' `Credentials`. */
  readonly roleName: string;
  /** 12-digit ID of the account the promotion workflows run in (another account than this stack's). */
  readonly trustedAccount: string;
  /**
   * Exact ARNs of the promotion workflows' state machine roles (in `trustedAccount`) that may assume
   * this role. Nothing else may: not the account's other principals, not another account.
   */
  readonly trustedRoleArns: string[];
  /** The approved-version SSM parameters (in this account) that the promotions read and write. */
  readonly parameterNames: string[];
  /**
   * The serving stacks (in this account) that the promotions update. UpdateStack re-resolves every
   * SSM-typed parameter of a stack with the caller's credentials, so the role may read exactly the
   * parameters these stacks' templates name, derived from their CfnParameters at synthesis.
   */
  readonly servingStacks: Stack[];
  /**
   * Role CloudFormation updates the serving stacks with (the only role this one may pass).
   * @default the CDK bootstrap CloudFormation execution role of this account and region
   */
  readonly cloudFormationRoleArn?: string;
}

/**
 * The role through which promotion workflows of another account reach this account's serving
 * stacks: it trusts only the named workflow roles and may only do what a promotion does here
 * (read and write the approved-version parameters, update the serving stacks with their SSM-typed
 * parameters resolvable, read their status, pass the CloudFormation execution role).
 *
 * The trust policy names the workflows' account as principal with the condition
 * `ArnEquals aws:PrincipalArn` on the exact role ARNs, rather than the role ARNs as principals: IAM
 * checks that a role named as principal exists when the policy is saved ("Invalid principal in
 * policy") and pins it to the role's unique ID, so a principal ARN would require the other
 * account's stack to deploy first and would break when that role is replaced; the condition key
 * compares the caller's role ARN on every request (IAM User Guide, AWS JSON policy elements:
 * Principal, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
 * and global condition keys, aws:PrincipalArn,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
 */
export class PromotionTargetRole extends Construct {
  /** The role. */
  public readonly role: iam.Role;
  /** Its ARN. */
  public readonly roleArn: string;

  constructor(scope: Construct, id: string, props: PromotionTargetRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const v = new Validator(this);
    v.matches(props.roleName, ROLE_NAME, 'roleName', 'must be an IAM role name: 1 to 64 letters, digits or +=,.@_-');
    if (v.matches(props.trustedAccount, ACCOUNT_ID, 'trustedAccount', 'must be a 12-digit AWS account ID')) {
      v.check(Token.isUnresolved(stack.account) || props.trustedAccount !== stack.account, 'trustedAccount', props.trustedAccount,
        'must be another account than this stack\'s: same-account promotions use the workflow\'s own role');
    }
    v.check(props.trustedRoleArns.length > 0, 'trustedRoleArns', props.trustedRoleArns, 'must name at least one role');
    props.trustedRoleArns.forEach((arn, i) => {
      if (Token.isUnresolved(arn)) return;
      const m = ROLE_ARN.exec(arn);
      v.check(m !== null && m[1] === props.trustedAccount, `trustedRoleArns[${i}]`, arn,
        `must be the exact ARN of an IAM role in the trusted account ${props.trustedAccount} (arn:aws:iam::${props.trustedAccount}:role/<name>), no wildcard`);
    });
    v.check(props.parameterNames.length > 0, 'parameterNames', props.parameterNames, 'must name at least one approved-version parameter');
    props.parameterNames.forEach((n, i) => v.matches(n, SSM_NAME, `parameterNames[${i}]`, 'must be an SSM parameter path'));
    v.check(props.servingStacks.length > 0, 'servingStacks', '[]', 'must hold at least one serving stack');
    props.servingStacks.forEach((s, i) => v.check(Token.isUnresolved(s.account) || Token.isUnresolved(stack.account) || s.account === stack.account,
      `servingStacks[${i}]`, s.stackName, `must be in this stack's account (${stack.account})`));
    v.throwIfAny();

    this.role = new iam.Role(this, 'Resource', {
      roleName: props.roleName,
      assumedBy: new iam.AccountPrincipal(props.trustedAccount).withConditions({ ArnEquals: { 'aws:PrincipalArn': [...props.trustedRoleArns] } }),
      description: `Promotion into ${stack.stackName}'s account, assumed only by the promotion workflows of account ${props.trustedAccount}`,
    });
    this.roleArn = this.role.roleArn;

    const parameterArns = props.parameterNames.map((n) => ssmParameterArn(stack, n));
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter', 'ssm:PutParameter'], resources: parameterArns }));
    const stackArns = props.servingStacks.map((s) => stackArn(stack, s.stackName));
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['cloudformation:UpdateStack', 'cloudformation:DescribeStacks'], resources: stackArns }));
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['ssm:GetParameters'],
      resources: Lazy.list({
        produce: () => [...new Set(props.servingStacks.flatMap((s) => promotionParameterNames(this, { servingStack: s, parameterName: '' })))]
          .sort().map((n) => ssmParameterArn(stack, n)),
      }),
    }));
    const cfnRoleArn = props.cloudFormationRoleArn ?? bootstrapExecutionRoleArn(this);
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'], resources: [cfnRoleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    }));
    acknowledgeWildcardResources(this.role, stackArns,
      'A stack ARN ends with a stack ID that is only known after the stack is created; the name is fixed.');
  }
}
