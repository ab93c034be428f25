import { Annotations, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { REGISTRY_DEFAULTS } from '../model-registry-props';
import * as perms from '../perms';

/** The principals of the reader accounts (their account root: each account delegates further with IAM). */
function readers(accounts: readonly string[]): iam.IPrincipal[] {
  return accounts.map((a) => new iam.AccountPrincipal(a));
}

/**
 * The resource policy of one model package group: the reader accounts may describe the group and
 * describe and list its versions, nothing else.
 */
export function groupReadPolicy(accounts: readonly string[], groupArn: string, packagesArn: string): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [new iam.PolicyStatement({
      sid: 'CrossAccountRead',
      principals: readers(accounts),
      actions: perms.PACKAGE_READ,
      resources: [groupArn, packagesArn],
    })],
  });
}

/** What the reader accounts get outside the model package groups. */
export interface CrossAccountReadOptions {
  readonly accounts: readonly string[];
  readonly key: kms.IKey;
  readonly bucket: s3.IBucket;
  readonly inferenceRepository: ecr.IRepository;
}

/**
 * Lets promotion accounts read model artifacts (bucket policy on the models prefix; key policy
 * for decryption through S3 only) and pull inference images (repository policy).
 */
export function grantCrossAccountRead(scope: Construct, o: CrossAccountReadOptions): void {
  const principals = readers(o.accounts);
  const prefix = REGISTRY_DEFAULTS.modelsPrefix;
  const region = Stack.of(scope).region;
  const added = [
    o.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CrossAccountReadArtifacts',
      principals,
      actions: perms.S3_OBJECT_READ,
      resources: [o.bucket.arnForObjects(`${prefix}*`)],
    })),
    o.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CrossAccountListArtifacts',
      principals,
      actions: perms.S3_BUCKET_READ,
      resources: [o.bucket.bucketArn],
    })),
    o.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CrossAccountDecryptArtifacts',
      principals,
      actions: perms.KMS_READ,
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
    })),
    o.inferenceRepository.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CrossAccountPull',
      principals,
      actions: perms.ECR_PULL,
    })),
  ];
  if (added.some((r) => !r.statementAdded)) {
    Annotations.of(scope).addWarningV2('mlops:crossAccountPolicyNotUpdated',
      'A resource policy for cross-account read could not be changed (imported resource); grant the reader accounts there.');
  }
}
