import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { grantWithKey } from '../../core/grants';
import { acknowledgeWildcardResources } from '../../core/nag';
import * as perms from '../perms';

/** Grants the model role what every model needs, and returns helpers for optional features. */
export function grantModelRole(role: iam.IRole, options: { vpc: boolean }) {
  const stack = Stack.of(role);
  const logGroups = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/Endpoints/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  grantWithKey(role, { actions: perms.LOGS_WRITE, resourceArns: [logGroups] });
  acknowledgeWildcardResources(role, [logGroups], 'SageMaker names endpoint log groups /aws/sagemaker/Endpoints/<endpoint>, created with the endpoint.');
  // PutMetricData has no resource-level permissions; the condition keeps it to SageMaker's namespaces.
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: perms.METRICS_WRITE,
    resources: ['*'],
    conditions: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*', 'AWS/SageMaker'] } },
  }));
  const wildcardReasons = ['cloudwatch:PutMetricData supports no resource-level permissions; limited to SageMaker namespaces by condition.'];
  if (options.vpc) {
    grantWithKey(role, { actions: perms.VPC_ENI, resourceArns: ['*'] });
    wildcardReasons.push('SageMaker creates and describes the model\'s network interfaces; these EC2 actions support no resource-level permissions.');
  }
  acknowledgeWildcardResources(role, ['*'], wildcardReasons.join(' '));
  return {
    /** Lets the role write objects under a prefix of a bucket, encrypted with `key`. */
    writeObjects(bucket: s3.IBucket, prefix: string, key: kms.IKey | undefined, reason: string): void {
      const objects = bucket.arnForObjects(`${prefix}*`);
      grantWithKey(role, { actions: perms.S3_OBJECT_WRITE, resourceArns: [objects], key, keyActions: perms.KMS_WRITE });
      acknowledgeWildcardResources(role, [objects], reason);
    },
    /** Lets the role publish to encrypted topics. */
    publish(topics: sns.ITopic[], key: kms.IKey): void {
      grantWithKey(role, { actions: perms.SNS_PUBLISH, resourceArns: topics.map((t) => t.topicArn), key, keyActions: perms.KMS_WRITE });
    },
  };
}
