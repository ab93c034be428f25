import { Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { IModelRegistry } from '../registry/model-registry';
import { XGBOOST_VERSIONS, xgboostImageUri, xgboostRegionKnown } from './private/xgboost-registries';

/** What an image is used for: the training and processing jobs, or the registered model's inference container. */
export enum ImageUse {
  /** Training and processing jobs (prepare, train, evaluate). */
  TRAINING = 'training',
  /** The inference container of the registered model package. */
  INFERENCE = 'inference',
}

/** Where {@link TrainingImage.bind} resolves an image. */
export interface TrainingImageBindOptions {
  /** The registry the cluster registers in (its repositories hold `fromRegistry` images). */
  readonly registry: IModelRegistry;
  /** What the image is used for. */
  readonly use: ImageUse;
  /**
   * The role that runs the image, granted exactly the pull it needs.
   * @default no grant
   */
  readonly grantee?: iam.IGrantable;
}

/** A resolved image. */
export interface TrainingImageConfig {
  /** The image URI, `<registry>/<repository>:<tag>`. */
  readonly imageUri: string;
}

/** The versions of {@link TrainingImage.xgboost} and its default. */
export const TRAINING_IMAGE_DEFAULTS = {
  xgboostVersion: '1.7-1',
  xgboostVersions: XGBOOST_VERSIONS,
} as const;

const IMAGE_TAG = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}$/;

/**
 * The container image that runs the managed retraining workflow (and, by default, serves the
 * registered model).
 *
 * - `TrainingImage.xgboost()`: the AWS-provided SageMaker XGBoost image, resolved per region at
 *   deploy time; it trains as the built-in algorithm and has pandas, scikit-learn and xgboost, so
 *   it also runs the prepare and evaluate scripts. Nothing has to be pushed first.
 * - `TrainingImage.fromRegistry(tag)`: an image you push to the registry's own training (and
 *   inference) repository.
 * - `TrainingImage.fromEcrRepository(repository, tag)`: an image in any ECR repository.
 */
export abstract class TrainingImage {
  /**
   * The SageMaker XGBoost framework / built-in algorithm image `sagemaker-xgboost:<version>`.
   *
   * AWS pulls it with service-owned credentials ("Docker Registry Paths and Example Code": pre-built
   * images are pulled with service-owned credentials, so no customer ECR permission is used), so
   * the job role gets no ECR grant for it.
   * @param version an image tag SageMaker publishes, e.g. `1.7-1`
   * @default version '1.7-1'
   */
  public static xgboost(version: string = TRAINING_IMAGE_DEFAULTS.xgboostVersion): TrainingImage {
    return new XgboostImage(version);
  }

  /** An image tag in the registry's training repository (for training) and inference repository (for inference): bring your own. */
  public static fromRegistry(tag: string): TrainingImage {
    return new RegistryImage(tag);
  }

  /** An image tag in an ECR repository of your own. */
  public static fromEcrRepository(repository: ecr.IRepository, tag: string): TrainingImage {
    return new RepositoryImage(repository, tag);
  }

  /** The image tag. */
  public abstract readonly tag: string;

  /**
   * True for the SageMaker built-in XGBoost algorithm: training reads CSV with the label first and
   * no header, so the features and the label must be numeric.
   */
  public abstract readonly isBuiltInXgboost: boolean;

  /** Why this image cannot be used in `scope` (bad tag, unknown version or region), or undefined. */
  public problem(_scope: IConstruct): string | undefined {
    return IMAGE_TAG.test(this.tag) ? undefined : 'must have an ECR image tag (1-128 letters, digits, "_", "." or "-", not starting with "." or "-")';
  }

  /** Resolves the image URI and grants `grantee` the pull it needs. */
  public abstract bind(scope: IConstruct, options: TrainingImageBindOptions): TrainingImageConfig;
}

class XgboostImage extends TrainingImage {
  public readonly isBuiltInXgboost = true;
  constructor(public readonly tag: string) {
    super();
  }

  public problem(scope: IConstruct): string | undefined {
    if (!XGBOOST_VERSIONS.includes(this.tag)) {
      return `must be a sagemaker-xgboost version SageMaker publishes: ${XGBOOST_VERSIONS.join(', ')}`;
    }
    const region = Stack.of(scope).region;
    if (!xgboostRegionKnown(region)) {
      return `has no known sagemaker-xgboost registry in region ${region}; use TrainingImage.fromEcrRepository or TrainingImage.fromRegistry there`;
    }
    return undefined;
  }

  public bind(scope: IConstruct): TrainingImageConfig {
    return { imageUri: xgboostImageUri(scope, this.tag) };
  }
}

class RegistryImage extends TrainingImage {
  public readonly isBuiltInXgboost = false;
  constructor(public readonly tag: string) {
    super();
  }

  public bind(_scope: IConstruct, options: TrainingImageBindOptions): TrainingImageConfig {
    const repository = options.use === ImageUse.TRAINING ? options.registry.trainingRepository : options.registry.inferenceRepository;
    if (options.grantee) repository.grantPull(options.grantee);
    return { imageUri: repository.repositoryUriForTag(this.tag) };
  }
}

class RepositoryImage extends TrainingImage {
  public readonly isBuiltInXgboost = false;
  constructor(private readonly repository: ecr.IRepository, public readonly tag: string) {
    super();
  }

  public bind(_scope: IConstruct, options: TrainingImageBindOptions): TrainingImageConfig {
    if (options.grantee) this.repository.grantPull(options.grantee);
    return { imageUri: this.repository.repositoryUriForTag(this.tag) };
  }
}

