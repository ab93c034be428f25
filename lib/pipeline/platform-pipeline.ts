import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CodePipeline, ManualApprovalStep, ShellStep, Step } from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { HARDENED_BUCKET, createAccessLogBucket, kmsEncryption, logAccessTo } from '../core/buckets';
import { ENVIRONMENT_NAMES } from '../core/config';
import { createKey } from '../core/encryption';
import type { EnvironmentName } from '../core/environment';
import { Validator } from '../core/errors';
import { resolveRemovalPolicy } from '../core/removal';
import { buildPlatform } from '../platform/build-platform';
import type { PlatformStage } from '../platform/platform-stage';
import { PLATFORM_PIPELINE_DEFAULTS, PlatformPipelineProps } from './platform-pipeline-props';
import { PlatformSource } from './platform-source';
import { ARTIFACT_KEY_ACTIONS, CrossRegionArtifacts, NO_CROSS_REGION, acknowledgePipelineFindings } from './private/nag';
import { deploymentOrder } from './private/order';

/** https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineDeclaration.html: name, pattern `[A-Za-z0-9.@\-_]+`, 1-100 characters. */
const PIPELINE_NAME = /^[A-Za-z0-9.@_-]{1,100}$/;
/** The CLI command that writes the cloud assembly the pipeline deploys. */
const CDK_SYNTH = /\bcdk\s+synth\b/;

/**
 * The delivery pipeline of the platform: a CDK Pipelines `CodePipeline` in the tooling account that
 * reads the source, runs the synth step (`npm ci`, `npm test`, `npx cdk synth`), updates itself,
 * then deploys one {@link PlatformStage} per environment into that environment's account, in
 * dependency order: an environment deploys after every environment it reads from at deploy time
 * (its account-settings owner and the environment whose registry feeds its endpoints), and a person
 * approves before prod (`approvalBefore`).
 *
 * Place it in a stack with an explicit account and region (the tooling account). Each target
 * environment must be bootstrapped with `cdk bootstrap --trust <tooling account>`: the pipeline
 * deploys through the target's `cdk-hnb659fds-deploy-role-<account>-<region>`, and CloudFormation
 * runs with the target's execution role.
 *
 * @example
 * // given: app: App; definition: PlatformDefinition; environments: Partial<Record<EnvironmentName, PlatformEnvironment>>; connectionArn: string
 * const tooling = new Stack(app, 'Delivery', { env: { account: '444444444444', region: 'eu-west-1' } });
 * new PlatformPipeline(tooling, 'Pipeline', {
 *   definition, environments,
 *   source: PlatformSource.connection('acme/ml-platform', 'main', connectionArn),
 * });
 */
export class PlatformPipeline extends Construct {
  /** The CDK Pipelines pipeline (already built: `pipeline.pipeline` is the CodePipeline). */
  public readonly pipeline: CodePipeline;
  /** The stage of each environment, built by `buildPlatform` below this construct. */
  public readonly stages: ReadonlyMap<EnvironmentName, PlatformStage>;
  /** The deployment waves in order; the environments of one wave deploy in parallel. */
  public readonly stageOrder: readonly (readonly EnvironmentName[])[];
  /** The environments whose deployment waits for a manual approval. */
  public readonly approvalBefore: readonly EnvironmentName[];
  /** The pipeline's artifact bucket (KMS, TLS only, access-logged). */
  public readonly artifactBucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: PlatformPipelineProps) {
    super(scope, id);
    const configured = ENVIRONMENT_NAMES.filter((n) => props.environments?.[n] !== undefined);
    const approvalBefore = props.approvalBefore ?? PLATFORM_PIPELINE_DEFAULTS.approvalBefore.filter((n) => configured.includes(n));
    const commands = props.synthCommands ?? [...PLATFORM_PIPELINE_DEFAULTS.synthCommands];
    const pipelineName = props.pipelineName ?? `${props.definition?.project}-${PLATFORM_PIPELINE_DEFAULTS.pipelineNameSuffix}`;
    const order = this.validate(props, configured, approvalBefore, commands, pipelineName);
    this.stageOrder = order;
    this.approvalBefore = approvalBefore;

    const removalPolicy = resolveRemovalPolicy(this);
    // Cross-account deploy actions need a customer-managed key on the artifact bucket: the targets'
    // deploy roles decrypt the templates with it (CDK Pipelines grants them in the key policy).
    const key = createKey(this, 'ArtifactKey', { description: `Artifacts of the ${pipelineName} delivery pipeline`, removalPolicy });
    const accessLogs = createAccessLogBucket(this, 'AccessLogs', {
      removalPolicy, retention: Duration.days(PLATFORM_PIPELINE_DEFAULTS.accessLogRetentionDays), abortIncompleteMultipartUploadAfter: Duration.days(7),
    });
    const artifacts = new s3.Bucket(this, 'Artifacts', {
      ...HARDENED_BUCKET,
      ...kmsEncryption(key),
      lifecycleRules: [{ id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy,
    });
    logAccessTo(this, artifacts, accessLogs, 'artifacts/', 'AllowArtifactAccessLogs');
    this.artifactBucket = artifacts;

    this.pipeline = new CodePipeline(this, 'Pipeline', {
      pipelineName,
      synth: new ShellStep('Synth', { input: props.source._bind(), commands, primaryOutputDirectory: 'cdk.out' }),
      crossAccountKeys: true,
      enableKeyRotation: true,
      artifactBucket: artifacts,
      dockerEnabledForSynth: false,
      dockerEnabledForSelfMutation: false,
      codeBuildDefaults: {
        buildEnvironment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL, privileged: false },
        partialBuildSpec: codebuild.BuildSpec.fromObject({ phases: { install: { 'runtime-versions': { nodejs: PLATFORM_PIPELINE_DEFAULTS.nodejsRuntime } } } }),
      },
    });

    const stages = buildPlatform(this, { definition: props.definition, environments: props.environments, select: configured });
    this.stages = stages;
    const pre = (name: EnvironmentName): Step[] => approvalBefore.includes(name)
      ? [new ManualApprovalStep(`Approve-${name}`, { comment: `Deploy the platform to ${name}? Review the change sets of the earlier stages first.` })]
      : [];
    for (const wave of order) {
      if (wave.length === 1) {
        this.pipeline.addStage(stages.get(wave[0])!, { pre: pre(wave[0]) });
      } else {
        const w = this.pipeline.addWave(wave.join('-'));
        for (const name of wave) w.addStage(stages.get(name)!, { pre: pre(name) });
      }
    }
    // Built here, not at synth, so that the pipeline's resources exist when cdk-nag and the tests look.
    this.pipeline.buildPipeline();
    acknowledgePipelineFindings(this.pipeline, this.hardenCrossRegionSupport(key, removalPolicy));
  }

  /**
   * A stage with stacks in another region (the `-dr` stack of an environment with a `drRegion`)
   * makes CodePipeline keep an artifact bucket in that region: aws-cdk-lib adds a support stack
   * (`<tooling stack>-support-<region>`) holding a replication bucket (TLS only, no public access)
   * encrypted with a key referenced by its alias. Two gaps are closed here:
   *
   * - the bucket has no server access logs: it gets an access-log bucket in the same support stack;
   * - the pipeline role's key grant on that alias-referenced key is on `Resource: *` (a key in a
   *   stack of another region cannot be named by ARN), which would cover every key of the tooling
   *   account whose key policy delegates to IAM. An explicit deny on the role narrows it: the key
   *   actions are denied on every key but the artifact key unless the key carries one of the
   *   replication keys' aliases. `kms:ResourceAliases` "allows or denies access to a KMS key based on
   *   the aliases associated with the KMS key" (AWS KMS developer guide, "Use aliases to control
   *   access to KMS keys", https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html);
   *   `ForAllValues` with a negated operator is true for a key without aliases, so such a key is
   *   denied too, and an explicit deny overrides any allow (IAM user guide, "Policy evaluation logic").
   *
   * Returns the replication buckets and the pipeline role's policies that the deny narrows (none without another region).
   */
  private hardenCrossRegionSupport(artifactKey: kms.IKey, removalPolicy: RemovalPolicy): CrossRegionArtifacts {
    // With another region, the map also lists the pipeline's own region (its artifact bucket, hardened above).
    const support = Object.values(this.pipeline.pipeline.crossRegionSupport).filter((s) => s.replicationBucket !== this.artifactBucket);
    if (support.length === 0) return NO_CROSS_REGION;
    const aliases: string[] = [];
    for (const s of support) {
      const bucket = s.replicationBucket;
      if (bucket instanceof s3.Bucket) {
        const logs = createAccessLogBucket(s.stack, 'ReplicationAccessLogs', {
          removalPolicy, retention: Duration.days(PLATFORM_PIPELINE_DEFAULTS.accessLogRetentionDays), abortIncompleteMultipartUploadAfter: Duration.days(7),
        });
        logAccessTo(s.stack, bucket, logs, 'replication/', 'AllowReplicationAccessLogs');
      }
      if (bucket.encryptionKey instanceof kms.Alias) aliases.push(bucket.encryptionKey.aliasName);
    }
    const role = this.pipeline.pipeline.role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'OnlyArtifactKeys',
      effect: iam.Effect.DENY,
      actions: ARTIFACT_KEY_ACTIONS,
      notResources: [artifactKey.keyArn],
      conditions: { 'ForAllValues:StringNotEquals': { 'kms:ResourceAliases': aliases } },
    }));
    return {
      replicationBuckets: support.map((s) => s.replicationBucket),
      narrowedPolicies: new Set(role.node.findAll().filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy)),
    };
  }

  private validate(props: PlatformPipelineProps, configured: EnvironmentName[], approvalBefore: readonly EnvironmentName[],
    commands: readonly string[], pipelineName: string): EnvironmentName[][] {
    const v = new Validator(this);
    const stack = Stack.of(this);
    v.check(!Token.isUnresolved(stack.account), `env.account of the tooling stack ${stack.node.path}`, 'unresolved (environment-agnostic)',
      'must be an explicit account ID: cross-account deploy roles trust, and the artifact key grants, name the tooling account');
    v.check(!Token.isUnresolved(stack.region), `env.region of the tooling stack ${stack.node.path}`, 'unresolved (environment-agnostic)',
      'must be an explicit region');
    if (v.isInstance(props.source, PlatformSource, 'source', 'PlatformSource.connection(...) or PlatformSource.codeCommit(...)')) {
      if (props.source === undefined) v.fail('source', undefined, 'is required: PlatformSource.connection(...) or PlatformSource.codeCommit(...)');
      else props.source._validate(v, 'source');
    }
    v.check(configured.length > 0, 'environments', props.environments, `must configure at least one of ${ENVIRONMENT_NAMES.join(', ')}`);
    for (const name of configured) {
      const env = props.environments[name]!;
      v.check(typeof env.account === 'string' && env.account !== '', `environments.${name}.account`, env.account,
        'must be set: the pipeline deploys every environment into an explicit account (through its CDK bootstrap roles)');
      if (v.check(typeof env.region === 'string' && env.region !== '', `environments.${name}.region`, env.region, 'must be set: the pipeline deploys every environment into an explicit region')) {
        // Another region needs a replication bucket there: CDK Pipelines would add a cross-region support
        // stack whose bucket has no access logs (CodePipeline refuses our own artifact bucket together with replication buckets).
        v.check(Token.isUnresolved(stack.region) || env.region === stack.region, `environments.${name}.region`, env.region,
          `must be the tooling stack's region (${stack.region}): cross-region deployment is not supported`);
      }
    }
    for (const name of approvalBefore) {
      v.check(configured.includes(name), 'approvalBefore', name, `must name configured environments: ${configured.join(', ')}`);
    }
    if (v.check(Array.isArray(commands) && commands.length > 0, 'synthCommands', commands, 'must list at least one command')) {
      commands.forEach((c, i) => v.check(typeof c === 'string' && c.trim() !== '', `synthCommands[${i}]`, c, 'must be a non-empty command'));
      v.check(commands.some((c) => typeof c === 'string' && CDK_SYNTH.test(c)), 'synthCommands', commands,
        'must run cdk synth (the pipeline deploys the cdk.out that the synth step writes)');
    }
    v.matches(pipelineName, PIPELINE_NAME, 'pipelineName', 'must be 1-100 letters, digits, . @ - or _');
    const order = deploymentOrder(props.environments ?? {}, props.parallel ?? PLATFORM_PIPELINE_DEFAULTS.parallel);
    if (order.problem) v.fail(order.problem.property, order.problem.value, order.problem.allowed);
    v.throwIfAny();
    return order.waves;
  }
}
