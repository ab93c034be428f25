import type { IConstruct } from 'constructs';
import type { EnvironmentName } from '../../core/environment';
import { Validator } from '../../core/errors';
import { bootstrapExecutionRoleName } from '../../core/bootstrap';
import type { PlatformEnvironment } from '../platform-config';

/** The environments of a platform, by name. */
export type Environments = Partial<Record<EnvironmentName, PlatformEnvironment>>;

/** IAM role names are at most 64 characters. */
const ROLE_NAME_MAX = 64;

/** True when `from` promotes to (or serves) `to` in another account: both accounts named and different. */
export function isCrossAccount(envs: Environments | undefined, from: EnvironmentName, to: EnvironmentName): boolean {
  const a = envs?.[from]?.account;
  const b = envs?.[to]?.account;
  return a !== undefined && b !== undefined && a !== b;
}

function roleName(...parts: string[]): string {
  return parts.join('-').slice(0, ROLE_NAME_MAX).replace(/-+$/, '');
}

/** The partition of a region code (IAM ARNs name it; accounts and regions of a cross-account promotion are literals). */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function roleArn(account: string, region: string, name: string): string {
  return `arn:${partitionOf(region)}:iam::${account}:role/${name}`;
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

/** The CDK bootstrap CloudFormation execution role of an account and region (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`). */
export function cfnExecRoleArn(account: string, region: string, qualifier: string): string {
  return roleArn(account, region, bootstrapExecutionRoleName(qualifier, account, region));
}

/** A promotion target in another account, as the releasing environment reaches it. */
export interface RemoteTarget {
  readonly account: string;
  /** The role that target's ML stack creates for this environment's promotions. */
  readonly roleArn: string;
}

/** The releasing environment of a consuming environment in another account. */
export interface RemoteRelease {
  readonly environment: EnvironmentName;
  readonly account: string;
  readonly region: string;
  /** The stack of its registry (the first ML stack), whose outputs the consumer reads. */
  readonly registryStackName: string;
  /** The role there that the consumer's CloudFormation execution role assumes to read those outputs. */
  readonly readerRoleArn: string;
  /** The promotion workflow roles there that this environment's promotion target role trusts. */
  readonly workflowRoleArns: string[];
}

/**
 * What crosses accounts for one environment: as a releasing environment (its targets in other
 * accounts and the exact roles there that read its registry) and as a consuming one (the releasing
 * environment in another account). Everything is derived from the environments' configuration and
 * the fixed role names, so either side can deploy first.
 */
export interface CrossAccountPlan {
  /** Targets of this environment's promotions in other accounts, by environment. */
  readonly targets: ReadonlyMap<EnvironmentName, RemoteTarget>;
  /** Exact ARNs of the other accounts' roles that read this environment's registry (sorted). */
  readonly registryReaders: string[];
  /** The CloudFormation execution roles of the consuming accounts (they read the registry stack's outputs). */
  readonly outputReaders: string[];
  /** The releasing environment, when it is in another account. */
  readonly release?: RemoteRelease;
  /** Name of a model's promotion workflow role, when a target is in another account. */
  workflowRoleName(model: string): string | undefined;
  /** Name of a model's endpoint execution role, when the releasing environment is in another account. */
  servingRoleName(model: string): string | undefined;
  /** Name of a model's drift job role, when the releasing environment is in another account. */
  driftRoleName(model: string): string | undefined;
}

/** The cross-account plan of environment `me` (see {@link CrossAccountPlan}). */
export function crossAccountPlan(scope: IConstruct, o: {
  readonly project: string; readonly environments?: Environments; readonly me: EnvironmentName;
  readonly servedFrom: EnvironmentName; readonly targets: readonly EnvironmentName[]; readonly models: readonly string[];
  readonly stackNames: (env: EnvironmentName) => string;
  /** The CDK bootstrap qualifier (`bootstrapQualifier(scope)`). */
  readonly qualifier: string;
}): CrossAccountPlan {
  const envs = o.environments;
  const n = crossAccountRoleNames;
  // buildPlatform checks this over the whole graph; a stage built on its own is checked here.
  const v = new Validator(scope);
  for (const other of [...o.targets, o.servedFrom]) {
    if (!isCrossAccount(envs, o.me, other) && !isCrossAccount(envs, other, o.me)) continue;
    const a = envs![o.me]!.region;
    const b = envs![other]!.region;
    v.check(a !== undefined && a === b, `environments.${other}.region`, b,
      `must be set and equal to environments.${o.me}.region (${a ?? 'unset'}): environments in different accounts that promote to each other share one region`);
  }
  v.throwIfAny();
  const targets = new Map<EnvironmentName, RemoteTarget>();
  const readers = new Set<string>();
  const outputReaders = new Set<string>();
  for (const t of o.targets) {
    if (!isCrossAccount(envs, o.me, t)) continue;
    const { account, region } = envs![t]!;
    targets.set(t, { account: account!, roleArn: roleArn(account!, region!, n.promotionTarget(o.project, t)) });
    // SageMaker creates the endpoint's model from the package with the target's CloudFormation
    // execution role (CreateModel) and reads the package, its artifacts and image with the model's
    // execution role; the drift job reads the served version's baseline.
    const cfnExec = cfnExecRoleArn(account!, region!, o.qualifier);
    readers.add(cfnExec);
    outputReaders.add(cfnExec);
    for (const m of o.models) {
      readers.add(roleArn(account!, region!, n.servingModel(o.project, t, m)));
      readers.add(roleArn(account!, region!, driftName(o.project, t, m)));
    }
  }
  let release: RemoteRelease | undefined;
  if (isCrossAccount(envs, o.servedFrom, o.me)) {
    const from = envs![o.servedFrom]!;
    release = {
      environment: o.servedFrom,
      account: from.account!,
      region: from.region!,
      registryStackName: o.stackNames(o.servedFrom),
      readerRoleArn: roleArn(from.account!, from.region!, n.registryReader(o.project, o.servedFrom)),
      workflowRoleArns: o.models.map((m) => roleArn(from.account!, from.region!, n.promotionWorkflow(o.project, o.servedFrom, m))),
    };
  }
  return {
    targets,
    registryReaders: [...readers].sort(),
    outputReaders: [...outputReaders].sort(),
    release,
    workflowRoleName: (m) => (targets.size > 0 ? n.promotionWorkflow(o.project, o.me, m) : undefined),
    servingRoleName: (m) => (release ? n.servingModel(o.project, o.me, m) : undefined),
    driftRoleName: (m) => (release ? driftName(o.project, o.me, m) : undefined),
  };
}

function driftName(project: string, env: string, model: string): string {
  return roleName(project, env, 'drift', model);
}
