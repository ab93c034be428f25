import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IConstruct } from 'constructs';
import { createKey } from '../core/encryption';
import { Platform } from '../core/environment';
import { Validator } from '../core/errors';
import { ruleWithOptions } from '../core/executions';
import { grantWithKey } from '../core/grants';
import { dashedName } from '../core/naming';
import { applyRemovalPolicy, resolveRemovalPolicy } from '../core/removal';
import { ModelRegistryProps, REGISTRATION_APPROVAL_STATUS, REGISTRY_DEFAULTS, RegistryParameterNames, registryParameterNames } from './model-registry-props';
import * as perms from './perms';
import { ArtifactBucket } from './private/artifact-bucket';
import { grantCrossAccountRead, groupReadPolicy } from './private/cross-account';
import { APPROVED, REJECTED, approvalStatusPattern } from './private/events';
import { TrackingServer } from './private/mlflow';
import { acknowledgeForGrantee } from './private/nag';
import { validateRegistryProps } from './private/validate';

/** A model registry as training, inference and monitoring see it. */
export interface IModelRegistry extends IConstruct {
  /** KMS key (customer-managed, rotating) that encrypts the artifact bucket and model packages. */
  readonly encryptionKey: kms.IKey;
  /** Bucket for model artifacts, evaluation reports and MLflow artifacts. */
  readonly artifactBucket: s3.IBucket;
  /** ECR repository for training images. */
  readonly trainingRepository: ecr.IRepository;
  /** ECR repository for inference images. */
  readonly inferenceRepository: ecr.IRepository;
  /** Names of the declared models. */
  readonly models: readonly string[];
  /** True when a model of that name is declared. */
  hasModel(model: string): boolean;
  /** The model package group name of a declared model (throws a ValidationError for an unknown model). */
  modelPackageGroupName(model: string): string;
  /** The model package group ARN of a declared model. */
  modelPackageGroupArn(model: string): string;
  /** S3 prefix (no leading slash, ending with '/') under which a model's artifacts live, e.g. `models/<model>/`. */
  artifactPrefix(model: string): string;
  /** Lets the grantee register new versions of a model (or all models): sagemaker:CreateModelPackage on the group, describe/list, write to the model's artifact prefix, and the key. */
  grantRegister(grantee: iam.IGrantable, model?: string): iam.Grant;
  /** Lets the grantee read model packages and artifacts (describe/list packages, read the artifact prefix, decrypt). */
  grantRead(grantee: iam.IGrantable, model?: string): iam.Grant;
  /** Lets the grantee pull from both ECR repositories (including ecr:GetAuthorizationToken, which needs resource '*', acknowledged for cdk-nag). */
  grantPull(grantee: iam.IGrantable): iam.Grant;
  /** EventBridge rule on SageMaker "Model Package State Change" events with ModelApprovalStatus Approved for this registry's groups (optionally one model). */
  onApproved(id: string, options?: events.OnEventOptions & { model?: string }): events.Rule;
  /** Approval events (AWS/Events TriggeredRules of the registry's own approval rule; Sum over 5 minutes). */
  metricApprovals(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Rejection events (same, for a rejection rule the registry creates). */
  metricRejections(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** The longest model package group name SageMaker accepts. */
const MAX_GROUP_NAME = 63;

/**
 * A model registry with an approval gate: a SageMaker model package group per declared model, a
 * KMS-encrypted, versioned, TLS-only artifact bucket that refuses uploads encrypted any other way,
 * ECR repositories for training and inference images (scan on push, immutable tags, last N kept),
 * EventBridge rules on approvals and rejections, optional cross-account read for promotion
 * accounts and an optional SageMaker managed MLflow tracking server.
 *
 * New versions register as `PendingManualApproval` (enforced in `grantRegister`); approving one
 * emits the "Model Package State Change" event that `onApproved` rules match, which is where the
 * promotion workflow attaches. Everything stateful retains on delete and replacement unless the
 * dev profile and the `mlops:allowDestroy` context flag both allow destruction.
 *
 * @example
 * const registry = new ModelRegistry(stack, 'Registry', { models: [{ name: 'churn' }] });
 * registry.grantRegister(trainingRole, 'churn');
 * registry.onApproved('Promote', { model: 'churn', target: new targets.SfnStateMachine(promotion) });
 */
export class ModelRegistry extends Construct implements IModelRegistry {
  public readonly encryptionKey: kms.IKey;
  public readonly artifactBucket: s3.IBucket;
  /** Names of the SSM parameters this registry publishes (the artifact bucket name, for the Kubernetes layer). */
  public readonly parameterNames: RegistryParameterNames;
  public readonly trainingRepository: ecr.IRepository;
  public readonly inferenceRepository: ecr.IRepository;
  public readonly models: readonly string[];
  /** Bucket that receives the artifact bucket's server access logs. */
  public readonly accessLogBucket: s3.IBucket;
  /** The registry's own rule on approvals (no target), the source of `metricApprovals`; consumers use `onApproved`. */
  public readonly approvalRule: events.Rule;
  /** The registry's own rule on rejections (no target), the source of `metricRejections`. */
  public readonly rejectionRule: events.Rule;
  /** The removal policy applied to stateful resources, after the guard. */
  public readonly removalPolicy: RemovalPolicy;
  /** Name of the MLflow tracking server, when enabled. */
  public readonly trackingServerName?: string;
  /** ARN of the MLflow tracking server, when enabled. */
  public readonly trackingServerArn?: string;
  /** `s3://` URI of the MLflow artifact store, when enabled. */
  public readonly trackingArtifactStoreUri?: string;

  private readonly trackingServer?: TrackingServer;

  constructor(scope: Construct, id: string, props: ModelRegistryProps) {
    super(scope, id);
    const profile = Platform.of(this).profile;
    const v = new Validator(this);
    validateRegistryProps(v, props, { groupName: (m) => dashedName(this, Number.MAX_SAFE_INTEGER, m), account: Stack.of(this).account });
    v.throwIfAny();

    this.models = props.models.map((m) => m.name);
    this.removalPolicy = resolveRemovalPolicy(this, props.removalPolicy, profile);
    const key = createKey(this, 'Key', {
      description: `Model registry ${this.node.path}: artifacts, model packages and images`,
      removalPolicy: this.removalPolicy,
    });
    this.encryptionKey = key;

    const artifacts = new ArtifactBucket(this, { key, profile, removalPolicy: this.removalPolicy, accessLogBucket: props.accessLogBucket });
    this.artifactBucket = artifacts.bucket;
    // Values cross engines through SSM: the Kubernetes layer (cdktf) reads the bucket name here.
    const settings = Platform.of(this);
    this.parameterNames = registryParameterNames(settings.project, settings.profile.name);
    new ssm.StringParameter(this, 'ArtifactBucketParameter', {
      parameterName: this.parameterNames.artifactBucket,
      stringValue: this.artifactBucket.bucketName,
      description: `Artifact bucket of model registry ${this.node.path}`,
    });
    this.accessLogBucket = artifacts.accessLogBucket;

    const imageRetention = props.imageRetention ?? REGISTRY_DEFAULTS.imageRetention;
    this.trainingRepository = this.createRepository('TrainingRepository', 'training', imageRetention);
    this.inferenceRepository = this.createRepository('InferenceRepository', 'inference', imageRetention);

    const readers = props.crossAccountReaders ?? [];
    const groupsScope = new Construct(this, 'ModelPackageGroups');
    for (const model of props.models) {
      const name = this.modelPackageGroupName(model.name);
      const group = new sagemaker.CfnModelPackageGroup(groupsScope, model.name, {
        modelPackageGroupName: name,
        modelPackageGroupDescription: model.description ?? `Versions of model ${model.name}, registered by ${this.node.path}`,
        modelPackageGroupPolicy: readers.length > 0
          ? groupReadPolicy(readers, this.modelPackageGroupArn(model.name), this.packagesArn(model.name))
          : undefined,
      });
      applyRemovalPolicy(group, this.removalPolicy);
    }
    if (readers.length > 0) {
      grantCrossAccountRead(this, { accounts: readers, key, bucket: this.artifactBucket, inferenceRepository: this.inferenceRepository });
    }

    this.approvalRule = this.approvalStatusRule('ApprovedRule', APPROVED, `Versions approved in model registry ${this.node.path}`);
    this.rejectionRule = this.approvalStatusRule('RejectedRule', REJECTED, `Versions rejected in model registry ${this.node.path}`);

    if (props.mlflow?.enabled) {
      this.trackingServer = new TrackingServer(this, 'Mlflow', {
        options: props.mlflow,
        bucket: this.artifactBucket,
        key,
        removalPolicy: this.removalPolicy,
      });
      this.trackingServerName = this.trackingServer.trackingServerName;
      this.trackingServerArn = this.trackingServer.trackingServerArn;
      this.trackingArtifactStoreUri = this.trackingServer.artifactStoreUri;
      if (this.trackingServer.automaticModelRegistration) this.grantRegister(this.trackingServer.role);
    }
  }

  public hasModel(model: string): boolean {
    return this.models.includes(model);
  }

  public modelPackageGroupName(model: string): string {
    this.requireModel(model);
    return dashedName(this, MAX_GROUP_NAME, model);
  }

  public modelPackageGroupArn(model: string): string {
    return Stack.of(this).formatArn({ service: 'sagemaker', resource: 'model-package-group', resourceName: this.modelPackageGroupName(model) });
  }

  public artifactPrefix(model: string): string {
    this.requireModel(model);
    return `${REGISTRY_DEFAULTS.modelsPrefix}${model}/`;
  }

  /**
   * Registration is gated: `sagemaker:CreateModelPackage` is allowed only when the request sets
   * `ModelApprovalStatus` to {@link REGISTRATION_APPROVAL_STATUS} (a request without it is denied
   * too), so nothing registers as Approved. Uploads must use the registry key: send no encryption
   * header (the bucket default applies) or name the key by its ARN.
   */
  public grantRegister(grantee: iam.IGrantable, model?: string): iam.Grant {
    const scope = this.scopeOf(model);
    // The core grant helper has no conditions; the gated statement is the only one that needs one.
    const register = iam.Grant.addToPrincipal({
      grantee,
      actions: [...perms.PACKAGE_REGISTER],
      resourceArns: [...scope.groupArns, ...scope.packageArns],
      conditions: { StringEquals: { 'sagemaker:ModelApprovalStatus': REGISTRATION_APPROVAL_STATUS } },
    });
    this.acknowledgeVersions(grantee, scope.packageArns);
    acknowledgeForGrantee(grantee, scope.objectsArn, `Registration writes one or more artifact objects per version under ${scope.prefix}.`);
    return register
      .combine(grantWithKey(grantee, {
        actions: [...perms.PACKAGE_READ, ...perms.PACKAGE_TAG],
        resourceArns: [...scope.groupArns, ...scope.packageArns],
      }))
      .combine(grantWithKey(grantee, {
        actions: [...perms.S3_BUCKET_READ, ...perms.S3_OBJECT_READ, ...perms.S3_OBJECT_WRITE],
        resourceArns: [this.artifactBucket.bucketArn, scope.objectsArn],
        key: this.encryptionKey,
        keyActions: perms.KMS_WRITE,
      }));
  }

  public grantRead(grantee: iam.IGrantable, model?: string): iam.Grant {
    const scope = this.scopeOf(model);
    this.acknowledgeVersions(grantee, scope.packageArns);
    acknowledgeForGrantee(grantee, scope.objectsArn, `Readers load any artifact of the versions under ${scope.prefix}.`);
    return grantWithKey(grantee, {
      actions: perms.PACKAGE_READ,
      resourceArns: [...scope.groupArns, ...scope.packageArns],
    }).combine(grantWithKey(grantee, {
      actions: [...perms.S3_BUCKET_READ, ...perms.S3_OBJECT_READ],
      resourceArns: [this.artifactBucket.bucketArn, scope.objectsArn],
      key: this.encryptionKey,
      keyActions: perms.KMS_READ,
    }));
  }

  /**
   * Lets the grantee approve or reject versions (sagemaker:UpdateModelPackage) and read them; for
   * the people or workflow that own the approval gate, never for the training workflow.
   */
  public grantApprove(grantee: iam.IGrantable, model?: string): iam.Grant {
    const scope = this.scopeOf(model);
    this.acknowledgeVersions(grantee, scope.packageArns);
    return grantWithKey(grantee, {
      actions: [...perms.PACKAGE_READ, ...perms.PACKAGE_APPROVE],
      resourceArns: [...scope.groupArns, ...scope.packageArns],
    });
  }

  public grantPull(grantee: iam.IGrantable): iam.Grant {
    return this.grantImages(grantee, perms.ECR_PULL);
  }

  /** Lets the grantee push images to both ECR repositories (tags are immutable: push new tags). */
  public grantPush(grantee: iam.IGrantable): iam.Grant {
    return this.grantImages(grantee, perms.ECR_PUSH);
  }

  /**
   * Lets the grantee track experiments on the MLflow tracking server: open it, log runs, metrics,
   * parameters and models, and read and write the artifact store (clients upload artifacts to S3
   * directly). Fails when the tracking server is not enabled.
   */
  public grantTracking(grantee: iam.IGrantable): iam.Grant {
    const server = this.trackingServer;
    if (!server) {
      const v = new Validator(this);
      v.fail('grantTracking', 'called', 'needs the MLflow tracking server (props.mlflow.enabled: true)');
      v.throwIfAny();
    }
    const objects = this.artifactBucket.arnForObjects(`${REGISTRY_DEFAULTS.mlflowPrefix}*`);
    acknowledgeForGrantee(grantee, objects, 'MLflow clients upload one object per logged artifact under the mlflow/ prefix.');
    return grantWithKey(grantee, {
      actions: [...perms.MLFLOW_SERVER_ACCESS, ...perms.MLFLOW_TRACKING],
      resourceArns: [server!.trackingServerArn],
    }).combine(grantWithKey(grantee, {
      actions: [...perms.S3_BUCKET_READ, ...perms.S3_OBJECT_READ, ...perms.S3_OBJECT_WRITE],
      resourceArns: [this.artifactBucket.bucketArn, objects],
      key: this.encryptionKey,
      keyActions: perms.KMS_WRITE,
    }));
  }

  public onApproved(id: string, options: events.OnEventOptions & { model?: string } = {}): events.Rule {
    const groups = options.model === undefined ? this.allGroupNames() : [this.modelPackageGroupName(options.model)];
    return ruleWithOptions(this, id, approvalStatusPattern(groups, APPROVED, options.eventPattern), options);
  }

  public metricApprovals(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.ruleMetric(this.approvalRule, props);
  }

  public metricRejections(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.ruleMetric(this.rejectionRule, props);
  }

  private ruleMetric(rule: events.Rule, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'TriggeredRules',
      dimensionsMap: { RuleName: rule.ruleName },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  private approvalStatusRule(id: string, status: string, description: string): events.Rule {
    return new events.Rule(this, id, { description, eventPattern: approvalStatusPattern(this.allGroupNames(), status) });
  }

  private createRepository(id: string, purpose: string, imageRetention: number): ecr.Repository {
    return new ecr.Repository(this, id, {
      repositoryName: dashedName(this, 200, purpose),
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.KMS,
      encryptionKey: this.encryptionKey,
      lifecycleRules: [{
        description: `Keep the last ${imageRetention} images`,
        tagStatus: ecr.TagStatus.ANY,
        maxImageCount: imageRetention,
      }],
      removalPolicy: this.removalPolicy,
      emptyOnDelete: false,
    });
  }

  private grantImages(grantee: iam.IGrantable, actions: readonly string[]): iam.Grant {
    acknowledgeForGrantee(grantee, '*', 'ecr:GetAuthorizationToken supports no resource-level permissions (registry login).');
    return grantWithKey(grantee, {
      actions,
      resourceArns: [this.trainingRepository.repositoryArn, this.inferenceRepository.repositoryArn],
    }).combine(grantWithKey(grantee, { actions: perms.ECR_AUTH, resourceArns: ['*'] }));
  }

  private allGroupNames(): string[] {
    return this.models.map((m) => this.modelPackageGroupName(m));
  }

  /** Group, package and artifact resources for one model, or for every model. */
  private scopeOf(model?: string): { groupArns: string[]; packageArns: string[]; prefix: string; objectsArn: string } {
    const models = model === undefined ? [...this.models] : [model];
    const prefix = model === undefined ? REGISTRY_DEFAULTS.modelsPrefix : this.artifactPrefix(model);
    return {
      groupArns: models.map((m) => this.modelPackageGroupArn(m)),
      packageArns: models.map((m) => this.packagesArn(m)),
      prefix,
      objectsArn: this.artifactBucket.arnForObjects(`${prefix}*`),
    };
  }

  /** Acknowledges the version wildcard (`model-package/<group>/*`) of each group in a grant. */
  private acknowledgeVersions(grantee: iam.IGrantable, packageArns: readonly string[]): void {
    for (const arn of packageArns) {
      acknowledgeForGrantee(grantee, arn, 'Versions are model-package/<group>/<version>: the wildcard covers the versions of one declared group.');
    }
  }

  /** ARN pattern of every version of a model (versioned packages are `model-package/<group>/<n>`). */
  private packagesArn(model: string): string {
    return Stack.of(this).formatArn({ service: 'sagemaker', resource: 'model-package', resourceName: `${this.modelPackageGroupName(model)}/*` });
  }

  private requireModel(model: string): void {
    if (this.hasModel(model)) return;
    const v = new Validator(this);
    v.check(false, 'model', Token.isUnresolved(model) ? '(unresolved token)' : model,
      `is not a model of this registry; declared: ${this.models.join(', ')}`);
    v.throwIfAny();
  }
}
