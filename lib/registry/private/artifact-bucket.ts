import { Names, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { HARDENED_BUCKET, createAccessLogBucket, kmsEncryption, logAccessTo } from '../../core/buckets';
import { EnvironmentProfile } from '../../core/environment';
import { ReplicatedBucket, ReplicationOptions, createReplicationRole, replicateBucket } from '../../core/replication';
import { REGISTRY_DEFAULTS } from '../model-registry-props';

/** Request header condition keys S3 sets from a PutObject request. */
const SSE_HEADER = 's3:x-amz-server-side-encryption';
const SSE_KEY_HEADER = 's3:x-amz-server-side-encryption-aws-kms-key-id';

/** What the artifact bucket needs. */
export interface ArtifactBucketOptions {
  readonly key: kms.IKey;
  readonly profile: EnvironmentProfile;
  readonly removalPolicy: RemovalPolicy;
  /** Where server access logs go; a new log bucket when undefined. */
  readonly accessLogBucket?: s3.IBucket;
  /** Replication to a DR Region; none when undefined. */
  readonly replication?: ReplicationOptions;
}

/** What the artifact bucket's DR destination holds. */
export const ARTIFACTS_REPLICATION_PURPOSE = 'artifacts';

/**
 * The statements that deny uploads not encrypted with the registry key.
 *
 * The bucket encrypts with the key by default, so a PutObject that sends no encryption header is
 * encrypted correctly and must be allowed. A plain `StringNotEquals` (or `StringNotEqualsIfExists`)
 * on a header would also match when the header is absent and reject exactly those requests, so each
 * statement first requires, with a `Null` condition, that the header it inspects is present:
 *
 * - `DenyUnexpectedEncryption`: the encryption header is present and is not `aws:kms` (AES256, DSSE).
 * - `DenyOtherKmsKey`: a key is named and it is not the registry key's ARN (an alias or key ID is
 *   denied too: callers that name the key must name it by ARN).
 * - `DenyKmsWithoutKey`: `aws:kms` is asked for without naming a key, for which S3 uses the
 *   account's AWS managed key instead of the bucket's.
 */
export function encryptionDenyStatements(bucket: s3.IBucket, key: kms.IKey): iam.PolicyStatement[] {
  const deny = (sid: string, conditions: Record<string, Record<string, unknown>>) => new iam.PolicyStatement({
    sid,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:PutObject'],
    resources: [bucket.arnForObjects('*')],
    conditions,
  });
  return [
    deny('DenyUnexpectedEncryption', { Null: { [SSE_HEADER]: 'false' }, StringNotEquals: { [SSE_HEADER]: 'aws:kms' } }),
    deny('DenyOtherKmsKey', { Null: { [SSE_KEY_HEADER]: 'false' }, StringNotEquals: { [SSE_KEY_HEADER]: key.keyArn } }),
    deny('DenyKmsWithoutKey', { Null: { [SSE_HEADER]: 'false', [SSE_KEY_HEADER]: 'true' } }),
  ];
}

/** The registry's artifact bucket (and, unless one is given, its access-log bucket). */
export class ArtifactBucket {
  public readonly bucket: s3.Bucket;
  public readonly accessLogBucket: s3.IBucket;
  /** The replication of the bucket, when on. */
  public readonly replicated?: ReplicatedBucket;

  constructor(scope: Construct, options: ArtifactBucketOptions) {
    const { key, profile, removalPolicy } = options;
    this.accessLogBucket = options.accessLogBucket ?? createAccessLogBucket(scope, 'AccessLogBucket', {
      removalPolicy,
      retention: profile.accessLogRetention,
      abortIncompleteMultipartUploadAfter: REGISTRY_DEFAULTS.abortIncompleteMultipartUploadAfter,
    });

    this.bucket = new s3.Bucket(scope, 'ArtifactBucket', {
      ...HARDENED_BUCKET,
      ...kmsEncryption(key),
      versioned: true,
      lifecycleRules: [{
        id: 'ExpireNoncurrentVersions',
        noncurrentVersionExpiration: profile.noncurrentVersionRetention,
        abortIncompleteMultipartUploadAfter: REGISTRY_DEFAULTS.abortIncompleteMultipartUploadAfter,
      }],
      removalPolicy,
    });
    for (const statement of encryptionDenyStatements(this.bucket, key)) this.bucket.addToResourcePolicy(statement);
    logAccessTo(scope, this.bucket, this.accessLogBucket, REGISTRY_DEFAULTS.accessLogPrefix,
      `ServerAccessLogs${Names.uniqueId(scope).replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 100));
    if (options.replication) {
      this.replicated = replicateBucket(scope, this.bucket, key, createReplicationRole(scope, 'ReplicationRole'),
        ARTIFACTS_REPLICATION_PURPOSE, options.replication);
    }
  }
}
