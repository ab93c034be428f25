import type { EnvironmentName } from '../core/environment';
import type { PlatformDefinition, PlatformEnvironment } from '../platform/platform-config';
import type { PlatformSource } from './platform-source';

/** Props of a {@link PlatformPipeline}. */
export interface PlatformPipelineProps {
  /** What every environment runs (as for `buildPlatform`). */
  readonly definition: PlatformDefinition;
  /**
   * Every environment the pipeline deploys, by name, each with its `account` and `region` (the
   * pipeline deploys each stage into its environment through that environment's CDK bootstrap
   * roles, which must trust the tooling account: `cdk bootstrap --trust <tooling account>`).
   */
  readonly environments: Partial<Record<EnvironmentName, PlatformEnvironment>>;
  /** Where the source code is read from. */
  readonly source: PlatformSource;
  /**
   * Commands of the synth step (a CodeBuild project of the tooling account, Node.js 20). The last
   * one must synthesize the app that defines this pipeline into `cdk.out`; every environment of
   * `environments` is built by the pipeline itself, whatever `-c env` says.
   * @default ['npm ci', 'npm test', 'npx cdk synth']
   */
  readonly synthCommands?: string[];
  /**
   * Environments whose deployment waits for a person to approve (a manual approval action
   * immediately before the environment's first deploy action).
   * @default ['prod'] when prod is configured, otherwise none
   */
  readonly approvalBefore?: EnvironmentName[];
  /**
   * Whether environments that do not read from each other deploy in one wave (in parallel). Off,
   * the environments deploy one at a time, each after everything it reads from, in dev, staging,
   * prod order among independent ones: a change reaches prod only after it deployed elsewhere.
   * @default false
   */
  readonly parallel?: boolean;
  /**
   * Name of the CodePipeline pipeline.
   * @default `<project>-delivery`
   */
  readonly pipelineName?: string;
}

/** Defaults of {@link PlatformPipeline}. */
export const PLATFORM_PIPELINE_DEFAULTS = {
  /** The README's commands: install exactly the lock file, run the tests, synthesize. */
  synthCommands: ['npm ci', 'npm test', 'npx cdk synth'] as readonly string[],
  approvalBefore: ['prod'] as readonly EnvironmentName[],
  parallel: false,
  /** `<project>-delivery`. */
  pipelineNameSuffix: 'delivery',
  /**
   * Node.js of the CodeBuild projects (the package needs >= 20). CodeBuild recommends pinning the
   * runtime version: "If a runtime version is not specified, CodeBuild uses the default version. The
   * default version can change" (https://docs.aws.amazon.com/codebuild/latest/userguide/available-runtimes.html).
   */
  nodejsRuntime: '20',
  /** Days the pipeline's artifact access logs are kept. */
  accessLogRetentionDays: 365,
};
