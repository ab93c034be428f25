import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledgeWildcardResources } from '../../core/nag';
import type { InferenceEndpoint } from '../../inference/inference-endpoint';
import { PromotionTargetRole } from '../../inference/promotion-workflow-target';
import type { MonitoringStack } from '../../monitoring/monitoring-stack';
import { CrossAccountPlan, crossAccountRoleNames } from './cross-account';

/**
 * In the releasing environment's registry stack: the role that the consuming accounts'
 * CloudFormation execution roles assume to read the registry stack's outputs at deploy time
 * (Fn::GetStackOutput RoleArn: "an IAM role that has cloudformation:DescribeStacks permissions on the
 * referenced stack; the role must be assumable by the execution role of the stack being created or
 * updated", CloudFormation Template Reference,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html).
 * It trusts exactly those execution roles (account principal with ArnEquals aws:PrincipalArn, valid
 * before they exist) and may describe only the registry stack.
 */
export function addRegistryReaderRole(registryStack: Stack, plan: CrossAccountPlan, project: string, environment: string): iam.Role | undefined {
  if (plan.outputReaders.length === 0) return undefined;
  const byAccount = new Map<string, string[]>();
  for (const arn of plan.outputReaders) {
    const account = arn.split(':')[4];
    byAccount.set(account, [...(byAccount.get(account) ?? []), arn]);
  }
  const [[first, firstArns], ...others] = [...byAccount];
  const role = new iam.Role(registryStack, 'RegistryReaderRole', {
    roleName: crossAccountRoleNames.registryReader(project, environment),
    assumedBy: new iam.AccountPrincipal(first).withConditions({ ArnEquals: { 'aws:PrincipalArn': firstArns } }),
    description: `Read by the consuming accounts' CloudFormation execution roles: outputs of ${registryStack.stackName} (the registry's key ARN and bucket name)`,
  });
  for (const [account, arns] of others) {
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      principals: [new iam.AccountPrincipal(account)],
      conditions: { ArnEquals: { 'aws:PrincipalArn': arns } },
    }));
  }
  const stackArn = registryStack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${registryStack.stackName}/*` });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [stackArn] }));
  acknowledgeWildcardResources(role, [stackArn], 'A stack ARN ends with a stack ID that is only known after the stack is created; the name is fixed.');
  return role;
}

/**
 * In a consuming environment's ML stack, when its releasing environment is in another account: the
 * role the releasing promotion workflows assume to write this environment's approved-version
 * parameters and update its serving stacks.
 */
export function addPromotionTargetRole(mlStack: Stack, plan: CrossAccountPlan, o: {
  project: string; environment: string; models: readonly string[]; servingStacks: Stack[];
}): PromotionTargetRole | undefined {
  const release = plan.release;
  if (!release) return undefined;
  return new PromotionTargetRole(mlStack, 'PromotionTargetRole', {
    roleName: crossAccountRoleNames.promotionTarget(o.project, o.environment),
    trustedAccount: release.account,
    trustedRoleArns: release.workflowRoleArns,
    parameterNames: o.models.map((m) => `/${o.project}/${o.environment}/models/${m}/approved-package-arn`),
    servingStacks: o.servingStacks,
  });
}

/**
 * Gives the consuming environment's endpoint execution roles and drift job roles the fixed names
 * that the releasing registry's resource policies name exactly.
 */
export function nameConsumerRoles(plan: CrossAccountPlan, endpoints: ReadonlyMap<string, InferenceEndpoint>, monitoring: readonly MonitoringStack[]): void {
  if (!plan.release) return;
  for (const [model, endpoint] of endpoints) {
    setRoleName(endpoint.role, plan.servingRoleName(model)!);
    for (const m of monitoring) {
      for (const watch of m.endpointWatches.values()) {
        if (watch.drift && watch.drift.endpointName === endpoint.endpointName) setRoleName(watch.drift.role, plan.driftRoleName(model)!);
      }
    }
  }
}

function setRoleName(role: iam.IRole, name: string): void {
  const cfn = role.node.defaultChild;
  // The registry's policies name this role: a role the platform cannot name would be refused there.
  if (!(cfn instanceof iam.CfnRole)) throw new Error(`${role.node.path} is not a role this app creates; the releasing registry names ${name}`);
  cfn.roleName = name;
}
