import { CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IConstruct } from 'constructs';
import { Platform } from '../core/environment';
import { Validator } from '../core/errors';
import { ReplicatedBucket, validateReplication } from '../core/replication';
import { grantWithKey } from '../core/grants';
import { ownOrNewKey } from '../core/own-key';
import { dashedName } from '../core/naming';
import { applyRemovalPolicy, resolveRemovalPolicy } from '../core/removal';
import { ModelRegistryImportProps, ModelRegistryProps, REGISTRY_DEFAULTS, REGISTRY_OUTPUTS, RegistryParameterNames, registryParameterNames } from './model-registry-props';
import * as perms from './perms';
import { ModelRegistryBase, RepositoryPurpose } from './registry-base';
import { ArtifactBucket } from './private/artifact-bucket';
import { grantCrossAccountRead, groupReadPolicy } from './private/cross-account';
import { APPROVED, REJECTED } from './private/events';
import { ImportedModelRegistry } from './private/imported-registry';
import { TrackingServer } from './private/mlflow';
import { acknowledgeForGrantee } from './private/nag';
import { validateRegistryProps } from './private/validate';

/** ID of the stack-level construct holding the outputs of the registry with cross-account readers. */
const REGISTRY_OUTPUTS_ID = 'ModelRegistryOutputs';

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
  /** Lets the grantee approve or reject versions of a model (or all models): sagemaker:UpdateModelPackage and describe/list. */
  grantApprove(grantee: iam.IGrantable, model?: string): iam.Grant;
  /** Lets the grantee pull from both ECR repositories (including ecr:GetAuthorizationToken, which needs resource '*', acknowledged for cdk-nag). */
  grantPull(grantee: iam.IGrantable): iam.Grant;
  /** EventBridge rule on SageMaker "Model Package State Change" events with ModelApprovalStatus Approved for this registry's groups (optionally one model). */
  onApproved(id: string, options?: events.OnEventOptions & { model?: string }): events.Rule;
  /**
   * Approval events: AWS/Events TriggeredRules of a target-less rule on approvals of the
   * registry's groups, Sum over 5 minutes. A created registry counts with its own rule; an
   * imported one creates its rule in the importing stack on first use (see
   * {@link ModelRegistry.fromEnvironment}).
   */
  metricApprovals(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Rejection events (same, for a rule on rejections). */
  metricRejections(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

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
 * // given: stack: Stack; trainingRole: iam.IRole; promotion: sfn.IStateMachine
 * const registry = new ModelRegistry(stack, 'Registry', { models: [{ name: 'churn' }] });
 * registry.grantRegister(trainingRole, 'churn');
 * registry.onApproved('Promote', { model: 'churn', target: new targets.SfnStateMachine(promotion) });
 */
export class ModelRegistry extends ModelRegistryBase {
  /**
   * The registry of another environment (or stage) of this project, as a stack of this app uses
   * it: for example the staging serving stack that serves versions of the prod registry.
   *
   * Nothing crosses stages at synth time. The key ARN and artifact bucket name come from the SSM
   * parameters that registry publishes ({@link registryParameterNames}), read by CloudFormation at
   * deploy time through `AWS::SSM::Parameter::Value<String>` parameters of the importing stack
   * (created once per stack, shared by every import of that registry). The registry's account and
   * region are taken from its key ARN; model package groups and repositories are named as that
   * registry names them (`<project>-<environment>-<name>`). The parameters must exist in the
   * importing stack's account and region when it deploys: deploy the registry first. A registry
   * of another account is read through its stack's outputs instead (`stackOutputs`: Fn::GetStackOutput
   * with a role of the registry's account, resolved at deploy time), and its `crossAccountReaders`
   * must name the importing account's roles that read it.
   *
   * Grants (`grantRead`, `grantPull`, `grantRegister`, `grantApprove`) add identity policies in the
   * importing stack and never change the registry's resources. `onApproved`, `metricApprovals` and
   * `metricRejections` use EventBridge rules in the importing stack (the metric rules are created
   * on first use, without targets): SageMaker sends approval events only to the default event bus
   * of the registry's own account and region, so they count events only when the importing stack
   * deploys there. Watch a registry of another account from its own environment.
   *
   * Fails with a ValidationError when the environment, project or a model name is not one a
   * registry could have.
   *
   * @example
   * // given: stack: Stack; role: iam.IRole
   * // In the staging stage: serve the prod registry's approved churn versions.
   * const prodRegistry = ModelRegistry.fromEnvironment(stack, 'ProdRegistry', { environment: 'prod', models: ['churn'] });
   * prodRegistry.grantRead(role, 'churn');
   * prodRegistry.grantPull(role);
   */
  public static fromEnvironment(scope: Construct, id: string, props: ModelRegistryImportProps): IModelRegistry {
    return new ImportedModelRegistry(scope, id, props);
  }

  public readonly encryptionKey: kms.IKey;
  public readonly artifactBucket: s3.IBucket;
  /** Names of the SSM parameters this registry publishes (artifact bucket name and key ARN), for the Kubernetes layer and imports. */
  public readonly parameterNames: RegistryParameterNames;
  public readonly trainingRepository: ecr.IRepository;
  public readonly inferenceRepository: ecr.IRepository;
  public readonly models: readonly string[];
  /** Bucket that receives the artifact bucket's server access logs. */
  public readonly accessLogBucket: s3.IBucket;
  /** The registry's own rule on approvals (target: the decision log), the source of `metricApprovals`; consumers use `onApproved`. */
  public readonly approvalRule: events.Rule;
  /** The registry's own rule on rejections (target: the decision log), the source of `metricRejections`. */
  public readonly rejectionRule: events.Rule;
  /** The removal policy applied to stateful resources, after the guard. */
  public readonly removalPolicy: RemovalPolicy;
  /** Name of the MLflow tracking server, when enabled. */
  public readonly trackingServerName?: string;
  /** ARN of the MLflow tracking server, when enabled. */
  public readonly trackingServerArn?: string;
  /** `s3://` URI of the MLflow artifact store, when enabled. */
  public readonly trackingArtifactStoreUri?: string;

  /** The artifact bucket's replication to the DR Region (empty without `replication`). */
  public readonly replicatedBuckets: readonly ReplicatedBucket[];
  /** What the replicated bucket holds (`artifacts`), for `ReplicationDestinations` (empty without `replication`). */
  public readonly replicationPurposes: readonly string[];

  private readonly trackingServer?: TrackingServer;

  constructor(scope: Construct, id: string, props: ModelRegistryProps) {
    super(scope, id);
    const profile = Platform.of(this).profile;
    const v = new Validator(this);
    validateRegistryProps(v, props, { groupName: (m) => dashedName(this, Number.MAX_SAFE_INTEGER, m), account: Stack.of(this).account });
    validateReplication(v, this, props.replication, 'replication');
    if (props.encryptionKey !== undefined) {
      v.check(typeof (props.encryptionKey as { keyArn?: unknown })?.keyArn === 'string', 'encryptionKey', props.encryptionKey,
        'must be a kms.IKey (for example kms.Key.fromKeyArn(...))');
    }
    v.throwIfAny();

    this.models = props.models.map((m) => m.name);
    this.removalPolicy = resolveRemovalPolicy(this, props.removalPolicy, profile);
    const key = ownOrNewKey(this, 'Key', props.encryptionKey, {
      description: `Model registry ${this.node.path}: artifacts, model packages and images`,
      removalPolicy: this.removalPolicy,
      keyPolicyStatements: [
        'logs.<region>.amazonaws.com may use the key for log groups of this account (decision log)',
        ...(props.crossAccountReaders?.length ? ['the crossAccountReaders accounts may kms:Decrypt and kms:DescribeKey with kms:ViaService = s3.<region>.amazonaws.com'] : []),
      ],
    });
    this.encryptionKey = key;

    const artifacts = new ArtifactBucket(this, { key, profile, removalPolicy: this.removalPolicy, accessLogBucket: props.accessLogBucket, replication: props.replication });
    this.artifactBucket = artifacts.bucket;
    this.replicatedBuckets = artifacts.replicated ? [artifacts.replicated] : [];
    this.replicationPurposes = this.replicatedBuckets.map((r) => r.purpose);
    // Values cross engines and stages through SSM: the Kubernetes layer (cdktf) reads the bucket
    // name, imports in other stages (fromEnvironment) read the bucket name and the key ARN.
    const settings = Platform.of(this);
    this.parameterNames = registryParameterNames(settings.project, settings.profile.name);
    this.publish('ArtifactBucketParameter', this.parameterNames.artifactBucket, this.artifactBucket.bucketName, 'Artifact bucket');
    this.publish('KeyArnParameter', this.parameterNames.keyArn, key.keyArn, 'KMS key ARN');
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
      grantCrossAccountRead(this, { roleArns: readers, key, bucket: this.artifactBucket, inferenceRepository: this.inferenceRepository });
      this.outputForReaders(key.keyArn, this.artifactBucket.bucketName);
    }

    this.approvalRule = this.createStatusRule('ApprovedRule', APPROVED);
    this.rejectionRule = this.createStatusRule('RejectedRule', REJECTED);

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

  protected physicalName(maxLength: number, ...parts: string[]): string {
    return dashedName(this, maxLength, ...parts);
  }

  protected statusRule(status: string): events.IRule {
    return status === APPROVED ? this.approvalRule : this.rejectionRule;
  }

  protected decisionLogKey(): kms.IKey | undefined {
    return this.encryptionKey;
  }

  /**
   * Stack outputs with fixed names (REGISTRY_OUTPUTS) that stacks of the reader accounts read at
   * deploy time with Fn::GetStackOutput (see ModelRegistryImportProps.stackOutputs): SSM parameters
   * are not visible from another account. One registry with readers per stack.
   */
  private outputForReaders(keyArn: string, bucketName: string): void {
    const stack = Stack.of(this);
    if (stack.node.tryFindChild(REGISTRY_OUTPUTS_ID)) {
      const v = new Validator(this);
      v.fail('crossAccountReaders', 'set', `must be set on at most one registry of stack ${stack.stackName}: its outputs ${REGISTRY_OUTPUTS.keyArn} and ${REGISTRY_OUTPUTS.artifactBucket} have fixed names`);
      v.throwIfAny();
    }
    const holder = new Construct(stack, REGISTRY_OUTPUTS_ID);
    new CfnOutput(holder, 'KeyArn', { value: keyArn, description: `KMS key ARN of model registry ${this.node.path} (read by the reader accounts)` })
      .overrideLogicalId(REGISTRY_OUTPUTS.keyArn);
    new CfnOutput(holder, 'ArtifactBucket', { value: bucketName, description: `Artifact bucket of model registry ${this.node.path} (read by the reader accounts)` })
      .overrideLogicalId(REGISTRY_OUTPUTS.artifactBucket);
  }

  private publish(id: string, parameterName: string, stringValue: string, what: string): void {
    new ssm.StringParameter(this, id, { parameterName, stringValue, description: `${what} of model registry ${this.node.path}` });
  }

  private createRepository(id: string, purpose: RepositoryPurpose, imageRetention: number): ecr.Repository {
    return new ecr.Repository(this, id, {
      repositoryName: this.repositoryName(purpose),
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
}
