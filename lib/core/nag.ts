import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Renders a (possibly tokenized) ARN the way cdk-nag names it in a finding: `Ref` becomes
 * `<Name>`, `Fn::GetAtt` becomes `<Name.Attr>` and `Fn::Join` is flattened.
 */
export function nagResourceName(scope: IConstruct, arn: string): string {
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return v.map(render).join('');
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ('Ref' in o) return `<${String(o.Ref)}>`;
      if ('Fn::GetAtt' in o) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
      if ('Fn::Join' in o) {
        const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
        return parts.map(render).join(sep);
      }
    }
    return JSON.stringify(v);
  };
  return render(Stack.of(scope).resolve(arn));
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
