import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * The settings every bucket of this library shares: no public access of any kind, TLS 1.2 or later
 * only, ACLs off. Spread it first so that nothing after it can weaken these.
 */
export const HARDENED_BUCKET: Pick<s3.BucketProps, 'blockPublicAccess' | 'enforceSSL' | 'minimumTLSVersion' | 'objectOwnership'> = {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
};

/** SSE-KMS with a customer-managed key and S3 bucket keys (fewer KMS calls, same key). */
export function kmsEncryption(key: kms.IKey): Pick<s3.BucketProps, 'encryption' | 'encryptionKey' | 'bucketKeyEnabled'> {
  return { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true };
}

/** Options for {@link createAccessLogBucket}. */
export interface AccessLogBucketOptions {
  /** Removal policy decided by `resolveRemovalPolicy` for the owning construct. */
  readonly removalPolicy: RemovalPolicy;
  /** How long access logs are kept. */
  readonly retention: Duration;
  /** Age after which incomplete multipart uploads are aborted. */
  readonly abortIncompleteMultipartUploadAfter: Duration;
}

/**
 * A bucket for S3 server access logs: SSE-S3 (log delivery cannot write to SSE-KMS buckets, so this
 * is the strongest allowed), versioned, no public access, TLS 1.2 only, logs expiring after `retention`.
 */
export function createAccessLogBucket(scope: Construct, id: string, options: AccessLogBucketOptions): s3.Bucket {
  return new s3.Bucket(scope, id, {
    ...HARDENED_BUCKET,
    encryption: s3.BucketEncryption.S3_MANAGED,
    versioned: true,
    lifecycleRules: [{
      id: 'ExpireLogs',
      expiration: options.retention,
      noncurrentVersionExpiration: Duration.days(1),
      abortIncompleteMultipartUploadAfter: options.abortIncompleteMultipartUploadAfter,
    }],
    removalPolicy: options.removalPolicy,
  });
}

/**
 * Turns on server access logging of `bucket` into `logs` under `prefix`, with a bucket-policy grant
 * to the logging service scoped to this bucket and account. Written on the L1 so that it does not
 * depend on the app's feature flags (without them the L2 falls back to ACLs). Warns when `logs` is
 * imported and its policy cannot change.
 */
export function logAccessTo(scope: Construct, bucket: s3.Bucket, logs: s3.IBucket, prefix: string, sid: string): void {
  (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: logs.bucketName, logFilePrefix: prefix };
  const result = logs.addToResourcePolicy(new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [logs.arnForObjects(`${prefix}*`)],
    conditions: {
      ArnLike: { 'aws:SourceArn': bucket.bucketArn },
      StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
    },
  }));
  if (!result.statementAdded) {
    Annotations.of(scope).addWarningV2('mlops:accessLogPolicyNotUpdated',
      `The policy of the access-log bucket ${logs.node.path} could not be changed (imported bucket): ` +
      `allow logging.s3.amazonaws.com to put objects under ${prefix}.`);
  }
}
