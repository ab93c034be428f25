import * as fs from 'fs';
import * as path from 'path';
import { App, CloudFormationValidatePlugin, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EnvironmentProfile, Profiles, applyPlatform, normalizeTemplate } from '../../lib';

const ROOT = path.join(__dirname, '..', '..');
const CDK_JSON = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
const PACKAGE_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The fixed account and region every test stack uses, so that snapshots are stable. */
export const TEST_ENV = { account: '123456789012', region: 'us-east-1' };

/** Options for {@link testStack}. */
export interface TestStackOptions {
  /** Environment profile; production when omitted (the library default). */
  readonly profile?: EnvironmentProfile;
  /** Extra context, merged over cdk.json's feature flags. */
  readonly context?: Record<string, unknown>;
  /** Run cdk-nag AwsSolutions on synth. */
  readonly nag?: boolean;
}

/**
 * Context that skips asset bundling (esbuild for Lambda handlers) in every stack. Unit tests use it
 * for speed; the tests that prove bundling works without Docker synthesize without it.
 */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

/** An App with the same feature flags as the project's cdk.json, plus `context`. */
export function testApp(context: Record<string, unknown> = {}): App {
  // No construct stack traces: capturing (and source-mapping) one per construct is most of a test synth's cost.
  return new App({ context: { ...CDK_JSON.context, 'aws:cdk:disable-creation-stack-traces': true, ...context }, stackTraces: false });
}

/** A stack in a fresh app with a fixed account and region and the given profile. */
export function testStack(options: TestStackOptions = {}): Stack {
  const app = testApp(options.context);
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  applyPlatform(app, { project: 'mlops', profile: options.profile ?? Profiles.PROD, owner: 'team-ml', costCentre: 'cc-42' });
  return new Stack(app, 'Test', { env: TEST_ENV });
}

/** The stack's template, normalized for a snapshot (asset hashes and package version blanked). */
export function normalizedTemplate(stack: Stack): unknown {
  return normalizeTemplate(Template.fromStack(stack).toJSON(), { packageVersion: PACKAGE_VERSION });
}

/** The package version, for normalizer tests. */
export const VERSION = PACKAGE_VERSION;

/** Logical IDs of every resource of a type in a template. */
export function logicalIdsOf(template: Template, type: string): string[] {
  return Object.keys(template.findResources(type)).sort();
}

/** Violations (errors and warnings) that plugins other than construct annotations reported for a synthesized app. */
export function validationViolations(app: App): string[] {
  const file = path.join(app.outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as { pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; description: string }> }> };
  return report.pluginReports
    .filter((r) => r.pluginName !== 'Construct Annotations')
    .flatMap((r) => r.violations.map((v) => `${r.pluginName}: ${v.ruleName} ${v.description}`));
}

/** Synthesizes the app and returns the error message and its cdk-nag "Acknowledge with" lines (both empty when synth passes). */
export function synthFindings(app: App): { message: string; findings: string[] } {
  let message = '';
  try {
    app.synth();
  } catch (e) {
    message = (e as Error).message;
  }
  return { message, findings: message.split('\n').filter((line) => line.includes('Acknowledge with')) };
}

/**
 * Builds aws-cdk-lib's CloudFormation validation engine once for the whole test file, with every
 * built-in rule. The default plugin is one module-level instance that rebuilds its engine (seconds
 * each time) whenever an app holds a resource type the previous app did not; built for every type,
 * it is reused by every later synth. Each template is still validated in full: the engine only
 * differs by also holding the rules of types that template lacks, which never fire on it.
 */
export function buildValidationEngineOnce(): void {
  const everyType = { has: () => true };
  // initializeEngine is private in the type declarations; _singletonInstance is the instance synth uses.
  (CloudFormationValidatePlugin._singletonInstance() as unknown as { initializeEngine(types: { has(t: string): boolean }): unknown }).initializeEngine(everyType);
}
