import * as fs from 'fs';
import { CfnResource, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { IConstruct } from 'constructs';
import { ValidationError, ValidationProblem } from '../core/errors';

/** CloudFormation's per-stack limits this library enforces. */
export const CLOUDFORMATION_LIMITS = {
  /** Resources in one stack. */
  resources: 500,
  /** Bytes of a template uploaded through S3 (what `cdk deploy` does past 51,200 bytes). */
  templateBytes: 1_000_000,
};

/** Resources a stack will synthesize (CfnResource constructs whose stack it is; nested stacks count as one). */
export function countResources(stack: Stack): number {
  let count = 0;
  const visit = (c: IConstruct): void => {
    if (c instanceof CfnResource && Stack.of(c) === stack) count++;
    for (const child of c.node.children) {
      if (!(child instanceof Stack) || child === stack) visit(child);
    }
  };
  visit(stack);
  return count;
}

/**
 * Makes synthesis fail, with `hint` on what to change, when the stack holds more resources than
 * CloudFormation accepts, instead of failing at deploy time.
 */
export function enforceResourceLimit(stack: Stack, hint: string): void {
  stack.node.addValidation({
    validate: () => {
      const n = countResources(stack);
      return n > CLOUDFORMATION_LIMITS.resources
        ? [`stack ${stack.stackName} has ${n} resources; CloudFormation accepts at most ${CLOUDFORMATION_LIMITS.resources} per stack: ${hint}`]
        : [];
    },
  });
}

/**
 * Checks every synthesized template of an assembly (nested stages included) against the resource
 * and size limits and throws one ValidationError listing each stack over a limit. `bin/app.ts`
 * calls it after `app.synth()`, so `cdk synth` fails before anything is deployed.
 */
export function assertWithinCloudFormationLimits(assembly: cxapi.CloudAssembly): void {
  const problems: ValidationProblem[] = [];
  for (const artifact of assembly.stacksRecursively) {
    const bytes = fs.statSync(artifact.templateFullPath).size;
    const resources = Object.keys((artifact.template as { Resources?: object }).Resources ?? {}).length;
    if (bytes > CLOUDFORMATION_LIMITS.templateBytes) {
      problems.push({ property: `${artifact.stackName} template`, value: `${bytes} bytes`, allowed: `must be at most ${CLOUDFORMATION_LIMITS.templateBytes} bytes (CloudFormation template size limit)` });
    }
    if (resources > CLOUDFORMATION_LIMITS.resources) {
      problems.push({ property: `${artifact.stackName} resources`, value: String(resources), allowed: `must be at most ${CLOUDFORMATION_LIMITS.resources} (CloudFormation resource limit)` });
    }
  }
  if (problems.length > 0) throw new ValidationError('App', problems);
}
