import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ModelRegistry, ModelRegistryProps } from '../../lib/registry';
import { testStack, TestStackOptions } from '../helpers/app';

/** Two models, the smallest registry that shows per-model behaviour. */
export const MODELS = [{ name: 'churn' }, { name: 'fraud-score', description: 'Card fraud score' }];

/** A registry in a fresh test stack; the template is synthesized on first use so grants can still be added. */
export function buildRegistry(props: Partial<ModelRegistryProps> = {}, options: TestStackOptions = {}) {
  const stack: Stack = testStack(options);
  const registry = new ModelRegistry(stack, 'Registry', { models: MODELS, ...props });
  let template: Template | undefined;
  return { stack, registry, get template() { return (template ??= Template.fromStack(stack)); } };
}

/** Logical ID of the only resource of a type whose ID starts with `prefix`. */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0];
}

/** Statements of every IAM policy attached to a role (by the role's logical-ID prefix). */
export function roleStatements(template: Template, rolePrefix: string): Array<Record<string, unknown>> {
  const roleId = logicalId(template, 'AWS::IAM::Role', rolePrefix);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
}

/** Every action (as a flat list) allowed to a role. */
export function roleActions(template: Template, rolePrefix: string): string[] {
  return roleStatements(template, rolePrefix).flatMap((s) => ([] as string[]).concat(s.Action as string | string[]));
}

type Condition = Record<string, Record<string, unknown>>;

/**
 * Evaluates a policy condition block against a request context the way IAM documents it: every
 * operator must hold; `Null: true` holds when the key is absent, `Null: false` when it is present;
 * a negated string operator (`StringNotEquals`) holds when the key is ABSENT or differs. Values are
 * compared as JSON so that CloudFormation references (the key ARN) can stand in for real values.
 */
export function conditionHolds(condition: Condition, context: Record<string, unknown>): boolean {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return Object.entries(condition).every(([operator, keys]) => Object.entries(keys).every(([key, expected]) => {
    const present = key in context;
    switch (operator) {
      case 'Null': return expected === 'true' ? !present : present;
      case 'StringNotEquals': return !present || !same(context[key], expected);
      case 'StringEquals': return present && same(context[key], expected);
      default: throw new Error(`conditionHolds: operator ${operator} is not modelled`);
    }
  }));
}
