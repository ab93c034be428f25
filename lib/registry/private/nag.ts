import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { acknowledgeWildcardResources } from '../../core/nag';

function isConstruct(p: unknown): p is IConstruct {
  return typeof p === 'object' && p !== null && 'node' in p;
}

/**
 * Acknowledges, on the grantee's principal (the construct that owns the policy), the cdk-nag
 * AwsSolutions-IAM5 finding that a registry grant knowingly creates for one wildcard resource.
 */
export function acknowledgeForGrantee(grantee: iam.IGrantable, arn: string, reason: string): void {
  const principal = grantee.grantPrincipal;
  if (isConstruct(principal)) acknowledgeWildcardResources(principal, [arn], reason);
}
