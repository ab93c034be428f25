import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { Validator } from './errors';

/** Project and environment names: short DNS-label-like words that fit in every physical name. */
const PROJECT_NAME = /^[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?$/;

/** Names of the environments this library ships profiles for. */
export type EnvironmentName = 'dev' | 'staging' | 'prod';

/**
 * Per-environment defaults every construct reads: how long things live, how big they are and how
 * hard they are to delete. Explicit construct props always win over the profile.
 */
export interface EnvironmentProfile {
  /** Environment name, used in physical names and tags. */
  readonly name: string;
  /**
   * Removal policy the profile asks for on stateful resources. DESTROY is honoured only when
   * `allowDestroy` is true and the `mlops:allowDestroy` context flag is set; see `resolveRemovalPolicy`.
   */
  readonly removalPolicy: RemovalPolicy;
  /** Whether this profile may destroy data at all (dev only). */
  readonly allowDestroy: boolean;
  /** Whether deletion protection is turned on where a resource supports it. */
  readonly deletionProtection: boolean;
  /** Retention of CloudWatch log groups. */
  readonly logRetention: RetentionDays;
  /** How long S3 server access logs are kept. */
  readonly accessLogRetention: Duration;
  /** How long noncurrent object versions are kept in versioned buckets. */
  readonly noncurrentVersionRetention: Duration;
  /** How long Athena query results are kept. */
  readonly queryResultRetention: Duration;
  /** Per-query bytes-scanned cutoff for Athena workgroups. */
  readonly athenaBytesScannedCutoff: Size;
  /** Waiting period before a scheduled KMS key deletion completes. */
  readonly keyPendingWindow: Duration;
}

/** The profiles this library ships. Copy and adjust one with `{ ...Profiles.PROD, ... }`. */
export class Profiles {
  /** Development: short retention, small cutoffs, data may be destroyed with an explicit flag. */
  public static readonly DEV: EnvironmentProfile = {
    name: 'dev',
    removalPolicy: RemovalPolicy.DESTROY,
    allowDestroy: true,
    deletionProtection: false,
    logRetention: RetentionDays.ONE_WEEK,
    accessLogRetention: Duration.days(30),
    noncurrentVersionRetention: Duration.days(7),
    queryResultRetention: Duration.days(7),
    athenaBytesScannedCutoff: Size.gibibytes(10),
    keyPendingWindow: Duration.days(7),
  };

  /** Staging: production-like retention and protection, smaller limits. */
  public static readonly STAGING: EnvironmentProfile = {
    name: 'staging',
    removalPolicy: RemovalPolicy.RETAIN,
    allowDestroy: false,
    deletionProtection: true,
    logRetention: RetentionDays.ONE_MONTH,
    accessLogRetention: Duration.days(90),
    noncurrentVersionRetention: Duration.days(30),
    queryResultRetention: Duration.days(30),
    athenaBytesScannedCutoff: Size.gibibytes(100),
    keyPendingWindow: Duration.days(30),
  };

  /** Production: everything retained, long retention. The default when no profile is set. */
  public static readonly PROD: EnvironmentProfile = {
    name: 'prod',
    removalPolicy: RemovalPolicy.RETAIN,
    allowDestroy: false,
    deletionProtection: true,
    logRetention: RetentionDays.ONE_YEAR,
    accessLogRetention: Duration.days(365),
    noncurrentVersionRetention: Duration.days(90),
    queryResultRetention: Duration.days(30),
    athenaBytesScannedCutoff: Size.tebibytes(1),
    keyPendingWindow: Duration.days(30),
  };

  /** The shipped profile for an environment name. */
  public static of(name: EnvironmentName): EnvironmentProfile {
    switch (name) {
      case 'dev': return Profiles.DEV;
      case 'staging': return Profiles.STAGING;
      case 'prod': return Profiles.PROD;
    }
  }

  private constructor() {}
}

/** Who owns an environment and how it is named; applied once to a Stage, App or Stack. */
export interface PlatformSettings {
  /**
   * Short project name used in physical names and the Project tag: lowercase letters, digits and
   * hyphens, starting with a letter, at most 20 characters.
   */
  readonly project: string;
  /** The environment profile. */
  readonly profile: EnvironmentProfile;
  /** Team or person accountable for the resources (Owner tag). */
  readonly owner: string;
  /** Cost centre the resources are billed to (CostCenter tag). */
  readonly costCentre: string;
}

/** Settings used for constructs that are not below a scope with `Platform.configure`. */
export const DEFAULT_PLATFORM_SETTINGS: PlatformSettings = {
  project: 'mlops',
  profile: Profiles.PROD,
  owner: 'unassigned',
  costCentre: 'unassigned',
};

const SETTINGS = new WeakMap<IConstruct, PlatformSettings>();

/** Reads and writes the platform settings that apply to a construct subtree. */
export class Platform {
  /**
   * Attaches settings to a scope; every construct below it reads them with `Platform.of`.
   * Call it before creating constructs in the scope.
   */
  public static configure(scope: IConstruct, settings: PlatformSettings): void {
    const v = new Validator(scope);
    v.matches(settings.project, PROJECT_NAME, 'project', 'must be 1-20 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen');
    v.matches(settings.profile.name, PROJECT_NAME, 'profile.name', 'must be 1-20 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen');
    v.check(!settings.profile.allowDestroy || settings.profile.name === 'dev', 'profile.allowDestroy', settings.profile.allowDestroy,
      'may only be true for the dev profile');
    v.throwIfAny();
    SETTINGS.set(scope, settings);
  }

  /**
   * The settings for a construct: those of the nearest configured ancestor, or
   * {@link DEFAULT_PLATFORM_SETTINGS} (production profile, so that nothing is lost by accident).
   */
  public static of(scope: IConstruct): PlatformSettings {
    for (const node of [...scope.node.scopes].reverse()) {
      const found = SETTINGS.get(node);
      if (found) return found;
    }
    return DEFAULT_PLATFORM_SETTINGS;
  }

  private constructor() {}
}
