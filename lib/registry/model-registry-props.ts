import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { ReplicationOptions } from '../core/replication';

/**
 * The approval status every new model version is registered with. Registration grants
 * (`grantRegister`) allow `sagemaker:CreateModelPackage` only when the request sets
 * `ModelApprovalStatus` to this value, so a version can never skip the approval gate; the
 * training workflow passes it explicitly.
 */
export const REGISTRATION_APPROVAL_STATUS = 'PendingManualApproval';

/** One model whose versions the registry keeps. */
export interface ModelDeclaration {
  /**
   * Model name: lowercase letters and digits, words separated by single hyphens. It becomes part of
   * the model package group name `<project>-<environment>-<name>` (at most 63 characters in all), the
   * artifact prefix `models/<name>/` and construct IDs, so it must be a literal and must never change.
   */
  readonly name: string;
  /**
   * Description of the model package group (at most 1024 characters).
   * @default `Versions of model <name>, registered by <construct path>`
   */
  readonly description?: string;
}

/** Sizes of a SageMaker managed MLflow tracking server. */
export class TrackingServerSize {
  /** For teams of up to about 25 users (the default). */
  public static readonly SMALL = new TrackingServerSize('Small');
  /** For teams of up to about 50 users. */
  public static readonly MEDIUM = new TrackingServerSize('Medium');
  /** For teams of up to about 100 users. */
  public static readonly LARGE = new TrackingServerSize('Large');
  /** Sizes `custom` accepts. */
  public static readonly SUPPORTED: readonly string[] = ['Small', 'Medium', 'Large'];

  /** A size from configuration; validated against `SUPPORTED` at synth. */
  public static custom(name: string): TrackingServerSize {
    return new TrackingServerSize(name);
  }

  private constructor(
    /** The size name SageMaker expects, for example `Small`. */
    public readonly name: string,
  ) {}
}

/** A SageMaker managed MLflow tracking server whose artifact store is the registry's bucket. */
export interface MlflowOptions {
  /** Create the tracking server. */
  readonly enabled: boolean;
  /**
   * Server size.
   * @default TrackingServerSize.SMALL
   */
  readonly size?: TrackingServerSize;
  /**
   * MLflow version, for example `2.16.2`.
   * @default the version SageMaker offers when the server is created
   */
  readonly mlflowVersion?: string;
  /**
   * Let MLflow register models into the SageMaker Model Registry. Registration is limited to the
   * declared model package groups (name the MLflow model after `modelPackageGroupName(model)`) and
   * to `PendingManualApproval`, like every other registration.
   * @default false
   */
  readonly automaticModelRegistration?: boolean;
  /**
   * Start of the weekly maintenance window in UTC, `Ddd:HH:MM` such as `Sun:03:30`.
   * @default chosen by SageMaker
   */
  readonly weeklyMaintenanceWindowStart?: string;
}

/** Props of {@link ModelRegistry}. */
export interface ModelRegistryProps {
  /** The models whose versions the registry keeps: one model package group each. */
  readonly models: ModelDeclaration[];
  /**
   * How many images each ECR repository keeps (the most recent ones), 1 to 1000.
   * @default 20
   */
  readonly imageRetention?: number;
  /**
   * Exact ARNs of the IAM roles of other accounts (for example the execution roles of the staging
   * and prod endpoints and those accounts' CloudFormation execution roles) that may read model
   * packages, artifacts and inference images: a model package group policy (describe the group,
   * describe and list its versions), a key policy statement (decrypt through S3 only), a bucket
   * policy statement on the artifact prefixes and an inference repository policy. Each statement
   * names the roles' accounts as principals with the condition `ArnEquals aws:PrincipalArn` on
   * exactly these ARNs, so no other principal of those accounts is admitted, and the roles need not
   * exist when the registry deploys. The registry then also outputs its key ARN and bucket name
   * (`REGISTRY_OUTPUTS`) for {@link ModelRegistryImportProps.stackOutputs}.
   *
   * Before 0.x this took account IDs and admitted the whole accounts; account IDs now fail
   * validation: name the roles.
   * @default no cross-account access
   */
  readonly crossAccountReaders?: string[];
  /**
   * A SageMaker managed MLflow tracking server with its artifact store under `mlflow/` in the
   * artifact bucket.
   * @default no tracking server
   */
  readonly mlflow?: MlflowOptions;
  /**
   * Bucket that receives the artifact bucket's S3 server access logs (under `model-registry/`).
   * It must accept log delivery, so it must use SSE-S3; the registry adds the bucket-policy grant.
   * @default a new SSE-S3 bucket of the registry's own
   */
  readonly accessLogBucket?: s3.IBucket;
  /**
   * Your own KMS key (bring your own) instead of a new one. It encrypts the artifact bucket
   * (SSE-KMS), both ECR repositories, the MLflow tracking server's artifact store and the
   * approval decision log, and every `grant*` of the registry grants on it; its ARN is published
   * to the `keyArn` SSM parameter. The registry adds to its key policy: CloudWatch Logs
   * (`logs.<region>.amazonaws.com`, for the decision log group) and, with `crossAccountReaders`,
   * `kms:Decrypt`/`kms:DescribeKey` for the reader accounts through S3 only. On an imported key
   * (`kms.Key.fromKeyArn`) they cannot be added: a warning names them.
   * @default a new customer-managed key with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Removal policy for the key, buckets, repositories, model package groups and the tracking
   * server. DESTROY takes effect only with the dev profile and the `mlops:allowDestroy` context
   * flag; otherwise RETAIN with a warning.
   * @default the environment profile's removalPolicy (subject to the same guard)
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Replicate the artifact bucket to a DR Region (S3 Replication Time Control, RPO 15 minutes),
   * into the destination (purpose `artifacts`) that a `ReplicationDestinations` construct creates
   * there, which must be deployed first.
   * @default no replication
   */
  readonly replication?: ReplicationOptions;
}

/**
 * Names of the SSM parameters a registry publishes, so that other engines (the Kubernetes layer)
 * and other stages (a staging serving stack that serves the prod registry's models, through
 * {@link ModelRegistry.fromEnvironment}) can find it without cross-stack references or lookups.
 */
export interface RegistryParameterNames {
  /** `/<project>/<env>/registry/artifact-bucket`: the artifact bucket's name. */
  readonly artifactBucket: string;
  /**
   * `/<project>/<env>/registry/key-arn`: the ARN of the registry's KMS key. It also tells an
   * import the registry's account and region (its groups and repositories live there).
   */
  readonly keyArn: string;
}

/** The SSM parameter names a registry publishes in one project and environment. */
export function registryParameterNames(project: string, environment: string): RegistryParameterNames {
  const prefix = `/${project}/${environment}/registry`;
  return { artifactBucket: `${prefix}/artifact-bucket`, keyArn: `${prefix}/key-arn` };
}

/** Props of {@link ModelRegistry.fromEnvironment}: which registry to import. */
export interface ModelRegistryImportProps {
  /**
   * Environment of the registry (its profile name), for example `prod`: 1-20 lowercase letters,
   * digits or hyphens, starting with a letter. It must be a literal: it names the SSM parameters
   * and the model package groups and repositories.
   */
  readonly environment: string;
  /**
   * Names of the registry's models that the importing stack uses (a subset of those the registry
   * declares). Same rules as {@link ModelDeclaration.name}.
   */
  readonly models: string[];
  /**
   * Project of the registry.
   * @default the project of the importing scope (`Platform.of(scope).project`)
   */
  readonly project?: string;
  /**
   * Read the registry's key ARN and artifact bucket name from its stack's outputs
   * (`REGISTRY_OUTPUTS`, present when the registry has `crossAccountReaders`) at deploy time with
   * `Fn::GetStackOutput` and a role of the registry's account, instead of from SSM parameters of the
   * importing account: for a registry in another account. CloudFormation resolves the function
   * when it creates or updates the importing stack, with the given role, which needs
   * cloudformation:DescribeStacks on the registry stack and must be assumable by the importing
   * stack's execution role (CloudFormation Template Reference, Fn::GetStackOutput,
   * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html).
   * @default the SSM parameters of the importing stack's account ({@link registryParameterNames})
   */
  readonly stackOutputs?: RegistryStackOutputs;
}

/** Where {@link ModelRegistryImportProps.stackOutputs} reads a registry of another account. */
export interface RegistryStackOutputs {
  /** Name of the stack that holds the registry. */
  readonly stackName: string;
  /** ARN of the role in the registry's account that may describe that stack. */
  readonly roleArn: string;
  /**
   * Region of the registry's stack.
   * @default the importing stack's region
   */
  readonly region?: string;
}

/** Logical IDs of the outputs a registry with cross-account readers adds to its stack. */
export const REGISTRY_OUTPUTS = {
  keyArn: 'ModelRegistryKeyArn',
  artifactBucket: 'ModelRegistryArtifactBucket',
} as const;

/** The documented defaults, in one place; the code reads every default from here. */
export const REGISTRY_DEFAULTS = {
  imageRetention: 20,
  mlflowSize: TrackingServerSize.SMALL,
  automaticModelRegistration: false,
  /** Key prefix under which each model's artifacts live (`models/<model>/`). */
  modelsPrefix: 'models/',
  /** Key prefix of the MLflow artifact store. */
  mlflowPrefix: 'mlflow/',
  /** Key prefix of the artifact bucket's server access logs in the log bucket. */
  accessLogPrefix: 'model-registry/',
  abortIncompleteMultipartUploadAfter: Duration.days(7),
} as const;
