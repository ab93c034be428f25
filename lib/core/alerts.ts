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
