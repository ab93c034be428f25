/**
 * `npm run cost [-- -c env=dev|staging|prod|all]`: the estimated monthly cost at rest of the
 * default app's environments, per stack, with the per-model increment, from the synthesized
 * templates and the offline price table (scripts/cost/prices.ts). Offline: no credentials.
 */
import { App } from 'aws-cdk-lib';
import { PlatformDefinition, buildPlatform } from '../../lib';
import { DEFINITION, buildDefaultApp } from '../../bin/main';
import { ENVIRONMENTS } from '../../bin/environments';
import { CostLine, StackTemplate, renderReport, stackCost, totals } from './estimate';

/** Every stack template of a synthesized app, nested stage assemblies included. */
function templates(app: App): Map<string, StackTemplate[]> {
  const byStage = new Map<string, StackTemplate[]>();
  const assembly = app.synth();
  for (const nested of assembly.nestedAssemblies) {
    byStage.set(nested.nestedAssembly.directory.split('assembly-').pop()!, nested.nestedAssembly.stacks.map((s) => ({ stackName: s.stackName, template: s.template })));
  }
  return byStage;
}

/** The cost report of the default app for the `env` context given (dev when absent). */
export function costReport(context: Record<string, unknown> = {}): string {
  const base = { 'aws:cdk:bundling-stacks': [], ...context };
  const app = new App({ context: base });
  buildDefaultApp(app);
  const one = templates(app);
  // The same environments with a second model: the difference is what each further model costs.
  const twoModels: PlatformDefinition = { ...DEFINITION, models: [...DEFINITION.models, { ...DEFINITION.models[0], name: 'second' }] };
  const app2 = new App({ context: base });
  buildPlatform(app2, { definition: twoModels, environments: ENVIRONMENTS });
  const two = templates(app2);
  const order = ['dev', 'staging', 'prod'];
  const envs = [...one.entries()].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([name, stacks]) => {
    const lines: CostLine[] = stacks.flatMap(stackCost);
    const more = (two.get(name) ?? []).flatMap(stackCost);
    return { name, lines, perModel: Math.round((totals(more).serving - totals(lines).serving) * 100) / 100 };
  });
  return renderReport(envs);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const context: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c' || args[i] === '--context') {
      const [k, ...v] = args[++i].split('=');
      context[k] = v.join('=');
    }
  }
  process.env.CDK_VALIDATION = process.env.CDK_VALIDATION ?? 'false';
  console.log(costReport(context));
}
