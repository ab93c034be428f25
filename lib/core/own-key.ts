import { Annotations, RemovalPolicy, Resource } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { createKey } from './encryption';

/** Options for {@link ownOrNewKey}. */
export interface OwnKeyOptions {
  /** What a new key protects; shown in the console. */
  readonly description: string;
  /** Removal policy of a new key. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * The key policy statements the construct adds to the key, for the warning on an imported key
   * (whose policy this app cannot change).
   */
  readonly keyPolicyStatements: readonly string[];
}

/**
 * The key a construct encrypts with: the caller's own key when given, else a new rotating key.
 *
 * A key imported with `kms.Key.fromKeyArn` (or any key that is not a resource of this app) has a
 * policy this app cannot change: `addToResourcePolicy` is a no-op and returns
 * `statementAdded: false`. The construct then warns once, naming the statements the key's owner
 * must add, instead of leaving a deploy that fails when a service cannot use the key.
 */
export function ownOrNewKey(scope: Construct, id: string, given: kms.IKey | undefined, options: OwnKeyOptions): kms.IKey {
  if (!given) return createKey(scope, id, { description: options.description, removalPolicy: options.removalPolicy });
  if (!Resource.isOwnedResource(given) && options.keyPolicyStatements.length > 0) {
    Annotations.of(scope).addWarningV2('mlops:importedKeyPolicy',
      `encryptionKey ${given.node.path} is imported: its key policy cannot be changed by this app. `
      + `Add to it: ${options.keyPolicyStatements.join('; ')}.`);
  }
  return given;
}
