import { createHash } from 'crypto';
import { Aws, CfnRule, Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Construct, IConstruct } from 'constructs';
import { HARDENED_BUCKET, createAccessLogBucket, kmsEncryption, logAccessTo } from './buckets';
import { createKey } from './encryption';
import { Platform } from './environment';
import { Validator } from './errors';
import { acknowledgeWildcardResources } from './nag';

/**
 * Cross-Region replication of a construct's buckets to a disaster-recovery (DR) Region.
 *
 * Recovery point objective: S3 Replication Time Control replicates 99.99 % of new objects within
 * 15 minutes and most in seconds (S3 User Guide, "Meeting compliance requirements using S3
 * Replication Time Control", https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html).
 * The documented RPO of a replicated bucket is therefore 15 minutes; the latency alarm of
 * {@link ReplicationDestinations} fires when a rule falls further behind.
 */
export interface ReplicationOptions {
  /**
   * The DR Region the buckets replicate to, for example `us-west-2`. It must be a literal and must
   * differ from the Region of the stack (checked at synth when the stack's Region is known, and by
   * a CloudFormation rule before any change when it is not). The destination buckets and their key
   * are created there by {@link ReplicationDestinations}, which must be deployed first.
   */
  readonly destinationRegion: string;
}

/** The documented values of replication, in one place. */
export const REPLICATION_DEFAULTS = {
  /** ID of the one replication rule of every replicated bucket (a dimension of its metrics). */
  ruleId: 'DisasterRecovery',
  /** S3 RTC threshold; 15 is the only valid value (S3 API Reference, ReplicationTimeValue). */
  replicationTimeMinutes: 15,
  /** The recovery point objective the RTC SLA gives. */
  rpo: Duration.minutes(15),
  /** Alias of the DR key (after `alias/<project>-<env>-`). */
  keyAliasSuffix: 'replicas',
} as const;

/** Region names: `us-west-2`, `eu-central-1`, `us-gov-west-1`, `ap-southeast-5`... */
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** A bucket this library replicates: where it goes and under which rule. */
export interface ReplicatedBucket {
  /** What the bucket holds (`lake-raw`, `artifacts`...), part of the destination's name. */
  readonly purpose: string;
  /** The source bucket. */
  readonly bucket: s3.IBucket;
  /** Name of the destination bucket in the DR Region. */
  readonly destinationBucketName: string;
}

/** Checks replication options; records problems on `v` under `property`. */
export function validateReplication(v: Validator, scope: IConstruct, options: ReplicationOptions | undefined, property: string): void {
  if (options === undefined) return;
  const region = options.destinationRegion;
  if (typeof region !== 'string' || Token.isUnresolved(region)) {
    v.check(typeof region === 'string', `${property}.destinationRegion`, region, 'must be a Region name literal such as us-west-2');
    if (typeof region === 'string') v.fail(`${property}.destinationRegion`, '<token>', 'must be a literal: it names the destination buckets and key');
    return;
  }
  if (!v.matches(region, REGION, `${property}.destinationRegion`, 'must be a Region name such as us-west-2')) return;
  const own = Stack.of(scope).region;
  v.check(Token.isUnresolved(own) || own !== region, `${property}.destinationRegion`, region,
    `must differ from the stack's Region (${own}): cross-Region replication protects against the loss of a Region`);
}

/**
 * Name of a destination bucket: `<project>-<env>-<purpose>-<account>-<region>`. Both sides compute
 * it from literals and the deploying account, so nothing crosses Regions at deploy time. When the
 * readable prefix would push the name past S3's 63 characters it is shortened and suffixed with a
 * hash of the full prefix (still deterministic).
 */
export function replicaBucketName(scope: IConstruct, purpose: string, region: string): string {
  const s = Platform.of(scope);
  let prefix = [s.project, s.profile.name, purpose].join('-').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-');
  const room = 63 - 1 - 12 - 1 - region.length;
  if (prefix.length > room) {
    const hash = createHash('sha256').update(prefix).digest('hex').slice(0, 8);
    prefix = `${prefix.slice(0, room - 9).replace(/-+$/, '')}-${hash}`;
  }
  return `${prefix}-${Stack.of(scope).account}-${region}`;
}

/** Alias name of the DR key of a project and environment: `alias/<project>-<env>-replicas`. */
export function replicaKeyAliasName(scope: IConstruct): string {
  const s = Platform.of(scope);
  return `alias/${s.project}-${s.profile.name}-${REPLICATION_DEFAULTS.keyAliasSuffix}`;
}

/**
 * Turns on replication of `bucket` (versioned, SSE-KMS with `sourceKey`) to its destination in
 * the DR Region, with one rule for the whole bucket:
 *
 * - `SourceSelectionCriteria.SseKmsEncryptedObjects` Enabled: S3 does not replicate SSE-KMS objects
 *   otherwise (S3 User Guide, "Replicating encrypted objects",
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html);
 * - `EncryptionConfiguration.ReplicaKmsKeyID`: the DR key by alias ARN. The property takes a key ARN
 *   or an alias ARN; an alias resolves in the requester's account, which is the bucket owner's here
 *   (AWS::S3::Bucket EncryptionConfiguration). The alias is what lets the source stack name a key
 *   created in another Region without a cross-Region reference;
 * - Replication Time Control with its metrics (15 minutes, the only valid value): the SLA behind the
 *   RPO and the ReplicationLatency / OperationsPendingReplication metrics the alarms read;
 * - delete markers replicate, so the DR copy shows what the source shows; deletions of a version
 *   by ID never replicate, so a destructive delete in the source cannot erase the DR copy.
 *
 * The destination bucket must exist (PutBucketReplication checks that it is versioned), so the
 * stack of {@link ReplicationDestinations} deploys before the source's stack.
 */
export function replicateBucket(scope: Construct, bucket: s3.Bucket, sourceKey: kms.IKey, role: iam.Role,
  purpose: string, options: ReplicationOptions): ReplicatedBucket {
  const region = options.destinationRegion;
  const stack = Stack.of(scope);
  const destinationBucketName = replicaBucketName(scope, purpose, region);
  const destinationArn = `arn:${Aws.PARTITION}:s3:::${destinationBucketName}`;
  const keyAliasArn = `arn:${Aws.PARTITION}:kms:${region}:${stack.account}:${replicaKeyAliasName(scope)}`;
  (bucket.node.defaultChild as s3.CfnBucket).replicationConfiguration = {
    role: role.roleArn,
    rules: [{
      id: REPLICATION_DEFAULTS.ruleId,
      status: 'Enabled',
      priority: 0,
      filter: { prefix: '' },
      deleteMarkerReplication: { status: 'Enabled' },
      sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
      destination: {
        bucket: destinationArn,
        encryptionConfiguration: { replicaKmsKeyId: keyAliasArn },
        replicationTime: { status: 'Enabled', time: { minutes: REPLICATION_DEFAULTS.replicationTimeMinutes } },
        metrics: { status: 'Enabled', eventThreshold: { minutes: REPLICATION_DEFAULTS.replicationTimeMinutes } },
      },
    }],
  };
  grantReplication(role, bucket, sourceKey, destinationArn, destinationBucketName, region, scope);
  if (Token.isUnresolved(stack.region)) requireOtherRegion(stack, region);
  return { purpose, bucket, destinationBucketName };
}

/** The role S3 assumes to replicate a construct's buckets. */
export function createReplicationRole(scope: Construct, id: string): iam.Role {
  return new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
    description: 'S3 cross-Region replication to the DR Region',
  });
}

/**
 * The replication role's permissions (S3 User Guide, "Setting up permissions for live replication"
 * and "Replicating encrypted objects"): read the source's configuration and object versions, write
 * replicas, delete markers and tags into the destination, decrypt with the source key through S3 in
 * the source Region and encrypt with the DR key through S3 in the DR Region. Encryption contexts are
 * bucket ARNs because both buckets use S3 Bucket Keys.
 */
function grantReplication(role: iam.Role, bucket: s3.IBucket, sourceKey: kms.IKey, destinationArn: string,
  destinationName: string, region: string, scope: IConstruct): void {
  const stack = Stack.of(scope);
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
    resources: [bucket.bucketArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
    resources: [bucket.arnForObjects('*')],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
    resources: [`${destinationArn}/*`],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['kms:Decrypt'],
    resources: [sourceKey.keyArn],
    conditions: {
      StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucket.bucketArn, bucket.arnForObjects('*')] },
    },
  }));
  const dstKeys = `arn:${Aws.PARTITION}:kms:${region}:${stack.account}:key/*`;
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
    resources: [dstKeys],
    conditions: {
      'StringEquals': { 'kms:ViaService': `s3.${region}.amazonaws.com` },
      'StringLike': { 'kms:EncryptionContext:aws:s3:arn': [destinationArn, `${destinationArn}/*`] },
      // Only the DR key: the key is named by its alias, created in another Region's stack.
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': replicaKeyAliasName(scope) },
    },
  }));
  acknowledgeWildcardResources(role, [bucket.arnForObjects('*'), `${destinationArn}/*`, dstKeys],
    `S3 replicates every object version of ${bucket.node.path} to ${destinationName}; the DR key is known only by its alias (kms:ResourceAliases condition).`);
}

/**
 * Deploy-time check, when the stack's Region is only known at deploy time: CloudFormation refuses
 * the stack before any change when it is deployed to the DR Region itself.
 */
function requireOtherRegion(stack: Stack, region: string): void {
  const id = `ReplicationRegionDiffers${region.replace(/[^a-z0-9]/g, '')}`;
  if (stack.node.tryFindChild(id)) return;
  new CfnRule(stack, id, {
    assertions: [{
      assert: Fn.conditionNot(Fn.conditionEquals(Aws.REGION, region)),
      assertDescription: `This stack replicates its buckets to ${region}; deploy it to another Region.`,
    }],
  });
}

/** Props of {@link ReplicationDestinations}. */
export interface ReplicationDestinationsProps {
  /**
   * What the replicated buckets hold, one destination bucket each: the `replicationPurposes` of the
   * replicated constructs (for example `DataLakehouse.replicationPurposes`).
   */
  readonly purposes: readonly string[];
  /**
   * Removal policy of the key and buckets.
   * @default RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Topic notified by the replication latency alarms.
   * @default no alarm actions
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * The DR side of replication, in a stack of the DR Region (its Region must be a literal): a
 * customer-managed, rotating KMS key with alias `alias/<project>-<env>-replicas`, and per purpose a
 * versioned, TLS-only, SSE-KMS destination bucket with no public access, server access logs and
 * noncurrent-version expiry, named as {@link replicaBucketName} names it. One alarm per destination
 * on the replication latency (worse than the 15-minute RPO), through a Metrics Insights query,
 * since the source bucket's generated name is not known in this Region.
 *
 * The key is a multi-Region primary key, so that a failback can replicate it into the source Region
 * (AWS::KMS::ReplicaKey) with the same key ID and key material.
 */
export class ReplicationDestinations extends Construct {
  /** The DR key. */
  public readonly encryptionKey: kms.Key;
  /** Destination buckets by purpose. */
  public readonly buckets: ReadonlyMap<string, s3.Bucket>;
  /** Latency alarms by purpose. */
  public readonly latencyAlarms: ReadonlyMap<string, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: ReplicationDestinationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const v = new Validator(this);
    v.check(!Token.isUnresolved(stack.region), 'stack region', '<token>', 'must be set to the DR Region (a literal) on the stack of the destinations');
    v.check(props.purposes.length > 0, 'purposes', '[]', 'must name at least one replicated bucket');
    for (const [i, p] of props.purposes.entries()) v.matches(p, /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, `purposes[${i}]`, 'must be lowercase letters, digits and hyphens');
    v.check(new Set(props.purposes).size === props.purposes.length, 'purposes', props.purposes.join(','), 'must not repeat a purpose');
    v.throwIfAny();

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const profile = Platform.of(this).profile;
    this.encryptionKey = createKey(this, 'Key', { description: `DR replicas of ${Platform.of(this).project} ${profile.name}`, removalPolicy });
    (this.encryptionKey.node.defaultChild as kms.CfnKey).multiRegion = true;
    this.encryptionKey.addAlias(replicaKeyAliasName(this));

    const logs = createAccessLogBucket(this, 'AccessLogBucket', {
      removalPolicy, retention: profile.accessLogRetention, abortIncompleteMultipartUploadAfter: Duration.days(7),
    });
    const buckets = new Map<string, s3.Bucket>();
    const alarms = new Map<string, cloudwatch.Alarm>();
    for (const purpose of props.purposes) {
      const cid = purpose.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
      const name = replicaBucketName(this, purpose, stack.region);
      const bucket = new s3.Bucket(this, `${cid}Bucket`, {
        ...HARDENED_BUCKET,
        ...kmsEncryption(this.encryptionKey),
        bucketName: name,
        versioned: true,
        lifecycleRules: [{
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration: profile.noncurrentVersionRetention,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        }],
        removalPolicy,
      });
      logAccessTo(this, bucket, logs, `${purpose}/`, `ServerAccessLogs${cid}`);
      buckets.set(purpose, bucket);
      const alarm = new cloudwatch.Alarm(this, `${cid}LatencyAlarm`, {
        metric: replicationLatency(name),
        threshold: REPLICATION_DEFAULTS.rpo.toSeconds(),
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `Replication into ${name} is more than ${REPLICATION_DEFAULTS.rpo.toMinutes()} minutes behind its source (the RPO).`,
      });
      if (props.alarmTopic) alarm.addAlarmAction(new cw_actions.SnsAction(props.alarmTopic));
      alarms.set(purpose, alarm);
    }
    this.buckets = buckets;
    this.latencyAlarms = alarms;
  }
}

/**
 * The maximum replication latency into a destination bucket, in seconds (S3 replication metric
 * ReplicationLatency, namespace AWS/S3, dimensions SourceBucket, DestinationBucket and RuleId;
 * S3 User Guide, "Using S3 Replication metrics", https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html),
 * as a CloudWatch Metrics Insights query filtered on the destination, over 5 minutes. Alarms may
 * use a Metrics Insights query that returns one time series (CloudWatch User Guide, "Create a
 * CloudWatch alarm based on a Metrics Insights query").
 */
export function replicationLatency(destinationBucketName: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SELECT MAX(ReplicationLatency) FROM SCHEMA("AWS/S3", DestinationBucket, RuleId, SourceBucket) WHERE DestinationBucket = '${destinationBucketName}'`,
    usingMetrics: {},
    period: Duration.minutes(5),
    label: `Replication latency into ${destinationBucketName}`,
  });
}

/**
 * Operations that failed to replicate from a source bucket under the DR rule (S3 replication metric
 * OperationsFailedReplication, AWS/S3; Sum over 5 minutes).
 */
export function metricOperationsFailedReplication(replicated: ReplicatedBucket, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/S3',
    metricName: 'OperationsFailedReplication',
    dimensionsMap: { SourceBucket: replicated.bucket.bucketName, DestinationBucket: replicated.destinationBucketName, RuleId: REPLICATION_DEFAULTS.ruleId },
    statistic: 'Sum',
    period: Duration.minutes(5),
    ...props,
  });
}
