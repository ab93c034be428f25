import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PROMOTION_DEFAULTS, PromotionStage } from '../promotion-workflow-props';
import { ssmParameterNames } from './stack-parameters';

/** The ARN pattern of a stack by name (in `account`, default the stack's). */
export function stackArn(stack: Stack, stackName: string, account?: string): string {
  return stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stackName}/*`, account });
}

/**
 * The SSM parameters an UpdateStack of the stage's serving stack resolves: derived from the serving
 * stack's SSM-typed CfnParameters when it is in this app, else the stage's parameter and the CDK
 * bootstrap version parameter. Call it when the tree is complete (inside a Lazy).
 */
export function promotionParameterNames(scope: Construct, stage: Pick<PromotionStage, 'servingStack'> & { parameterName: string }): string[] {
  if (stage.servingStack) return ssmParameterNames(stage.servingStack);
  const qualifier = scope.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? PROMOTION_DEFAULTS.bootstrapQualifier;
  return [...new Set([stage.parameterName, `/cdk-bootstrap/${qualifier}/version`])].sort();
}

/** The CDK bootstrap CloudFormation execution role of this stack's account (or `account`) and region. */
export function bootstrapExecutionRoleArn(scope: Construct, account?: string): string {
  const stack = Stack.of(scope);
  const qualifier = scope.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? PROMOTION_DEFAULTS.bootstrapQualifier;
  return stack.formatArn({
    service: 'iam', region: '', account, resource: 'role', arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    resourceName: `cdk-${qualifier}-cfn-exec-role-${account ?? stack.account}-${stack.region}`,
  });
}
