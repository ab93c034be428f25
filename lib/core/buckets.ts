import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

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
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
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
