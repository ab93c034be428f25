import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * A KMS-encrypted, TLS-only SNS topic for failure alerts that EventBridge publishes to. The key
 * policy lets EventBridge (in this account only) use the key, which an encrypted topic requires.
 */
export function createAlertTopic(scope: Construct, id: string, key: kms.IKey, displayName: string): sns.Topic {
  const topic = new sns.Topic(scope, id, { displayName, masterKey: key, enforceSSL: true });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowEventBridgeToSnsAlerts',
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
  }), true);
  return topic;
}

/**
 * Lets CloudWatch alarms of the key's account use the key of an encrypted topic they notify: an AWS
 * service that publishes to an SSE-KMS topic needs `kms:GenerateDataKey*` and `kms:Decrypt` in the key
 * policy (SNS Developer Guide, "Enable compatibility between event sources from AWS services and
 * encrypted topics"). Identical statements added twice to one key are rendered once. Imported keys
 * cannot be changed (nothing is added).
 */
export function allowCloudWatchAlarmsToUseKey(key: kms.IKey): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsToSns',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(key).account } },
  }), true);
}
