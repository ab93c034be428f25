import { CfnParameter, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { Platform } from '../core/environment';
import { Validator } from '../core/errors';
import { grantWithKey } from '../core/grants';
import { acknowledgeWildcardResources } from '../core/nag';
import type { IModelRegistry } from '../registry';
import * as perms from './perms';

/** Options for {@link ModelSource.fromRegistry}. */
export interface RegistrySourceOptions {
  /**
   * Name of the SSM String parameter that holds the ARN of the approved model package version
   * to serve. The promotion workflow writes it; CloudFormation reads it on every stack update.
   * @default `/<project>/<env>/models/<model>/approved-package-arn`
   */
  readonly parameterName?: string;
}

/** Options for {@link ModelSource.fromImage}. */
export interface ImageSourceOptions {
  /**
   * Repository the image comes from; the model role may pull from it.
   * @default no pull permission is granted (public or already-granted images)
   */
  readonly repository?: ecr.IRepository;
  /**
   * Bucket that holds the model data; the model role may read it (and decrypt with its key).
   * @default no read permission is granted
   */
  readonly modelDataBucket?: s3.IBucket;
}

/** What a bound model source contributes to a SageMaker model. */
export interface BoundModelSource {
  /** The primary container of the model. */
  readonly container: sagemaker.CfnModel.ContainerDefinitionProperty;
  /**
   * The SSM-typed template parameter that resolves to the served version, when the version is
   * resolved at deploy time. While it resolves to {@link APPROVED_VERSION_PLACEHOLDER} no version
   * is approved, and the endpoint creates nothing that needs one.
   * @default none (the version is fixed in the template)
   */
  readonly versionParameter?: CfnParameter;
}

const SSM_NAME = /^\/[a-zA-Z0-9_.\-/]{1,1010}$/;
const ECR_IMAGE = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9._\-/]+(:[\w.-]{1,128}|@sha256:[a-f0-9]{64})$/;
const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/;

/** Default SSM parameter that holds a model's approved package ARN in a project and environment. */
export function approvedPackageParameterName(scope: Construct, model: string): string {
  const s = Platform.of(scope);
  return `/${s.project}/${s.profile.name}/models/${model}/approved-package-arn`;
}

/**
 * What an endpoint serves: a version of a registered model resolved at deploy time, or an explicit
 * image and model data.
 */
export abstract class ModelSource {
  /**
   * A model package of a {@link IModelRegistry} model. The package ARN is read at deploy time
   * from an SSM parameter through a CloudFormation `AWS::SSM::Parameter::Value<String>`
   * parameter, which CloudFormation resolves again on every stack update: never a synth-time
   * lookup. The parameter must exist before the first deployment: create it with an
   * {@link ApprovedVersionParameter} in a stack that deploys earlier (the platform does). Until
   * the first approval it holds {@link APPROVED_VERSION_PLACEHOLDER} and the endpoint holds no
   * model and no endpoint.
   */
  public static fromRegistry(registry: IModelRegistry, model: string, options: RegistrySourceOptions = {}): ModelSource {
    return new RegistrySource(registry, model, options);
  }

  /**
   * An explicit ECR image URI (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>` or
   * `@sha256:<digest>`) and an optional `s3://` model data archive.
   */
  public static fromImage(imageUri: string, modelDataUrl?: string, options: ImageSourceOptions = {}): ModelSource {
    return new ImageSource(imageUri, modelDataUrl, options);
  }

  /** Records problems with this source under `property`. */
  public abstract validate(v: Validator, property: string): void;

  /** Creates what the source needs in `scope` (e.g. the SSM-typed parameter) and grants the model role. */
  public abstract bind(scope: Construct, role: iam.IRole): BoundModelSource;
}

class RegistrySource extends ModelSource {
  constructor(private readonly registry: IModelRegistry, private readonly model: string, private readonly options: RegistrySourceOptions) {
    super();
  }

  public validate(v: Validator, property: string): void {
    if (!Token.isUnresolved(this.model)) {
      v.check(this.registry.hasModel(this.model), `${property}.model`, this.model,
        `is not a model of registry ${this.registry.node.path}; declared: ${this.registry.models.join(', ')}`);
    }
    v.matches(this.options.parameterName, SSM_NAME, `${property}.parameterName`,
      'must be an SSM parameter path: "/" followed by letters, digits, "_", ".", "-" or "/"');
  }

  public bind(scope: Construct, role: iam.IRole): BoundModelSource {
    const parameterName = this.options.parameterName ?? approvedPackageParameterName(scope, this.model);
    // One CloudFormation parameter per SSM parameter name: variants that read the same name share it.
    const id = this.options.parameterName === undefined
      ? `ApprovedPackage${this.model.replace(/[^A-Za-z0-9]/g, '')}`
      : `Package${parameterName.replace(/[^A-Za-z0-9]/g, '')}`;
    const existing = scope.node.tryFindChild(id) as CfnParameter | undefined;
    const param = existing ?? new CfnParameter(scope, id, {
      type: 'AWS::SSM::Parameter::Value<String>',
      default: parameterName,
      description: `SSM parameter holding the approved model package ARN of ${this.model} (re-read on every stack update)`,
    });
    this.registry.grantRead(role, this.model);
    this.registry.grantPull(role);
    return { container: { modelPackageName: param.valueAsString }, versionParameter: param };
  }
}

class ImageSource extends ModelSource {
  constructor(private readonly imageUri: string, private readonly modelDataUrl: string | undefined, private readonly options: ImageSourceOptions) {
    super();
  }

  public validate(v: Validator, property: string): void {
    v.matches(this.imageUri, ECR_IMAGE, `${property}.imageUri`,
      'must be an ECR image URI <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> or @sha256:<digest>');
    v.matches(this.modelDataUrl, S3_URI, `${property}.modelDataUrl`, 'must be an s3://<bucket>/<key> URI');
  }

  public bind(_scope: Construct, role: iam.IRole): BoundModelSource {
    const { repository, modelDataBucket } = this.options;
    if (repository) {
      grantWithKey(role, { actions: perms.ECR_PULL, resourceArns: [repository.repositoryArn] });
      grantWithKey(role, { actions: perms.ECR_AUTH, resourceArns: ['*'] });
      acknowledgeWildcardResources(role, ['*'], 'ecr:GetAuthorizationToken supports no resource-level permissions (registry login).');
    }
    if (modelDataBucket) {
      const objects = modelDataBucket.arnForObjects('*');
      grantWithKey(role, {
        actions: [...perms.S3_BUCKET, ...perms.S3_OBJECT_READ],
        resourceArns: [modelDataBucket.bucketArn, objects],
        key: modelDataBucket.encryptionKey,
        keyActions: perms.KMS_READ,
      });
      acknowledgeWildcardResources(role, [objects], 'The model data archive is read from the given model data bucket.');
    }
    return { container: { image: this.imageUri, modelDataUrl: this.modelDataUrl } };
  }
}

