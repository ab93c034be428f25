import { Annotations, ArnFormat, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Platform } from './environment';

/** Options for {@link createKey}. */
export interface KeyOptions {
  /** What the key protects; shown in the console. */
  readonly description: string;
  /** Removal policy decided by `resolveRemovalPolicy`. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Waiting period before a scheduled deletion completes.
   * @default the profile's keyPendingWindow
   */
  readonly pendingWindow?: Duration;
}

/**
 * A customer-managed symmetric KMS key with annual rotation on. Every construct creates its keys
 * here so that rotation can never be forgotten.
 */
export function createKey(scope: Construct, id: string, options: KeyOptions): kms.Key {
  return new kms.Key(scope, id, {
    description: options.description,
    enableKeyRotation: true,
    removalPolicy: options.removalPolicy,
    pendingWindow: options.pendingWindow ?? Platform.of(scope).profile.keyPendingWindow,
  });
}

/** Key actions a service needs to encrypt and decrypt with a customer-managed key (no wildcards). */
export const SERVICE_KEY_ACTIONS = [
  'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey',
];

/**
 * Lets CloudWatch Logs in this stack's region use the key for log groups of this account, which
 * every KMS-encrypted log group needs. Warns when the key is imported and its policy cannot change.
 */
export function allowLogsToUseKey(scope: Construct, key: kms.IKey): void {
  const stack = Stack.of(scope);
  const result = key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogs',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: SERVICE_KEY_ACTIONS,
    resources: ['*'],
    conditions: {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    },
  }), true);
  if (!result.statementAdded) {
    Annotations.of(scope).addWarningV2('mlops:keyPolicyNotUpdated',
      `The key policy of ${key.node.path} could not be changed (imported key): allow logs.${stack.region}.amazonaws.com to use it for log groups.`);
  }
}

/** Options for {@link createLogGroup}. */
export interface LogGroupOptions {
  /** Key that encrypts the log group; CloudWatch Logs is allowed to use it. */
  readonly key: kms.IKey;
  /** Removal policy decided by `resolveRemovalPolicy` for the owning construct. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Retention.
   * @default the profile's logRetention
   */
  readonly retention?: logs.RetentionDays;
  /**
   * Fixed name, only where a service requires one.
   * @default generated
   */
  readonly logGroupName?: string;
}

/** A KMS-encrypted log group with the profile's retention, created after the key policy that lets CloudWatch Logs use the key. */
export function createLogGroup(scope: Construct, id: string, options: LogGroupOptions): logs.LogGroup {
  allowLogsToUseKey(scope, options.key);
  const group = new logs.LogGroup(scope, id, {
    encryptionKey: options.key,
    retention: options.retention ?? Platform.of(scope).profile.logRetention,
    logGroupName: options.logGroupName,
    removalPolicy: options.removalPolicy,
  });
  // The key policy statement must exist before CloudWatch Logs validates the key.
  const policy = (options.key.node.defaultChild ?? options.key) as CfnResource;
  if (policy instanceof CfnResource && Stack.of(policy) === Stack.of(group)) {
    (group.node.defaultChild as CfnResource).addResourceDependency(policy);
  }
  return group;
}
