import { CfnParameter, DefaultStackSynthesizer, Stack, Token } from 'aws-cdk-lib';

/** The CloudFormation parameter types CloudFormation resolves from Parameter Store. */
const SSM_TYPE = /^AWS::SSM::Parameter::Value<.+>$/;

/**
 * The names of the SSM parameters a stack's SSM-typed template parameters read (their defaults),
 * sorted. Computed from the stack's CfnParameters, so call it when the tree is complete (inside a
 * Lazy). The CDK bootstrap version parameter is added by the stack synthesizer only when that stack
 * is synthesized, possibly after the caller's stack: with the default synthesizer it is included
 * here from the synthesizer's qualifier ("/cdk-bootstrap/<qualifier>/version", the default of
 * DefaultStackSynthesizerProps.bootstrapStackVersionSsmParameter).
 */
export function ssmParameterNames(stack: Stack): string[] {
  const names = new Set<string>();
  for (const c of stack.node.findAll()) {
    if (c instanceof CfnParameter && SSM_TYPE.test(c.type) && typeof c.default === 'string' && !Token.isUnresolved(c.default)) {
      names.add(stack.resolve(c.default));
    }
  }
  const synth = stack.synthesizer;
  if (synth instanceof DefaultStackSynthesizer && !stack.node.tryFindChild('BootstrapVersion') && synth.bootstrapQualifier) {
    names.add(`/cdk-bootstrap/${synth.bootstrapQualifier}/version`);
  }
  return [...names].sort();
}

/** The ARN of an SSM parameter of `stack`'s account and region by name (with or without a leading slash). */
export function ssmParameterArn(stack: Stack, name: string): string {
  return stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.startsWith('/') ? name.slice(1) : name });
}
