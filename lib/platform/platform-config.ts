import { Stack, StageProps } from 'aws-cdk-lib';
import type { AlarmThresholds, EnvironmentName } from '../core/environment';
import type { EnvironmentConfig } from '../core/config';
import type { EtlPipelineProps } from '../etl/etl-pipeline-props';
import type { InferenceEndpointProps } from '../inference/inference-endpoint-props';
import type { DataLakehouseProps } from '../lakehouse/data-lakehouse-props';
import type { EndpointDriftOptions, EndpointModelMonitorOptions } from '../monitoring/monitoring-stack-props';
import type { ManagedTrainingOptions } from '../training/training-cluster-props';

/** A pipeline of the platform's data stack. */
export interface PlatformDataPipeline extends Omit<EtlPipelineProps, 'lakehouse' | 'alertTopic'> {
  /** Construct ID of the pipeline (PascalCase, unique), also its name on the dashboard. */
  readonly id: string;
}

/** How a model is retrained. */
export interface PlatformTraining {
  /** The managed retraining workflow (prepare, train, evaluate, register). */
  readonly managed: ManagedTrainingOptions;
  /**
   * Schedule expression of periodic retraining.
   * @default no schedule (retrained by data and drift only)
   */
  readonly schedule?: string;
  /**
   * IDs of batch pipelines whose successful runs (new data past the quality gate) start retraining.
   * @default none
   */
  readonly retrainAfter?: string[];
}

/** How a model is served: the InferenceEndpoint props the platform does not decide. */
export type PlatformServing = Omit<InferenceEndpointProps, 'model' | 'dataCapture' | 'vpc' | 'subnets' | 'securityGroups'> & {
  /**
   * Percentage of requests captured to the lakehouse for the drift job.
   * @default 20
   */
  readonly captureSamplingPercentage?: number;
};

/** One model of the platform, from data to endpoint. */
export interface PlatformModel {
  /** Model name in the registry (its rules apply: lowercase letters and digits, words joined by single hyphens). */
  readonly name: string;
  /**
   * Description of the model package group.
   * @default generated
   */
  readonly description?: string;
  /** Retraining. */
  readonly training: PlatformTraining;
  /**
   * Serving.
   * @default one canary-deployed variant with the InferenceEndpoint defaults
   */
  readonly serving?: PlatformServing;
  /**
   * Drift and model quality of the model's endpoint.
   * @default the platform's drift job with its defaults (see PlatformMonitoring)
   */
  readonly monitoring?: PlatformMonitoring;
}

/** How a model's endpoint is watched for drift and model quality. */
export interface PlatformMonitoring {
  /**
   * The platform's drift and model-quality job (DriftMonitor, a scheduled Glue job) on the
   * endpoint's captured data, or `false` for none. Its drift and quality alarms join the endpoint's
   * model-health alarm and, where this environment's registry feeds its endpoints, start retraining.
   * @default on: features from `training.managed.features` (the data contract); quality on ground
   * truth when the registration metric is `auc` (binary classification) or `rmse` (regression),
   * alarmed at the registration threshold; otherwise drift only
   */
  readonly drift?: EndpointDriftOptions | false;
  /**
   * SageMaker Model Monitor schedules, an opt-in engine for accounts that still have it (it is
   * closed to new customers). They go into a stack of their own, `<project>-<env>-model-monitor`,
   * deployed after the monitoring stack, so that a refusal cannot roll back the dashboard and the
   * alarms. Their drift alarms notify the alarm topic and start retraining like the drift job's.
   * @default no Model Monitor
   */
  readonly modelMonitor?: EndpointModelMonitorOptions;
}

/** What every environment of the platform runs: the same data layer and the same models. */
export interface PlatformDefinition {
  /** Project name used in stack names, physical names and tags. */
  readonly project: string;
  /**
   * The lakehouse.
   * @default a lakehouse with the DataLakehouse defaults and no tables
   */
  readonly lakehouse?: DataLakehouseProps;
  /**
   * ETL pipelines into the lakehouse; the first one's alert topic is shared by the others.
   * @default none
   */
  readonly pipelines?: PlatformDataPipeline[];
  /** The models, at least one. */
  readonly models: PlatformModel[];
}

/** Where approved versions of an environment's registry go. */
export interface PromotionTarget {
  /** The environment whose serving stack is updated. */
  readonly environment: EnvironmentName;
  /**
   * Whether a person approves (task token on the approval topic) before this environment is updated.
   * @default false for the first target, true for every later one
   */
  readonly requireApproval?: boolean;
}

/** An existing VPC to run training, Model Monitor and endpoints in (imported without lookups). */
export interface ExistingNetwork {
  /** VPC ID. */
  readonly vpcId: string;
  /** The VPC's CIDR block. */
  readonly vpcCidrBlock: string;
  /** Availability zones of the subnets, in the order of `subnetIds`. */
  readonly availabilityZones: string[];
  /** Private subnets (isolated or with egress) with the S3 gateway and SageMaker, ECR, logs, monitoring, STS and KMS interface endpoints. */
  readonly subnetIds: string[];
  /**
   * Route tables of the subnets, in the same order.
   * @default unknown (not needed by the platform)
   */
  readonly routeTableIds?: string[];
}

/** One deployment environment of the platform. */
export interface PlatformEnvironment extends EnvironmentConfig {
  /**
   * Environments the approved versions of this environment's registry are promoted to, in order.
   * Each environment's endpoints are fed by exactly one environment's promotions.
   * @default [this environment]
   */
  readonly promotesTo?: PromotionTarget[];
  /**
   * Alarm threshold overrides.
   * @default the profile's thresholds
   */
  readonly alarmThresholds?: Partial<AlarmThresholds>;
  /**
   * Email addresses subscribed to the alarm topic.
   * @default none
   */
  readonly alarmEmails?: string[];
  /**
   * Email addresses subscribed to the approval topic (approval requests with the task token, promotion failures).
   * @default none
   */
  readonly approverEmails?: string[];
  /**
   * An existing VPC instead of the platform's isolated one.
   * @default a new VPC with isolated subnets only and the interface endpoints SageMaker needs (with the
   * profile's `sagemakerNetwork: 'managed'`, as in dev: only those an instance-based endpoint needs, none when every model is serverless)
   */
  readonly network?: ExistingNetwork;
  /**
   * Models per ML stack and per serving stack; more models are spread over `-2`, `-3`... stacks so that
   * no stack nears CloudFormation's 500-resource limit.
   * @default 8
   */
  readonly modelsPerStack?: number;
  /**
   * Endpoints per monitoring stack: the first stack also watches data, training and the registry;
   * further endpoints go to `-monitoring-2`..., each with its own dashboard and alarm topic.
   * Each endpoint with its drift job takes about 21 resources; 20 single-variant endpoints take about 85 % of the 500-resource limit.
   * @default 20
   */
  readonly endpointsPerMonitoringStack?: number;
  /**
   * The disaster-recovery Region, for profiles with `crossRegionReplication` (prod): the lakehouse
   * zones and the registry's artifact bucket replicate there (S3 Replication Time Control, RPO 15
   * minutes) into the `<project>-<env>-dr` stack of that Region (KMS key, destination buckets,
   * latency alarms on its own alarm topic), which deploys before the data and ML stacks. It must
   * differ from `region`; when `region` is not set, a CloudFormation rule refuses to deploy the
   * replicated stacks into the DR Region.
   * @default no replication
   */
  readonly drRegion?: string;
}

/** Props of a {@link PlatformStage}. */
export interface PlatformStageProps extends StageProps {
  /** What the platform runs. */
  readonly definition: PlatformDefinition;
  /** This stage's environment. */
  readonly environment: PlatformEnvironment;
  /**
   * The environment whose registry this stage's endpoints serve from (whose promotions update them).
   * `buildPlatform` works it out from every environment's `promotesTo`.
   * @default this environment
   */
  readonly servedFrom?: EnvironmentName;
  /**
   * The serving stacks of the other environments this stage's promotions update, by environment
   * (in model-group order). Promotions may read exactly the SSM parameters those stacks resolve,
   * derived from their templates; `buildPlatform` passes them.
   * @default none: a promotion to another environment may read only its model's parameter and the CDK bootstrap version parameter
   */
  readonly promotionTargets?: ReadonlyMap<EnvironmentName, readonly Stack[]>;
  /**
   * Whether this stage owns the account-wide settings of its account and region (Data Catalog
   * encryption, Lake Formation administrators) in a `<project>-foundation` stack. Exactly one stage per
   * account and region may; the others read the owner's catalog key parameter at deploy time, so
   * the owner deploys first. `buildPlatform` gives ownership to the first configured environment
   * (dev, staging, prod order) of each account and region.
   * @default true
   */
  readonly ownsAccountSettings?: boolean;
  /**
   * Every environment of the platform, by name, so that a stage can tell which of its promotion
   * targets and which releasing environment live in another account (and name their roles and
   * stacks there). `buildPlatform` passes them.
   * @default only this environment is known: every promotion target and the releasing environment are taken to share its account
   */
  readonly environments?: Partial<Record<EnvironmentName, PlatformEnvironment>>;
}

/**
 * The account that runs the platform's delivery pipeline (CDK Pipelines), when it is not one of the
 * environments' accounts. The pipeline deploys every environment's stacks from there; each
 * environment's account must be bootstrapped to trust it (`cdk bootstrap --trust <tooling account>`).
 */
export interface ToolingAccount {
  /** 12-digit AWS account ID of the tooling account. */
  readonly account: string;
  /**
   * Region of the pipeline.
   * @default the region of the environments (all must share one)
   */
  readonly region?: string;
}

/** Defaults of the platform layer. */
export const PLATFORM_DEFAULTS = {
  modelsPerStack: 8,
  endpointsPerMonitoringStack: 20,
  captureSamplingPercentage: 20,
  /** Address range of the platform VPC. */
  vpcCidr: '10.70.0.0/16',
  maxAzs: 2,
};
