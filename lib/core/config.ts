import { IConstruct } from 'constructs';
import { EnvironmentName, EnvironmentProfile } from './environment';
import { ValidationError } from './errors';

/** Context key that selects the environment of the default app (`-c env=prod`). */
export const ENVIRONMENT_CONTEXT = 'env';
/** Environment names the default app accepts, in promotion order. */
export const ENVIRONMENT_NAMES: readonly EnvironmentName[] = ['dev', 'staging', 'prod'];

/**
 * Typed configuration of one deployment environment. Account and region are optional: without
 * them the stacks are environment-agnostic and synthesize with no credentials.
 */
export interface EnvironmentConfig {
  /** Environment name. */
  readonly name: EnvironmentName;
  /** The profile (retention, removal, sizes). */
  readonly profile: EnvironmentProfile;
  /**
   * AWS account ID to deploy to.
   * @default environment-agnostic
   */
  readonly account?: string;
  /**
   * AWS region to deploy to.
   * @default environment-agnostic
   */
  readonly region?: string;
  /** Owner tag. */
  readonly owner: string;
  /** CostCenter tag. */
  readonly costCentre: string;
}

/**
 * Reads the environment name from the `env` context (`-c env=staging`); `dev` when absent.
 * Anything else fails with a ValidationError listing the allowed names.
 */
export function selectEnvironmentName(scope: IConstruct): EnvironmentName {
  const raw: unknown = scope.node.tryGetContext(ENVIRONMENT_CONTEXT);
  if (raw === undefined) return 'dev';
  if (typeof raw === 'string' && (ENVIRONMENT_NAMES as readonly string[]).includes(raw)) return raw as EnvironmentName;
  throw new ValidationError(scope.node.path || 'App', [{
    property: `context ${ENVIRONMENT_CONTEXT}`,
    value: JSON.stringify(raw),
    allowed: `must be one of ${ENVIRONMENT_NAMES.join(', ')}`,
  }]);
}

/** Context value that selects every environment (`-c env=all`). */
export const ALL_ENVIRONMENTS = 'all';

/**
 * Reads the environments to build from the `env` context: one name, a comma-separated list, or
 * `all`; `dev` when absent. Anything else fails with a ValidationError listing what is allowed.
 */
export function selectEnvironmentNames(scope: IConstruct): EnvironmentName[] {
  const raw: unknown = scope.node.tryGetContext(ENVIRONMENT_CONTEXT);
  if (raw === undefined) return ['dev'];
  if (raw === ALL_ENVIRONMENTS) return [...ENVIRONMENT_NAMES];
  const names = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()) : [];
  if (names.length > 0 && names.every((n) => (ENVIRONMENT_NAMES as readonly string[]).includes(n))) {
    return ENVIRONMENT_NAMES.filter((n) => names.includes(n));
  }
  throw new ValidationError(scope.node.path || 'App', [{
    property: `context ${ENVIRONMENT_CONTEXT}`,
    value: JSON.stringify(raw),
    allowed: `must be ${ALL_ENVIRONMENTS}, or one or more of ${ENVIRONMENT_NAMES.join(', ')} separated by commas`,
  }]);
}
