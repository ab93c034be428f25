import { ENVIRONMENT_NAMES } from '../../core/config';
import type { EnvironmentName } from '../../core/environment';
import type { ValidationProblem } from '../../core/errors';
import { accountSettingsOwner } from '../../platform/build-platform';
import type { PlatformEnvironment } from '../../platform/platform-config';

type Environments = Partial<Record<EnvironmentName, PlatformEnvironment>>;

/**
 * What each environment reads at deploy time from other environments, so what must be deployed
 * before it:
 * - the owner of its account's settings (`<project>-foundation` publishes the Data Catalog key
 *   that a non-owning environment's data stack resolves at deploy time);
 * - the environment whose promotions feed its endpoints (its serving stack resolves that
 *   environment's registry parameters at deploy time).
 * An environment's promotion workflow only names its targets' serving stacks (derived from their
 * templates at synth time), so promoting to an environment does not make it a predecessor.
 */
export function deployTimeReads(envs: Environments, name: EnvironmentName): EnvironmentName[] {
  const all = ENVIRONMENT_NAMES.filter((n) => envs[n] !== undefined);
  const reads = new Set<EnvironmentName>([accountSettingsOwner(envs, all, name)]);
  for (const from of all) {
    if ((envs[from]!.promotesTo ?? [{ environment: from }]).some((t) => t.environment === name)) reads.add(from);
  }
  reads.delete(name);
  return ENVIRONMENT_NAMES.filter((n) => reads.has(n));
}

/** The deployment order of the configured environments, or the problem that makes one impossible. */
export interface DeploymentOrder {
  /** Waves in deployment order; the environments of one wave are independent of each other. */
  readonly waves: EnvironmentName[][];
  /** Set when the environments read from each other in a cycle (no order exists). */
  readonly problem?: ValidationProblem;
}

/**
 * Orders the configured environments so that each deploys after every environment it reads from.
 * An environment's wave is one more than the latest wave it reads from. With `parallel`, the
 * environments of the same wave deploy together; otherwise one at a time, in wave order then
 * dev, staging, prod order, so that each environment has proven a change before the next gets it.
 */
export function deploymentOrder(envs: Environments, parallel: boolean): DeploymentOrder {
  const all = ENVIRONMENT_NAMES.filter((n) => envs[n] !== undefined);
  const level = new Map<EnvironmentName, number>();
  let pending = [...all];
  while (pending.length > 0) {
    const ready = pending.filter((n) => deployTimeReads(envs, n).every((r) => level.has(r)));
    if (ready.length === 0) {
      const cycle = pending.map((n) => `${n} reads ${deployTimeReads(envs, n).filter((r) => !level.has(r)).join(' and ')}`).join('; ');
      return {
        waves: [],
        problem: {
          property: 'environments.*.promotesTo',
          value: cycle,
          allowed: 'each environment must be deployable after the environments it reads from (its promotion source and its account-settings owner): break the cycle',
        },
      };
    }
    for (const n of ready) level.set(n, 1 + Math.max(-1, ...deployTimeReads(envs, n).map((r) => level.get(r)!)));
    pending = pending.filter((n) => !ready.includes(n));
  }
  const ordered = [...all].sort((a, b) => level.get(a)! - level.get(b)! || all.indexOf(a) - all.indexOf(b));
  if (!parallel) return { waves: ordered.map((n) => [n]) };
  const waves: EnvironmentName[][] = [];
  for (const n of ordered) (waves[level.get(n)!] ??= []).push(n);
  return { waves };
}
