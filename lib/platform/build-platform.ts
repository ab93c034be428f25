import { App, Stack } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { ENVIRONMENT_NAMES, selectEnvironmentNames } from '../core/config';
import { EnvironmentName } from '../core/environment';
import { ValidationError, ValidationProblem } from '../core/errors';
import { PlatformDefinition, PlatformEnvironment, ToolingAccount } from './platform-config';
import { PlatformStage } from './platform-stage';

/** Props of {@link buildPlatform}. */
export interface BuildPlatformProps {
  /** What every environment runs. */
  readonly definition: PlatformDefinition;
  /** Every environment of the platform, by name (promotion targets must be among them). */
  readonly environments: Partial<Record<EnvironmentName, PlatformEnvironment>>;
  /**
   * The environments to build.
   * @default from the `env` context (`-c env=prod`, `-c env=staging,prod`, `-c env=all`); dev when absent
   */
  readonly select?: EnvironmentName[];
  /**
   * The account (and region) of the platform's delivery pipeline, when it is a tooling account of
   * its own. Validated here; the pipeline deploys every selected environment from it.
   * @default no tooling account: stacks are deployed from wherever `cdk deploy` runs
   */
  readonly tooling?: ToolingAccount;
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d$/;

/**
 * Builds one {@link PlatformStage} per selected environment, named after it (`dev/`, `staging/`,
 * `prod/` in the assembly). Checks the promotion graph over all environments first: every
 * built environment's endpoints must be fed by exactly one environment's promotions, and every
 * promotion target must be reachable from the environment that promotes to it.
 *
 * Environments may share an account or live in accounts of their own, in any mix. A promotion to
 * another account needs both accounts named (an environment without an account deploys to whatever
 * account the CLI has, so no role there can be named) and one region for both: the releasing
 * environment's workflow assumes a role that the target's ML stack creates, trusting only that
 * workflow's role. Approval events never cross accounts: SageMaker sends them to the default bus of
 * the registry's own account, where the promotion workflow runs; drift in a consuming environment
 * does not retrain (only the releasing environment trains), so no event bus is shared.
 */
export function buildPlatform(scope: Construct, props: BuildPlatformProps): Map<EnvironmentName, PlatformStage> {
  const all = ENVIRONMENT_NAMES.filter((n) => props.environments[n] !== undefined);
  const select = props.select ?? selectEnvironmentNames(scope);
  const servedFrom = promotionSources(scope, props.environments, all, select, props.tooling);
  const stages = new Map<EnvironmentName, PlatformStage>();
  // Promotions may read exactly the SSM parameters of the serving stacks they update, derived from
  // those stacks: an environment is built after the environments it promotes to. A target that is
  // not selected is built the same way in a detached app (never synthesized) only to read its
  // serving stacks' parameters, so `-c env=prod` grants what `-c env=all` grants.
  let detached: App | undefined;
  const built = new Map<EnvironmentName, PlatformStage>();
  const build = (name: EnvironmentName, into: Construct, visiting: Set<EnvironmentName>): PlatformStage => {
    const done = built.get(name);
    if (done && (into === scope ? Stage_isIn(done, scope) : true)) return done;
    visiting.add(name);
    const targets = new Map<EnvironmentName, readonly Stack[]>();
    for (const t of props.environments[name]!.promotesTo ?? []) {
      if (t.environment === name || visiting.has(t.environment)) continue;
      const inApp = select.includes(t.environment);
      const target = built.get(t.environment) ?? build(t.environment, inApp ? scope : (detached ??= new App({ context: scope.node.getAllContext() })), visiting);
      targets.set(t.environment, target.servingStacks);
    }
    visiting.delete(name);
    const stage = new PlatformStage(into, name, {
      definition: props.definition,
      environment: props.environments[name]!,
      servedFrom: servedFrom.get(name) ?? promotionSource(props.environments, name),
      promotionTargets: targets,
      ownsAccountSettings: accountSettingsOwner(props.environments, all, name) === name,
      environments: props.environments,
    });
    built.set(name, stage);
    return stage;
  };
  for (const name of select) build(name, scope, new Set());
  for (const name of select) stages.set(name, built.get(name)!);
  return stages;
}

/** True when the stage was built in `scope` (not in the detached app). */
function Stage_isIn(stage: PlatformStage, scope: IConstruct): boolean {
  return stage.node.root === scope.node.root;
}

/** The environment whose promotions feed `name`'s endpoints (for a detached build; validated for selected ones). */
function promotionSource(envs: Partial<Record<EnvironmentName, PlatformEnvironment>>, name: EnvironmentName): EnvironmentName | undefined {
  return (Object.keys(envs) as EnvironmentName[]).find((from) => (envs[from]!.promotesTo ?? [{ environment: from }]).some((t) => t.environment === name));
}

/** For each selected environment, the one environment whose promotions feed its endpoints. */
function promotionSources(scope: IConstruct, envs: Partial<Record<EnvironmentName, PlatformEnvironment>>,
  all: readonly EnvironmentName[], select: readonly EnvironmentName[], tooling?: ToolingAccount): Map<EnvironmentName, EnvironmentName> {
  const problems: ValidationProblem[] = [];
  if (tooling) {
    if (typeof tooling.account !== 'string' || !ACCOUNT_ID.test(tooling.account)) {
      problems.push({ property: 'tooling.account', value: tooling.account, allowed: 'must be a 12-digit AWS account ID' });
    }
    if (tooling.region !== undefined && (typeof tooling.region !== 'string' || !REGION_CODE.test(tooling.region))) {
      problems.push({ property: 'tooling.region', value: tooling.region, allowed: 'must be an AWS region code such as eu-west-1' });
    }
  }
  for (const name of select) {
    if (!envs[name]) problems.push({ property: 'select', value: name, allowed: `must be a configured environment: ${all.join(', ')}` });
  }
  const sources = new Map<EnvironmentName, EnvironmentName[]>();
  for (const from of all) {
    const env = envs[from]!;
    if (env.name !== from) problems.push({ property: `environments.${from}.name`, value: env.name, allowed: `must be ${from}` });
    for (const t of env.promotesTo ?? [{ environment: from }]) {
      const target = envs[t.environment];
      if (!target) {
        problems.push({ property: `environments.${from}.promotesTo`, value: t.environment, allowed: `must name a configured environment: ${all.join(', ')}` });
        continue;
      }
      const unreachable = reachProblem(envs, from, t.environment);
      if (unreachable) problems.push({ property: `environments.${from}.promotesTo`, value: t.environment, allowed: unreachable });
      sources.set(t.environment, [...(sources.get(t.environment) ?? []), from]);
    }
  }
  const result = new Map<EnvironmentName, EnvironmentName>();
  for (const name of select) {
    const from = sources.get(name) ?? [];
    if (from.length === 1) result.set(name, from[0]);
    else if (envs[name]) {
      problems.push({ property: `environments.*.promotesTo`, value: from.length === 0 ? `nothing promotes to ${name}` : `${from.join(' and ')} promote to ${name}`,
        allowed: `exactly one environment must promote to ${name} (its endpoints serve what that environment's registry approves): `
          + (from.length === 0
            ? `add { environment: '${name}' } to environments.${name}.promotesTo (${name} serves its own approvals) or to the promotesTo of the environment whose releases it serves`
            : `keep ${name} in the promotesTo of one of them only`) });
    }
  }
  if (problems.length > 0) throw new ValidationError(scope.node.path || 'App', problems);
  return result;
}

/**
 * Why the promotion workflow of `from` cannot reach `to`'s serving stacks, or undefined when it can:
 * same account (both named alike, or both left to the CLI) in one region, or two named accounts in one
 * named region (the workflow assumes the target's promotion role).
 */
function reachProblem(envs: Partial<Record<EnvironmentName, PlatformEnvironment>>, from: EnvironmentName, to: EnvironmentName): string | undefined {
  const a = envs[from]!;
  const b = envs[to]!;
  if (from === to) return undefined;
  if (a.account === b.account) {
    return a.region && b.region && a.region !== b.region
      ? `must share the region of ${from} (${a.region}, target has ${b.region}): cross-region promotion is not supported (the workflow's tasks call the services of its own region)`
      : undefined;
  }
  const missing = [from, to].filter((n) => !envs[n]!.account);
  if (missing.length > 0) {
    return `has no way to be reached from ${from}: ${missing.map((n) => `environments.${n}.account`).join(' and ')} must be set when the other environment names an account `
      + '(an environment without an account deploys to the CLI\'s account, so the role the promotion assumes there cannot be named)';
  }
  if (!a.region || !b.region || a.region !== b.region) {
    return `must be in the region of ${from}: a promotion to another account (${a.account} to ${b.account}) needs environments.${from}.region and environments.${to}.region set to one region `
      + `(now ${a.region ?? 'unset'} and ${b.region ?? 'unset'}); cross-region promotion is not supported`;
  }
  return undefined;
}

/**
 * The environment that owns the account-wide settings of `name`'s account and region: the first
 * configured environment (dev, staging, prod order) with the same account and region. Environments
 * without an account or region deploy to the CLI's, so they share it with each other.
 */
export function accountSettingsOwner(envs: Partial<Record<EnvironmentName, PlatformEnvironment>>,
  all: readonly EnvironmentName[], name: EnvironmentName): EnvironmentName {
  const where = (n: EnvironmentName) => `${envs[n]!.account ?? ''}/${envs[n]!.region ?? ''}`;
  return all.find((n) => where(n) === where(name)) ?? name;
}
