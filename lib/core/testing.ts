import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, StackProps } from 'aws-cdk-lib';
import { applyPlatform } from './apply';
import { EnvironmentProfile, Profiles } from './environment';
import { ValidationError } from './errors';
import { normalizeTemplate } from './snapshot';

/** The fixed account and region test stacks use, so that snapshots are stable. */
export const TESTING_ENV = { account: '123456789012', region: 'us-east-1' };

/** Options for {@link PlatformTesting.app}. */
export interface TestingAppOptions {
  /**
   * Path of the app's `cdk.json`, whose `context` (feature flags) the test app takes.
   * @default `cdk.json` in the current directory, when it exists
   */
  readonly cdkJson?: string;
  /**
   * More context, over cdk.json's.
   * @default none
   */
  readonly context?: Record<string, unknown>;
}

/** Options for {@link PlatformTesting.stack}. */
export interface TestingStackOptions extends Omit<StackProps, 'env'> {
  /**
   * The environment profile applied to the stack.
   * @default Profiles.PROD
   */
  readonly profile?: EnvironmentProfile;
  /**
   * Project name.
   * @default 'test'
   */
  readonly project?: string;
}

/**
 * Helpers for a consumer's own tests, the same the library's tests use: an App with the app's
 * `cdk.json` feature flags and no construct stack traces (fast), stacks at a fixed account and
 * region, and templates normalized for snapshots (asset hashes and the package version blanked).
 *
 * @example
 * const app = PlatformTesting.app();
 * const stack = PlatformTesting.stack(app, 'Data', { profile: Profiles.STAGING });
 * new DataLakehouse(stack, 'Lake');
 * const template = PlatformTesting.snapshot(stack); // for example expect(template).toMatchSnapshot() in Jest
 */
export class PlatformTesting {
  /** An App with the context of the app's cdk.json plus `context`. */
  public static app(options: TestingAppOptions = {}): App {
    const file = options.cdkJson ?? path.join(process.cwd(), 'cdk.json');
    let context: Record<string, unknown> = {};
    if (options.cdkJson !== undefined || fs.existsSync(file)) {
      try {
        context = (JSON.parse(fs.readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
      } catch (e) {
        throw new ValidationError('PlatformTesting', [{ property: 'cdkJson', value: JSON.stringify(file), allowed: `must be a readable JSON file (${(e as Error).message})` }]);
      }
    }
    return new App({ context: { ...context, 'aws:cdk:disable-creation-stack-traces': true, ...options.context }, stackTraces: false });
  }

  /** A stack at {@link TESTING_ENV} with the platform settings applied (production profile unless given). */
  public static stack(app: App, id: string, options: TestingStackOptions = {}): Stack {
    const { profile, project, ...props } = options;
    const stack = new Stack(app, id, { ...props, env: TESTING_ENV });
    applyPlatform(stack, { project: project ?? 'test', profile: profile ?? Profiles.PROD, owner: 'test', costCentre: 'test' });
    return stack;
  }

  /** The stack's template normalized for a snapshot (asset hashes and, when given, the package version blanked). */
  public static snapshot(stack: Stack, packageVersion?: string): unknown {
    // Loaded here, not at import: apps that never test should not pay for the assertions module.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Template } = require('aws-cdk-lib/assertions') as typeof import('aws-cdk-lib/assertions');
    return normalizeTemplate(Template.fromStack(stack).toJSON(), { packageVersion });
  }

  private constructor() {}
}
