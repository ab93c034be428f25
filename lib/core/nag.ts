import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * Renders a (possibly tokenized) ARN the way cdk-nag names it in a finding: `Ref` becomes
 * `<Name>`, `Fn::GetAtt` becomes `<Name.Attr>` and `Fn::Join` is flattened.
 */
export function nagResourceName(scope: IConstruct, arn: string): string {
  return renderResolved(Stack.of(scope).resolve(arn));
}

/**
 * Acknowledges the cdk-nag AwsSolutions-IAM5 findings for wildcard *resources* that a grant in
 * this library knowingly creates (objects under a bucket, tables of a database), each by its
 * exact finding ID, with the reason.
 *
 * The IDs are computed when the tree is validated, after cross-stack references are resolved, so
 * that a resource from another stack is named the way it appears in this stack's template.
 */
export function acknowledgeWildcardResources(scope: IConstruct, resourceArns: readonly string[], reason: string): void {
  const acknowledged: Record<string, string> = {};
  scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, acknowledged);
  scope.node.addValidation({
    validate: () => {
      for (const arn of resourceArns) {
        acknowledged[`AwsSolutions::AwsSolutions-IAM5[Resource::${nagResourceName(scope, arn)}]`] = reason;
      }
      return [];
    },
  });
}

/**
 * Acknowledges the IAM findings of a construct this library does not write (for example the
 * kubectl provider aws-eks-v2 builds): every AWS-managed policy (AwsSolutions-IAM4) and every
 * wildcard resource (AwsSolutions-IAM5) of the roles and policies below `scope`, each by its exact
 * finding ID, computed after cross-stack resolution, with the reason.
 */
export function acknowledgeThirdPartyIam(scope: IConstruct, reason: string): void {
  const acknowledged: Record<string, string> = {};
  scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, acknowledged);
  scope.node.addValidation({
    validate: () => {
      const stack = Stack.of(scope);
      for (const child of scope.node.findAll()) {
        if (child instanceof iam.CfnRole) {
          for (const arn of (stack.resolve(child.managedPolicyArns) as unknown[] | undefined) ?? []) {
            acknowledged[`AwsSolutions::AwsSolutions-IAM4[Policy::${renderResolved(arn)}]`] = reason;
          }
        }
        if (child instanceof iam.CfnPolicy) {
          const document = stack.resolve(child.policyDocument) as { Statement?: Array<{ Resource?: unknown }> } | undefined;
          for (const statement of document?.Statement ?? []) {
            for (const resource of ([] as unknown[]).concat(statement.Resource ?? [])) {
              const rendered = renderResolved(resource);
              if (rendered.includes('*')) acknowledged[`AwsSolutions::AwsSolutions-IAM5[Resource::${rendered}]`] = reason;
            }
          }
        }
      }
      return [];
    },
  });
}

/** cdk-nag's rendering of an already-resolved value (see nagResourceName). */
function renderResolved(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(renderResolved).join('');
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('Ref' in o) return `<${String(o.Ref)}>`;
    if ('Fn::GetAtt' in o) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(renderResolved).join(sep);
    }
  }
  return JSON.stringify(v);
}
