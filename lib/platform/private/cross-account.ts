import type { EnvironmentName } from '../../core/environment';
import type { PlatformEnvironment } from '../platform-config';

/** The environments of a platform, by name. */
export type Environments = Partial<Record<EnvironmentName, PlatformEnvironment>>;

/** IAM role names are at most 64 characters. */
const ROLE_NAME_MAX = 64;

/** The CDK bootstrap qualifier of the default synthesizer. */
export const BOOTSTRAP_QUALIFIER = 'hnb659fds';

/** True when `from` promotes to (or serves) `to` in another account: both accounts named and different. */
export function isCrossAccount(envs: Environments | undefined, from: EnvironmentName, to: EnvironmentName): boolean {
  const a = envs?.[from]?.account;
  const b = envs?.[to]?.account;
  return a !== undefined && b !== undefined && a !== b;
}

function roleName(...parts: string[]): string {
  return parts.join('-').slice(0, ROLE_NAME_MAX).replace(/-+$/, '');
}

function roleArn(account: string, name: string): string {
  // Both accounts of a cross-account promotion are named literals in one region, so the partition is
  // that of the region; the commercial partition is the only one the platform's region check admits.
  return `arn:aws:iam::${account}:role/${name}`;
}

/**
 * Physical names of the roles that cross accounts. They are fixed so that the other account's
 * policies can name them exactly, whichever stack deploys first; they are part of the contract.
 */
export const crossAccountRoleNames = {
  /** The promotion workflow's state machine role of one model in the releasing environment. */
  promotionWorkflow: (project: string, env: string, model: string) => roleName(project, env, 'promote', model),
  /** The role a target environment's ML stack creates for the releasing environment's promotions. */
  promotionTarget: (project: string, env: string) => roleName(project, env, 'promotion-target'),
  /** The execution role of one model's endpoint in a consuming environment. */
  servingModel: (project: string, env: string, model: string) => roleName(project, env, 'serve', model),
  /** The role in the releasing account that consuming stacks assume to read the registry stack's outputs. */
  registryReader: (project: string, env: string) => roleName(project, env, 'registry-reader'),
};

/** The exact ARN of a cross-account role of the platform. */
export function crossAccountRoleArn(account: string, name: string): string {
  return roleArn(account, name);
}

/** The CDK bootstrap CloudFormation execution role of an account and region (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`). */
export function cfnExecRoleArn(account: string, region: string, qualifier: string = BOOTSTRAP_QUALIFIER): string {
  return roleArn(account, `cdk-${qualifier}-cfn-exec-role-${account}-${region}`);
}
