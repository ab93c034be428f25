import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { grantWithKey } from '../../core/grants';
import { acknowledgeWildcardResources } from '../../core/nag';
import * as perms from '../perms';

/** The bucket and key of an `s3://` URI (the bucket may be a token; validation made sure the rest is literal). */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** Splits an `s3://bucket/key` URI. */
export function parseS3Uri(uri: string): S3Location {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!m) throw new Error(`ModelMonitor: not an s3:// URI: ${uri}`);
  return { bucket: m[1], key: m[2] };
}

function isConstruct(p: unknown): p is IConstruct {
  return typeof p === 'object' && p !== null && 'node' in p;
}

/**
 * S3 grants on `s3://` URIs through the core grant helper, each with the key that encrypts the
 * objects, and the exact cdk-nag acknowledgement for each prefix wildcard on the grantee.
 */
export class S3UriGrants {
  constructor(private readonly scope: IConstruct, private readonly key: kms.IKey) {}

  /** Object actions on one object. */
  public object(grantee: iam.IGrantable, uri: string, actions: readonly string[], keyActions: readonly string[]): iam.Grant {
    return grantWithKey(grantee, { actions, resourceArns: [this.arn(uri)], key: this.key, keyActions });
  }

  /** Object actions on every object under a prefix, plus listing that prefix only. */
  public prefix(grantee: iam.IGrantable, uri: string, actions: readonly string[], keyActions: readonly string[], reason: string): iam.Grant {
    const objects = `${this.arn(uri)}*`;
    const principal = grantee.grantPrincipal;
    if (isConstruct(principal)) acknowledgeWildcardResources(principal, [objects], reason);
    const { bucket, key } = parseS3Uri(uri);
    return grantWithKey(grantee, { actions, resourceArns: [objects], key: this.key, keyActions })
      // ListBucket is a bucket-level action; the condition keeps it to the prefix.
      .combine(iam.Grant.addToPrincipal({
        grantee,
        actions: perms.S3_LIST,
        resourceArns: [this.bucketArn(bucket)],
        conditions: { StringLike: { 's3:prefix': [`${key}*`] } },
      }));
  }

  private arn(uri: string): string {
    const { bucket, key } = parseS3Uri(uri);
    return `${this.bucketArn(bucket)}/${key}`;
  }

  private bucketArn(bucket: string): string {
    return `arn:${Stack.of(this.scope).partition}:s3:::${bucket}`;
  }
}

/**
 * What every monitoring job needs beyond its data: job logs in /aws/sagemaker/ProcessingJobs, the
 * analyzer's CloudWatch metrics (namespace-scoped), the volume key and, in a VPC, network
 * interfaces. Wildcards are acknowledged with their reasons.
 */
export function grantJobBasics(role: iam.IRole, options: { volumeKey: kms.IKey; namespaces: readonly string[]; vpc: boolean }): void {
  const stack = Stack.of(role);
  const logs = stack.formatArn({
    service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/ProcessingJobs:*', arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  grantWithKey(role, { actions: perms.LOGS_WRITE, resourceArns: [logs] });
  acknowledgeWildcardResources(role, [logs], 'Every monitoring run is a processing job that writes its own log stream in /aws/sagemaker/ProcessingJobs.');
  // PutMetricData has no resource-level permissions; the condition keeps it to Model Monitor's namespaces.
  iam.Grant.addToPrincipal({
    grantee: role,
    actions: perms.METRICS_WRITE,
    resourceArns: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': [...options.namespaces] } },
  });
  options.volumeKey.grant(role, ...perms.KMS_VOLUME);
  iam.Grant.addToPrincipal({
    grantee: role,
    actions: perms.KMS_VOLUME_GRANT,
    resourceArns: [options.volumeKey.keyArn],
    conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
  });
  const reasons = ['cloudwatch:PutMetricData supports no resource-level permissions; limited to the Model Monitor namespaces by condition.'];
  if (options.vpc) {
    iam.Grant.addToPrincipal({ grantee: role, actions: perms.VPC_ENI, resourceArns: ['*'] });
    reasons.push('SageMaker creates and describes the jobs\' network interfaces; these EC2 actions support no resource-level permissions.');
  }
  acknowledgeWildcardResources(role, ['*'], reasons.join(' '));
}
