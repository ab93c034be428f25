import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
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
