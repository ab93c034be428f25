import { Annotations, CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { EnvironmentProfile, Platform } from './environment';

/** Context key that must be `true` before any stateful resource may be destroyed. */
export const ALLOW_DESTROY_CONTEXT = 'mlops:allowDestroy';

const WARNED = new WeakSet<Stack>();

/**
 * Decides the removal policy for the stateful resources of one construct.
 *
 * DESTROY is returned only when the profile allows it (dev) AND the `mlops:allowDestroy` context
 * flag is true. Anything else that asked for DESTROY gets RETAIN plus one warning on the stack;
 * SNAPSHOT is kept as asked. Nothing is ever destroyed because of a default.
 *
 * @param requested an explicit removal policy from props; defaults to the profile's
 */
export function resolveRemovalPolicy(scope: IConstruct, requested?: RemovalPolicy, profile?: EnvironmentProfile): RemovalPolicy {
  const p = profile ?? Platform.of(scope).profile;
  const wanted = requested ?? p.removalPolicy;
  if (wanted !== RemovalPolicy.DESTROY) return wanted;
  const flag = scope.node.tryGetContext(ALLOW_DESTROY_CONTEXT);
  const flagSet = flag === true || flag === 'true';
  if (p.allowDestroy && flagSet) return RemovalPolicy.DESTROY;
  const why = !p.allowDestroy
    ? `the "${p.name}" profile never allows it`
    : `the context flag ${ALLOW_DESTROY_CONTEXT}=true is not set`;
  // One warning per stack: every construct in it is retained for the same reason.
  const stack = Stack.of(scope);
  if (!WARNED.has(stack)) {
    WARNED.add(stack);
    Annotations.of(stack).addWarningV2('mlops:removalPolicyRetained',
      `RemovalPolicy.DESTROY was requested but ${why}; stateful resources in this stack are RETAINED.`);
  }
  return RemovalPolicy.RETAIN;
}

/**
 * Applies a removal policy to a stateful resource for both stack deletion and replacement
 * (DeletionPolicy and UpdateReplacePolicy).
 */
export function applyRemovalPolicy(resource: IConstruct, policy: RemovalPolicy): void {
  const cfn = resource instanceof CfnResource ? resource : resource.node.defaultChild;
  if (!(cfn instanceof CfnResource)) {
    throw new Error(`applyRemovalPolicy: ${resource.node.path} has no CloudFormation resource`);
  }
  cfn.applyRemovalPolicy(policy, { applyToUpdateReplacePolicy: true });
}
