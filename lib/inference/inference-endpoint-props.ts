import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IDataLakehouse, LakehouseZone } from '../lakehouse';
import { DeploymentStrategy } from './deployment';
import { MlInstanceType } from '../core/ml-instance-type';
import { ModelSource } from './model-source';

/** Serverless capacity of a variant, instead of instances. */
export interface ServerlessOptions {
  /** Memory in MiB: 1024, 2048, 3072, 4096, 5120 or 6144. */
  readonly memorySizeMiB: number;
  /** Concurrent invocations the variant serves, 1 to 200. */
  readonly maxConcurrency: number;
  /**
   * Pre-warmed concurrency, 1 to maxConcurrency.
   * @default none (cold starts possible)
   */
  readonly provisionedConcurrency?: number;
}

/** Target-tracking autoscaling of an instance-based variant. */
export interface VariantAutoScaling {
  /**
   * Fewest instances.
   * @default the variant's initial instance count
   */
  readonly minCapacity?: number;
  /**
   * Most instances.
   * @default per profile: dev 2, staging 4, prod 8 (never below minCapacity's default)
   */
  readonly maxCapacity?: number;
  /**
   * SageMakerVariantInvocationsPerInstance (per minute) the policy keeps each instance at.
   * @default 100
   */
  readonly targetInvocationsPerInstance?: number;
  /**
   * Wait after a scale-in before the next.
   * @default per profile: dev 2 minutes, staging and prod 10 minutes
   */
  readonly scaleInCooldown?: Duration;
  /**
   * Wait after a scale-out before the next.
   * @default 1 minute
   */
  readonly scaleOutCooldown?: Duration;
}

/** One variant of the endpoint. */
export interface VariantOptions {
  /**
   * Variant name (keep it across updates: blue/green and rolling deployments match variants by name).
   * @default 'AllTraffic'
   */
  readonly name?: string;
  /**
   * What this variant serves.
   * @default the endpoint's `model`
   */
  readonly model?: ModelSource;
  /**
   * Relative share of traffic (production) or of copied traffic (shadow).
   * @default 1
   */
  readonly weight?: number;
  /**
   * Instance type (ignored for serverless variants).
   *
   * Changing it on a variant with autoscaling takes two deployments: SageMaker refuses an update
   * that "would change the instance type for any model that is a target for auto scaling" until the
   * variant is deregistered (SageMaker, Update endpoints that use auto scaling), and CloudFormation
   * deletes a removed scalable target only after updating the endpoint. Deploy with
   * `autoScaling: false` first (the target is deregistered, capacity is kept), then with the new
   * instance type and autoscaling back on.
   * @default MlInstanceType.M5_LARGE
   */
  readonly instanceType?: MlInstanceType;
  /**
   * Instances at creation.
   * @default per profile: 2 when the profile is 'prod', otherwise 1
   */
  readonly initialInstanceCount?: number;
  /**
   * Serverless capacity instead of instances (no VPC, network isolation, KMS volume key, data
   * capture, async inference, second variant or deployment guardrails: SageMaker supports none of
   * them for serverless, so a serverless endpoint is updated all at once without rollback alarms).
   * @default instance-based
   */
  readonly serverless?: ServerlessOptions;
  /**
   * Autoscaling; `false` turns it off.
   * @default target tracking with the profile's capacity and cooldowns
   */
  readonly autoScaling?: VariantAutoScaling | false;
}

/** Capture of requests and responses into the lakehouse for Model Monitor. */
export interface DataCaptureOptions {
  /** The lakehouse whose zone receives the captured data (encrypted with its key). */
  readonly lakehouse: IDataLakehouse;
  /**
   * Zone that receives the capture.
   * @default LakehouseZone.RAW
   */
  readonly zone?: LakehouseZone;
  /**
   * Key prefix; SageMaker writes `<prefix><endpoint>/<variant>/yyyy/mm/dd/hh/`.
   * @default 'data-capture/'
   */
  readonly prefix?: string;
  /**
   * Percentage of requests captured, 0 to 100.
   * @default 100
   */
  readonly samplingPercentage?: number;
}

/** Asynchronous inference instead of real-time responses. */
export interface AsyncInferenceOptions {
  /** Bucket that receives results and failures. */
  readonly bucket: s3.IBucket;
  /**
   * Key prefix; results go to `<prefix><endpoint>/output`, failures to `<prefix><endpoint>/failures`.
   * @default 'async-inference/'
   */
  readonly prefix?: string;
  /**
   * Concurrent requests each instance processes, 1 to 1000.
   * @default SageMaker chooses
   */
  readonly maxConcurrentInvocationsPerInstance?: number;
}

/** Thresholds of the alarms the endpoint creates for each production variant and rolls back on. */
export interface RollbackAlarmOptions {
  /**
   * Invocation5XXErrors (Sum per minute) at or above which the alarm fires.
   * @default 5
   */
  readonly invocation5xxErrors?: number;
  /**
   * p99 ModelLatency above which the alarm fires.
   * @default 1 second
   */
  readonly modelLatencyP99?: Duration;
  /**
   * InvocationModelErrors (Sum per minute) at or above which the alarm fires.
   * @default 5
   */
  readonly modelErrors?: number;
  /**
   * Consecutive one-minute periods that must breach.
   * @default 2
   */
  readonly evaluationPeriods?: number;
}

/** Props of an {@link InferenceEndpoint}. */
export interface InferenceEndpointProps {
  /** What the endpoint serves (each variant may override it). */
  readonly model: ModelSource;
  /**
   * Production variants, at most ten including the shadow variant.
   * @default one instance-based variant named 'AllTraffic'
   */
  readonly variants?: VariantOptions[];
  /**
   * A shadow variant that receives a copy of production traffic; its responses are not returned.
   * @default no shadow variant
   */
  readonly shadowVariant?: VariantOptions;
  /**
   * Endpoint name. The endpoint is updated in place, so a fixed name is safe; models and endpoint
   * configs always get generated names so that every update can create before it deletes.
   * @default `<project>-<env>-<construct id>`
   */
  readonly endpointName?: string;
  /**
   * Request/response capture into the lakehouse.
   * @default no capture
   */
  readonly dataCapture?: DataCaptureOptions;
  /**
   * Asynchronous inference.
   * @default real-time
   */
  readonly asyncInference?: AsyncInferenceOptions;
  /**
   * VPC the models run in (instance-based endpoints).
   * @default a new VPC with isolated subnets, VPC endpoints and flow logs
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Availability zones of the VPC the endpoint creates when no `vpc` is given (each such endpoint
   * creates a VPC of its own, with interface endpoints and flow logs, which cost money at rest: share
   * one VPC between endpoints where you can). Not allowed with `vpc`. A stack pinned to an account and
   * region also needs the zones in context (`availabilityZonesContext(account, region, zones)` on the
   * App): aws-cdk-lib's VPC reads the stack's zones to check these, and for a pinned stack that read is
   * a lookup that needs credentials at `cdk synth` (measured with aws-cdk-lib 2.276).
   * @default the region's first two zones (environment-agnostic stacks need no lookup)
   */
  readonly availabilityZones?: string[];
  /**
   * Subnets in `vpc`.
   * @default the isolated subnets, else the private ones
   */
  readonly subnets?: ec2.SubnetSelection;
  /**
   * Security groups of the models.
   * @default a new group that allows only HTTPS out
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Key for instance volumes, async notifications and (when the bucket has no key) async results.
   * @default a new customer-managed key with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How updates move traffic to a new model version (real-time and asynchronous endpoints only).
   * A canary or linear step must come to 1 to half of the smallest variant's instances
   * (SageMaker caps a canary at 50 % of the new fleet), so one-instance variants need all at once.
   * @default blue/green all at once (5 minute bake, auto-rollback) when a variant has one instance; otherwise a canary of 1 instance (5 minute bake)
   */
  readonly deployment?: DeploymentStrategy;
  /**
   * Thresholds of the rollback alarms the endpoint creates.
   * @default the thresholds documented on RollbackAlarmOptions
   */
  readonly rollbackAlarms?: RollbackAlarmOptions;
  /**
   * More alarms that roll a deployment back (referenced by name; they must exist).
   * @default none
   */
  readonly additionalRollbackAlarms?: cloudwatch.IAlarm[];
  /**
   * Removal policy of the key this construct creates.
   * @default the profile's, through resolveRemovalPolicy
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Profile-driven capacity and cooldowns, by profile name (unknown names use the prod row). */
export const INFERENCE_PROFILE_DEFAULTS: Record<string, { initialInstanceCount: number; maxCapacity: number; scaleInCooldown: Duration }> = {
  dev: { initialInstanceCount: 1, maxCapacity: 2, scaleInCooldown: Duration.minutes(2) },
  staging: { initialInstanceCount: 1, maxCapacity: 4, scaleInCooldown: Duration.minutes(10) },
  prod: { initialInstanceCount: 2, maxCapacity: 8, scaleInCooldown: Duration.minutes(10) },
};

/** Defaults that do not depend on the profile. */
export const INFERENCE_DEFAULTS = {
  variantName: 'AllTraffic',
  weight: 1,
  instanceType: MlInstanceType.M5_LARGE,
  targetInvocationsPerInstance: 100,
  scaleOutCooldown: Duration.minutes(1),
  captureZone: LakehouseZone.RAW,
  capturePrefix: 'data-capture/',
  samplingPercentage: 100,
  asyncPrefix: 'async-inference/',
  invocation5xxErrors: 5,
  modelLatencyP99: Duration.seconds(1),
  modelErrors: 5,
  evaluationPeriods: 2,
  maxVariants: 10,
};

/** The profile row for a profile name. */
export function profileDefaults(profileName: string): { initialInstanceCount: number; maxCapacity: number; scaleInCooldown: Duration } {
  return Object.prototype.hasOwnProperty.call(INFERENCE_PROFILE_DEFAULTS, profileName)
    ? INFERENCE_PROFILE_DEFAULTS[profileName]
    : INFERENCE_PROFILE_DEFAULTS.prod;
}
