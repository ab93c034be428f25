import { Annotations, Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { REGISTRY_DEFAULTS } from '../model-registry-props';
import * as perms from '../perms';

/**
 * Who may read: the reader roles' accounts as principals, admitted only for the exact role ARNs by
 * the condition `ArnEquals aws:PrincipalArn`. Naming the roles as principals instead would make IAM,
 * S3, KMS and ECR refuse the policy while a role does not exist yet ("Invalid principal in policy",
 * IAM User Guide, AWS JSON policy elements: Principal,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html) and
 * break it when a role is replaced; the condition key holds the ARN of the calling role on every
 * request (IAM User Guide, AWS global condition context keys, aws:PrincipalArn,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn),
 * so the registry account can deploy before or after the reader accounts.
 */
export interface Readers {
  readonly principals: iam.IPrincipal[];
  readonly conditions: Record<string, Record<string, unknown>>;
}

/** The account of a role ARN (a token for an unresolved ARN). */
function accountOf(roleArn: string): string {
  if (!Token.isUnresolved(roleArn)) return roleArn.split(':')[4];
  return Arn.split(roleArn, ArnFormat.SLASH_RESOURCE_NAME).account!;
}

function readers(roleArns: readonly string[]): Readers {
  const accounts = [...new Set(roleArns.map(accountOf))];
  return {
    principals: accounts.map((a) => new iam.AccountPrincipal(a)),
    conditions: { ArnEquals: { 'aws:PrincipalArn': [...roleArns] } },
  };
}

/**
 * The resource policy of one model package group: the reader roles may describe the group and
 * describe and list its versions, nothing else (the actions and resources of SageMaker's own
 * cross-account example, put-model-package-group-policy on the group ARN and
 * `model-package/<group>/*`: SageMaker developer guide, Cross-account discoverability,
 * https://docs.aws.amazon.com/sagemaker/latest/dg/model-registry-ram-discover.html).
 */
export function groupReadPolicy(roleArns: readonly string[], groupArn: string, packagesArn: string): iam.PolicyDocument {
  const r = readers(roleArns);
  return new iam.PolicyDocument({
    statements: [new iam.PolicyStatement({
      sid: 'CrossAccountRead',
      principals: r.principals,
      conditions: r.conditions,
      actions: perms.PACKAGE_READ,
      resources: [groupArn, packagesArn],
    })],
  });
}

/** What the reader roles get outside the model package groups. */
export interface CrossAccountReadOptions {
  /** Exact ARNs of the reader roles. */
  readonly roleArns: readonly string[];
  readonly key: kms.IKey;
  readonly bucket: s3.IBucket;
  readonly inferenceRepository: ecr.IRepository;
}

/**
 * Lets the reader roles of promotion accounts read model artifacts (bucket policy on the models
 * prefix; key policy for decryption through S3 only) and pull inference images (repository policy).
 */
export function grantCrossAccountRead(scope: Construct, o: CrossAccountReadOptions): void {
  const { principals, conditions } = readers(o.roleArns);
  const prefix = REGISTRY_DEFAULTS.modelsPrefix;
  const region = Stack.of(scope).region;
  const added = [
    o.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CrossAccountReadArtifacts',
      principals,
      actions: perms.S3_OBJECT_READ,
      resources: [o.bucket.arnForObjects(`${prefix}*`)],
      conditions,
    })),
    o.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CrossAccountListArtifacts',
      principals,
      actions: perms.S3_BUCKET_READ,
      resources: [o.bucket.bucketArn],
      conditions,
    })),
    o.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CrossAccountDecryptArtifacts',
      principals,
      actions: perms.KMS_READ,
      resources: ['*'],
      conditions: { ...conditions, StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
    })),
    o.inferenceRepository.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CrossAccountPull',
      principals,
      actions: perms.ECR_PULL,
      conditions,
    })),
  ];
  if (added.some((r) => !r.statementAdded)) {
    Annotations.of(scope).addWarningV2('mlops:crossAccountPolicyNotUpdated',
      'A resource policy for cross-account read could not be changed (imported resource); grant the reader roles there.');
  }
}
