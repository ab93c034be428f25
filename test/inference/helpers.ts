import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { DataLakehouse, ModelRegistry } from '../../lib';
import { InferenceEndpoint, InferenceEndpointProps, ModelSource } from '../../lib/inference';
import { TestStackOptions, testStack } from '../helpers/app';

/** A registry with one model, the usual source of an endpoint. */
export function registryIn(scope: Construct): ModelRegistry {
  return new ModelRegistry(scope, 'Registry', { models: [{ name: 'churn' }] });
}

/** A lakehouse that receives data capture. */
export function lakehouseIn(scope: Construct): DataLakehouse {
  return new DataLakehouse(scope, 'Lakehouse');
}

/** An endpoint serving the registry's churn model in a fresh stack; the template is built on first use. */
export function buildEndpoint(props: (s: { stack: Stack; registry: ModelRegistry }) => Partial<InferenceEndpointProps> = () => ({}), options: TestStackOptions = {}) {
  const stack = testStack(options);
  const registry = registryIn(stack);
  const endpoint = new InferenceEndpoint(stack, 'Endpoint', { model: ModelSource.fromRegistry(registry, 'churn'), ...props({ stack, registry }) });
  let template: Template | undefined;
  return { stack, registry, endpoint, get template() { return (template ??= Template.fromStack(stack)); } };
}

/** The only resource of a type, by its properties. */
export function only(template: Template, type: string): ReturnType<Template['findResources']>[string] {
  const all = Object.values(template.findResources(type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}
