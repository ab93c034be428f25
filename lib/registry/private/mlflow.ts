import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { grantWithKey } from '../../core/grants';
import { dashedName } from '../../core/naming';
import { applyRemovalPolicy } from '../../core/removal';
import { MlflowOptions, REGISTRY_DEFAULTS } from '../model-registry-props';
import * as perms from '../perms';
import { acknowledgeForGrantee } from './nag';

/** Longest tracking server name SageMaker accepts. */
const MAX_SERVER_NAME = 256;

/** What the tracking server needs from the registry. */
export interface TrackingServerOptions {
  readonly options: MlflowOptions;
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A SageMaker managed MLflow tracking server whose artifact store is a prefix of the registry's
 * bucket, with a service role scoped to that prefix.
 */
export class TrackingServer extends Construct {
  public readonly resource: sagemaker.CfnMlflowTrackingServer;
  public readonly role: iam.Role;
  public readonly trackingServerName: string;
  public readonly artifactStoreUri: string;
  public readonly automaticModelRegistration: boolean;

  constructor(scope: Construct, id: string, props: TrackingServerOptions) {
    super(scope, id);
    const prefix = REGISTRY_DEFAULTS.mlflowPrefix;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `MLflow tracking server of ${scope.node.path}: its artifact store in the registry bucket`,
    });
    // MLflow reads and writes run artifacts; it never deletes registered evidence elsewhere in the bucket.
    grantWithKey(this.role, {
      actions: [...perms.S3_BUCKET_READ, ...perms.S3_OBJECT_READ, ...perms.S3_OBJECT_WRITE],
      resourceArns: [props.bucket.bucketArn, props.bucket.arnForObjects(`${prefix}*`)],
      key: props.key,
      keyActions: perms.KMS_WRITE,
    });
    acknowledgeForGrantee(this.role, props.bucket.arnForObjects(`${prefix}*`),
      'The MLflow artifact store: the server writes one object per logged artifact under the mlflow/ prefix.');

    this.trackingServerName = dashedName(this, MAX_SERVER_NAME, 'mlflow');
    this.artifactStoreUri = props.bucket.s3UrlForObject(prefix);
    this.automaticModelRegistration = props.options.automaticModelRegistration ?? REGISTRY_DEFAULTS.automaticModelRegistration;
    this.resource = new sagemaker.CfnMlflowTrackingServer(this, 'Resource', {
      trackingServerName: this.trackingServerName,
      artifactStoreUri: this.artifactStoreUri,
      roleArn: this.role.roleArn,
      trackingServerSize: (props.options.size ?? REGISTRY_DEFAULTS.mlflowSize).name,
      automaticModelRegistration: this.automaticModelRegistration,
      mlflowVersion: props.options.mlflowVersion,
      weeklyMaintenanceWindowStart: props.options.weeklyMaintenanceWindowStart,
    });
    // Experiment and run metadata live in the server's backend store: it is stateful like the bucket.
    applyRemovalPolicy(this.resource, props.removalPolicy);
    // The server checks its artifact store with the role when it is created.
    const policy = this.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (policy) this.resource.node.addDependency(policy);
  }

  /** The tracking server's ARN. */
  public get trackingServerArn(): string {
    return this.resource.attrTrackingServerArn;
  }
}
