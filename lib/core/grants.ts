import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

/** What {@link grantWithKey} grants. */
export interface KeyedGrantOptions {
  /** Actions on the resources; explicit action names only, never `*`. */
  readonly actions: readonly string[];
  /** Resource ARNs the actions apply to. */
  readonly resourceArns: readonly string[];
  /** The KMS key that encrypts the resources, if any. */
  readonly key?: kms.IKey;
  /** Actions on the key. */
  readonly keyActions?: readonly string[];
}

/**
 * The one grant helper: adds the resource statement to the grantee's policy and, when the
 * resources are encrypted, grants the matching key actions too, so that no grant ever forgets
 * the key.
 */
export function grantWithKey(grantee: iam.IGrantable, options: KeyedGrantOptions): iam.Grant {
  const wildcard = [...options.actions, ...(options.keyActions ?? [])].filter((a) => a === '*' || a.endsWith(':*'));
  if (wildcard.length > 0) {
    throw new Error(`grantWithKey: wildcard actions are not allowed (${wildcard.join(', ')})`);
  }
  let grant = iam.Grant.addToPrincipal({
    grantee,
    actions: [...options.actions],
    resourceArns: [...options.resourceArns],
  });
  if (options.key && options.keyActions && options.keyActions.length > 0) {
    grant = grant.combine(options.key.grant(grantee, ...options.keyActions));
  }
  return grant;
}
