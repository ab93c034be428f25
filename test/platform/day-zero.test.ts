import { App, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { buildDefaultApp } from '../../bin/main';
import { ApprovedVersionParameter, PlatformStage } from '../../lib';
import { SKIP_BUNDLING, testApp } from '../helpers/app';
import { platformStacks } from '../helpers/platform';

type Parameters = Record<string, { Type: string; Default?: string }>;

/** Every stack of the app, nested stages included. */
function allStacks(app: App): Stack[] {
  return app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
}

/** The SSM-typed template parameters of a synthesized stack, by logical ID, with the SSM name they read. */
function ssmTyped(t: Template): Array<[string, string]> {
  return Object.entries((t.toJSON().Parameters ?? {}) as Parameters)
    .filter(([, p]) => /^AWS::SSM::Parameter::Value</.test(p.Type)).map(([id, p]) => [id, p.Default!]);
}

describe('day 0: the default app (-c env=all) deploys on an empty bootstrapped account with nothing created by hand', () => {
  const app = testApp({ ...SKIP_BUNDLING, env: 'all' });
  const { stages } = buildDefaultApp(app);
  app.synth();
  const templates = new Map<Stack, Template>(allStacks(app).map((s) => [s, Template.fromStack(s)]));

  // The only SSM parameter no stack of the app creates: `cdk bootstrap` creates /cdk-bootstrap/<qualifier>/version
  // (the bootstrap stack's CdkBootstrapVersion parameter), and the default synthesizer's BootstrapVersion
  // template parameter reads it to check the bootstrap version before deploying.
  const BOOTSTRAP = /^\/cdk-bootstrap\/[a-z0-9]+\/version$/;

  test('every SSM-typed template parameter names a parameter the app itself creates (an ApprovedVersionParameter or a published registry parameter), except the bootstrap version', () => {
    const created = new Map<string, Stack>();
    for (const c of app.node.findAll()) {
      if (c instanceof ApprovedVersionParameter) created.set(c.parameterName, Stack.of(c));
      if (c instanceof ssm.CfnParameter) created.set(Stack.of(c).resolve(c.name), Stack.of(c));
    }
    const missing: string[] = [];
    let read = 0;
    for (const [stack, t] of templates) {
      for (const [id, name] of ssmTyped(t)) {
        read++;
        if (id === 'BootstrapVersion' && BOOTSTRAP.test(name)) continue;
        const by = created.get(name);
        if (!by) missing.push(`${stack.stackName}.${id}: ${name}`);
        // Same stage: the creating stack deploys before the reading one.
        else if (Stage.of(by) === Stage.of(stack) && by !== stack) expect({ reader: stack.stackName, dependsOn: stack.dependencies.includes(by) }).toEqual({ reader: stack.stackName, dependsOn: true });
      }
    }
    expect(read).toBeGreaterThan(3);
    expect(missing).toEqual([]);
  });

  test('every SageMaker Model, EndpointConfig and Endpoint serving an SSM-resolved version is conditional on a version being approved', () => {
    let checked = 0;
    for (const [stack, t] of templates) {
      const ssmIds = new Set(ssmTyped(t).map(([id]) => id));
      const conditions = (t.toJSON().Conditions ?? {}) as Record<string, unknown>;
      const resources = t.toJSON().Resources as Record<string, { Type: string; Condition?: string; Properties: unknown }>;
      const models = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SageMaker::Model'
        && [...ssmIds].some((id) => JSON.stringify(r.Properties).includes(`{"Ref":"${id}"}`)));
      for (const [id, r] of models) {
        checked++;
        expect({ stack: stack.stackName, id, condition: r.Condition !== undefined }).toEqual({ stack: stack.stackName, id, condition: true });
        expect(JSON.stringify(conditions[r.Condition!])).toMatch(/"Fn::Not":\[\{"Fn::Equals":\[\{"Ref":"[^"]+"\},"none"\]\}\]/);
        // The config naming this model and the endpoint naming that config share the condition.
        for (const [cid, c] of Object.entries(resources).filter(([, x]) => x.Type === 'AWS::SageMaker::EndpointConfig' && JSON.stringify(x.Properties).includes(`"${id}"`))) {
          expect(c.Condition).toBe(r.Condition);
          for (const [, e] of Object.entries(resources).filter(([, x]) => x.Type === 'AWS::SageMaker::Endpoint' && JSON.stringify(x.Properties).includes(`"${cid}"`))) {
            expect(e.Condition).toBe(r.Condition);
          }
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  test('each promotion role may read (ssm:GetParameters) exactly the SSM-typed parameters of its target serving stacks', () => {
    const byName = new Map([...templates.keys()].map((s) => [s.stackName, s]));
    let checked = 0;
    for (const stage of stages.values() as IterableIterator<PlatformStage>) {
      for (const promotion of stage.promotions.values()) {
        const t = templates.get(Stack.of(promotion))!;
        const role = Stack.of(promotion).resolve((promotion.stateMachine.role.node.defaultChild as unknown as { ref: string }).ref) as { Ref: string };
        const granted = Object.values(t.findResources('AWS::IAM::Policy'))
          .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${role.Ref}"`))
          .flatMap((p) => p.Properties.PolicyDocument.Statement)
          .filter((s: { Action: unknown }) => s.Action === 'ssm:GetParameters')
          .flatMap((s: { Resource: unknown }) => [s.Resource].flat())
          .map((r: unknown) => String(JSON.stringify(r)).replace(/^.*:parameter/, '').replace(/"\]\]\}"?$|"$/, ''));
        const expected = [...new Set(promotion.stages.flatMap((s) => ssmTyped(templates.get(byName.get(s.stackName)!)!).map(([, n]) => n)))].sort();
        expect({ promotion: promotion.node.path, granted: [...granted].sort() }).toEqual({ promotion: promotion.node.path, granted: expected });
        checked++;
      }
    }
    expect(checked).toBe(2);
  });

  test('the parameter each endpoint reads is created in its environment\'s ML stack, which its serving stack depends on', () => {
    for (const stage of stages.values()) {
      expect(stage.servingStacks[0].dependencies).toContain(stage.mlStacks[0]);
      Template.fromStack(stage.mlStack).resourceCountIs('Custom::ApprovedVersionParameter', 1);
      expect(platformStacks(stage).length).toBeGreaterThanOrEqual(4);
    }
  });

  test('-c env=prod alone grants the same as -c env=all (the staging target is derived from a detached build)', () => {
    const only = testApp({ ...SKIP_BUNDLING, env: 'prod' });
    const prod = buildDefaultApp(only).stages.get('prod')!;
    const statement = (s: PlatformStage) => JSON.stringify(Template.fromStack(s.mlStack).toJSON()).match(/"Action":"ssm:GetParameters","Effect":"Allow","Resource":\[[^\]]*\]/)?.[0];
    expect(statement(prod)).toBeDefined();
    expect(statement(prod)).toBe(statement(stages.get('prod')!));
    expect([...buildDefaultApp(testApp({ ...SKIP_BUNDLING, env: 'prod' })).stages.keys()]).toEqual(['prod']);
  });
});
