// TypeDoc plugin for `npm run docs`: titles each documented module with the specifier a consumer
// imports it by (`@mlops-cdk/constructs`, `@mlops-cdk/constructs/kubernetes`) instead of the
// entry file's name (`index`), without adding documentation tags to lib/index.ts.
import { readFileSync } from 'node:fs';
import { Converter, ReflectionKind } from 'typedoc';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const NAMES = { index: pkg.name, kubernetes: `${pkg.name}/kubernetes` };

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const mod of context.project.getChildrenByKind(ReflectionKind.Module)) {
      if (mod.name in NAMES) mod.name = NAMES[mod.name];
    }
  });
}
