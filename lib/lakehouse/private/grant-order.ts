import { Aspects, CfnResource, IAspect, Stack } from 'aws-cdk-lib';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { IConstruct } from 'constructs';

/**
 * Chains every `AWS::LakeFormation::PrincipalPermissions` of a stack by DependsOn, so that
 * CloudFormation creates (and deletes) them one at a time.
 *
 * Why: created in parallel, PrincipalPermissions resources fail with HandlerErrorCode
 * `AlreadyExists` although the permissions were granted, which rolls back a first deploy
 * (aws-cloudformation/cloudformation-coverage-roadmap#2500, "Inconsistent tracking of status of
 * permissions, when multiple resources are created at the same time"; #2432 reports
 * ConcurrentModificationException for parallel grants). Grants come from the lakehouse itself
 * and from every construct that calls `grantRead`/`grantWrite`, so the order is applied once per
 * stack, at synthesis, over all of them: in construct-tree order, which is deterministic.
 */
class PrincipalPermissionsChain implements IAspect {
  private applied = false;

  constructor(private readonly stack: Stack) {}

  public visit(node: IConstruct): void {
    if (node !== this.stack || this.applied) return;
    this.applied = true;
    const grants = this.stack.node.findAll()
      .filter((c): c is lakeformation.CfnPrincipalPermissions => c instanceof lakeformation.CfnPrincipalPermissions)
      .filter((c) => Stack.of(c) === this.stack);
    for (let i = 1; i < grants.length; i++) {
      (grants[i] as CfnResource).addResourceDependency(grants[i - 1]);
    }
  }
}

const CHAINED = Symbol.for('mlops.lakehouse.principalPermissionsChain');

/** Makes sure the stack of `scope` orders its PrincipalPermissions in one chain (idempotent). */
export function chainPrincipalPermissions(scope: IConstruct): void {
  const stack = Stack.of(scope) as Stack & { [CHAINED]?: boolean };
  if (stack[CHAINED]) return;
  stack[CHAINED] = true;
  Aspects.of(stack).add(new PrincipalPermissionsChain(stack));
}
