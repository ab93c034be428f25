import { App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';

/**
 * The context keys an app would look up at `cdk synth` (availability zones, ...), over its nested
 * stage assemblies too: what the CDK CLI would fetch with credentials. Empty means the app
 * synthesizes offline.
 */
export function missingContext(app: App): string[] {
  const keys = (a: CloudAssembly): string[] => [
    ...(a.manifest.missing ?? []).map((m) => m.key),
    ...a.nestedAssemblies.flatMap((n) => keys(n.nestedAssembly)),
  ];
  return [...new Set(keys(app.synth()))].sort();
}
