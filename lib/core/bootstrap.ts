import { IConstruct } from 'constructs';

/** The qualifier of `cdk bootstrap` when none is given (the default synthesizer's). */
export const DEFAULT_BOOTSTRAP_QUALIFIER = 'hnb659fds';

/** The CDK bootstrap qualifier of `scope`'s app: the `@aws-cdk/core:bootstrapQualifier` context, else CDK's default. */
export function bootstrapQualifier(scope: IConstruct): string {
  return scope.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? DEFAULT_BOOTSTRAP_QUALIFIER;
}

/** The name of the CDK bootstrap CloudFormation execution role of an account and region (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`). */
export function bootstrapExecutionRoleName(qualifier: string, account: string, region: string): string {
  return `cdk-${qualifier}-cfn-exec-role-${account}-${region}`;
}
