import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { ValidationError, Validator } from './errors';

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
  /**
   * Alarm thresholds MonitoringStack applies in this environment.
   * @default the thresholds of the shipped profile with the same name, or production's
   */
  readonly alarms?: AlarmThresholds;
  /**
   * Where the platform's SageMaker training and processing jobs and instance-based endpoints run.
   *
   * - `'vpc'`: in the platform VPC (VpcConfig), whose isolated subnets reach AWS through an S3
   *   gateway endpoint and the SageMaker, ECR, CloudWatch, STS and KMS interface endpoints. With
   *   VpcConfig, SageMaker's own processes on the job's nodes read S3 and send logs and metrics through
   *   that VPC, so the job needs those endpoints ("How does my SageMaker container access Amazon S3
   *   data and push logs to CloudWatch when I turn on network isolation?", AWS re:Post Knowledge
   *   Center, https://repost.aws/knowledge-center/sagemaker-access-network-isolation). Each interface
   *   endpoint costs per AZ-hour (AWS PrivateLink pricing).
   * - `'managed'`: without VpcConfig, on SageMaker's own network, network isolation still on: the
   *   containers make no network call at all and get no credentials, while SageMaker reads the inputs,
   *   writes the outputs and delivers logs and metrics on the server side (same re:Post article; "Run
   *   training and inference containers in internet-free mode", SageMaker AI Developer Guide,
   *   https://docs.aws.amazon.com/sagemaker/latest/dg/mkt-algo-model-internet-free.html). The
   *   platform VPC then gets no interface endpoint (nothing is billed by the hour); what is lost is
   *   the VPC boundary around the jobs: flow logs and security groups do not see their traffic.
   *
   * @default 'vpc' (the DEV profile: 'managed')
   */
  readonly sagemakerNetwork?: SageMakerNetwork;
  /**
   * Serverless capacity the platform gives the endpoint of a model that does not choose its
   * variants (`serving.variants`). A serverless endpoint costs nothing without requests, but SageMaker
   * supports neither data capture nor a VPC for it, so such a model has no drift job in this
   * environment (it still retrains on its schedule and on new training data).
   * @default none: one instance-based variant (the DEV profile: 2048 MiB, 5 concurrent invocations)
   */
  readonly defaultServerless?: ServerlessCapacity;
  /**
   * Whether the platform replicates this environment's lakehouse zones and model artifacts to the
   * environment's DR Region (`PlatformEnvironment.drRegion`). A platform environment with a DR Region
   * whose profile does not replicate fails validation, and one whose profile replicates but has no DR
   * Region gets a warning.
   * @default false (the shipped PROD profile sets true)
   */
  readonly crossRegionReplication?: boolean;
}

/** Where SageMaker jobs and endpoints run; see {@link EnvironmentProfile.sagemakerNetwork}. */
export type SageMakerNetwork = 'vpc' | 'managed';

/** Capacity of a serverless endpoint variant (the shape of InferenceEndpoint's ServerlessOptions). */
export interface ServerlessCapacity {
  /** Memory in MiB: 1024, 2048, 3072, 4096, 5120 or 6144. */
  readonly memorySizeMiB: number;
  /** Concurrent invocations, 1 to 200. */
  readonly maxConcurrency: number;
}

/** The SageMaker network of a profile, its default applied. */
export function sagemakerNetworkOf(profile: EnvironmentProfile): SageMakerNetwork {
  return profile.sagemakerNetwork ?? 'vpc';
}

/**
 * When MonitoringStack raises an alarm. Each value is the level at which the alarm fires; counts
 * are per evaluation period of the metric (1 minute for endpoints, 5 minutes for workflows).
 */
export interface AlarmThresholds {
  /** Consecutive breaching periods before an alarm fires (and before a composite model-health alarm sees it). */
  readonly evaluationPeriods: number;
  /** Failed batch ETL runs (any failure, a failed quality gate included). */
  readonly etlFailedRuns: number;
  /** Longest time without a successful batch ETL run before the data counts as stale. */
  readonly etlMaxSilence: Duration;
  /** Age of the oldest streaming record not yet delivered to the lakehouse. */
  readonly streamDeliveryFreshness: Duration;
  /** Failed retraining runs (a model below its metric threshold included). */
  readonly trainingFailedRuns: number;
  /** Longest average retraining run. */
  readonly trainingMaxRunTime: Duration;
  /** Rejected model versions in the registry. */
  readonly registryRejections: number;
  /** Endpoint server errors (Invocation5XXErrors) per minute. */
  readonly endpoint5xxErrors: number;
  /** Endpoint client errors (Invocation4XXErrors) per minute. */
  readonly endpoint4xxErrors: number;
  /** Errors raised by the model container per minute. */
  readonly endpointModelErrors: number;
  /** p99 model latency. */
  readonly endpointLatencyP99: Duration;
  /**
   * Average CPU utilization of endpoint instances, in percent of the instance's capacity (all cores).
   * SageMaker reports up to 100 x vCPUs; the alarm threshold is this value times the variant's vCPUs.
   */
  readonly endpointCpuUtilization: number;
  /** Average memory utilization of endpoint instances, in percent. */
  readonly endpointMemoryUtilization: number;
  /** Average disk utilization of endpoint instances, in percent. */
  readonly endpointDiskUtilization: number;
  /**
   * Peak concurrency of a serverless endpoint variant, in percent of its maximum concurrency
   * (ServerlessConcurrentExecutionsUtilization); past 100 percent SageMaker throttles requests.
   * @default 80
   */
  readonly endpointServerlessConcurrency?: number;
}

/** Serverless concurrency alarm level of thresholds that do not set `endpointServerlessConcurrency`, in percent. */
export const DEFAULT_SERVERLESS_CONCURRENCY_THRESHOLD = 80;

/** The alarm thresholds shipped with the profiles: dev is lenient, staging and prod page early. */
export const ALARM_THRESHOLDS: Readonly<Record<EnvironmentName, AlarmThresholds>> = {
  dev: {
    evaluationPeriods: 5,
    etlFailedRuns: 3,
    etlMaxSilence: Duration.days(3),
    streamDeliveryFreshness: Duration.hours(1),
    trainingFailedRuns: 3,
    trainingMaxRunTime: Duration.hours(12),
    registryRejections: 5,
    endpoint5xxErrors: 10,
    endpoint4xxErrors: 100,
    endpointModelErrors: 10,
    endpointLatencyP99: Duration.seconds(2),
    endpointCpuUtilization: 90,
    endpointMemoryUtilization: 90,
    endpointDiskUtilization: 90,
    endpointServerlessConcurrency: 90,
  },
  staging: {
    evaluationPeriods: 3,
    etlFailedRuns: 1,
    etlMaxSilence: Duration.hours(26),
    streamDeliveryFreshness: Duration.minutes(30),
    trainingFailedRuns: 1,
    trainingMaxRunTime: Duration.hours(8),
    registryRejections: 1,
    endpoint5xxErrors: 5,
    endpoint4xxErrors: 50,
    endpointModelErrors: 5,
    endpointLatencyP99: Duration.seconds(1),
    endpointCpuUtilization: 80,
    endpointMemoryUtilization: 85,
    endpointDiskUtilization: 85,
    endpointServerlessConcurrency: 80,
  },
  prod: {
    evaluationPeriods: 3,
    etlFailedRuns: 1,
    etlMaxSilence: Duration.hours(26),
    streamDeliveryFreshness: Duration.minutes(15),
    trainingFailedRuns: 1,
    trainingMaxRunTime: Duration.hours(6),
    registryRejections: 1,
    endpoint5xxErrors: 1,
    endpoint4xxErrors: 50,
    endpointModelErrors: 1,
    endpointLatencyP99: Duration.millis(500),
    endpointCpuUtilization: 80,
    endpointMemoryUtilization: 85,
    endpointDiskUtilization: 85,
    endpointServerlessConcurrency: 80,
  },
};

/** The alarm thresholds of a profile: its own, else those shipped for its name, else production's. */
export function alarmThresholdsOf(profile: EnvironmentProfile): AlarmThresholds {
  if (profile.alarms) return profile.alarms;
  const shipped = (ALARM_THRESHOLDS as Record<string, AlarmThresholds | undefined>)[profile.name];
  return shipped ?? ALARM_THRESHOLDS.prod;
}

/** The profiles this library ships. Copy and adjust one with `{ ...Profiles.PROD, ... }`. */
export class Profiles {
  /**
   * Development: short retention, small cutoffs, data may be destroyed with an explicit flag; cheap at
   * rest: SageMaker jobs on the managed network (no interface endpoint) and serverless endpoints by default.
   */
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
    alarms: ALARM_THRESHOLDS.dev,
    // Cheap at rest (issue 18): no interface endpoint and no always-on endpoint instance.
    sagemakerNetwork: 'managed',
    defaultServerless: { memorySizeMiB: 2048, maxConcurrency: 5 },
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
    alarms: ALARM_THRESHOLDS.staging,
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
    alarms: ALARM_THRESHOLDS.prod,
    crossRegionReplication: true,
  };

  /**
   * The shipped profile for an environment name. A name outside `dev`, `staging`, `prod` (from
   * JavaScript or a config file, e.g. `'production'`) fails with a ValidationError naming the allowed ones.
   */
  public static of(name: EnvironmentName): EnvironmentProfile {
    switch (name) {
      case 'dev': return Profiles.DEV;
      case 'staging': return Profiles.STAGING;
      case 'prod': return Profiles.PROD;
    }
    throw new ValidationError('Profiles', [{ property: 'name', value: JSON.stringify(name), allowed: 'must be one of dev, staging, prod' }]);
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
    const profile: unknown = settings.profile;
    if (typeof profile !== 'object' || profile === null || typeof (profile as { name?: unknown }).name !== 'string') {
      v.fail('profile', profile, 'must be an EnvironmentProfile: Profiles.DEV, Profiles.STAGING, Profiles.PROD or Profiles.of(name)');
      v.throwIfAny();
    }
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
