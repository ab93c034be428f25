import { App, CfnResource, IPolicyValidationPlugin, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as cr from 'aws-cdk-lib/custom-resources';
import { IConstruct } from 'constructs';
import { Validator } from './errors';
import { ReplicationDestinations } from './replication';

/** The cdk-nag pack (validation plugin) names whose findings this library knows and acknowledges. */
export class CompliancePackName {
  /** cdk-nag `NIST80053R5Checks`: NIST 800-53 rev 5. */
  public static readonly NIST_800_53_R5 = 'NIST.800.53.R5';
  /** cdk-nag `HIPAASecurityChecks`: HIPAA Security. */
  public static readonly HIPAA_SECURITY = 'HIPAA.Security';
  /** Every pack name above. */
  public static readonly ALL: readonly string[] = [CompliancePackName.NIST_800_53_R5, CompliancePackName.HIPAA_SECURITY];
}

/** Options of {@link RegulatedWorkloads.apply}. */
export interface RegulatedWorkloadsOptions {
  /**
   * The compliance packs to run on every stack below the scope, as validation plugins: for example
   * cdk-nag 3's `new NIST80053R5Checks(app)` and `new HIPAASecurityChecks(app)`. The library's
   * acknowledgements are added for every plugin whose name is in {@link CompliancePackName.ALL};
   * other plugins run without them.
   */
  readonly plugins: readonly IPolicyValidationPlugin[];
}

/**
 * Runs regulated-workload compliance packs (NIST 800-53 rev 5, HIPAA Security) on an App or Stage
 * and acknowledges the findings this library knowingly accepts, each on the exact resource and
 * rule, with a reason that names the control. Everything else a pack reports stays a finding.
 *
 * The accepted findings, recognized by the shape of the resource, not by its name:
 * - `IAMNoInlinePolicy` on the policy aws-cdk-lib's `grant*` methods write for one role
 *   (`<Role>/DefaultPolicy`) and on an AwsCustomResource's `CustomResourcePolicy`;
 * - `CloudWatchAlarmAction` on an alarm without actions that feeds a composite alarm with actions
 *   in its stack, or a SageMaker endpoint's auto-rollback whose stack rollback an EventBridge rule
 *   sends to a target;
 * - `EC2RestrictedCommonPorts` on an ingress rule whose only source is its own security group;
 * - `S3DefaultEncryptionKMS` and `S3BucketReplicationEnabled` on an SSE-S3 bucket that receives
 *   server access logs;
 * - `CloudWatchLogGroupEncrypted`, `LambdaDLQ`, `LambdaConcurrency` and `LambdaInsideVPC` on the
 *   provider Lambda (and its log group) that aws-cdk-lib writes behind every AwsCustomResource.
 *
 * @example
 * // given: app: App; definition: PlatformDefinition; environments: Partial<Record<EnvironmentName, PlatformEnvironment>>; nist: import('aws-cdk-lib').IPolicyValidationPlugin; hipaa: import('aws-cdk-lib').IPolicyValidationPlugin
 * // nist = new NIST80053R5Checks(app), hipaa = new HIPAASecurityChecks(app) (cdk-nag 3)
 * buildPlatform(app, { definition, environments });
 * RegulatedWorkloads.apply(app, { plugins: [nist, hipaa] });
 */
export class RegulatedWorkloads {
  /**
   * Adds the plugins to `scope` (an App or a Stage, where validation plugins live) and the
   * library's acknowledgements for the packs among them.
   */
  public static apply(scope: IConstruct, options: RegulatedWorkloadsOptions): void {
    const v = new Validator(scope);
    v.check(App.isApp(scope) || Stage.isStage(scope), 'scope', scope.node.path || scope.node.id, 'must be an App or a Stage (validation plugins are registered there)');
    v.check(options.plugins.length > 0, 'plugins', options.plugins, 'must name at least one validation plugin, e.g. new NIST80053R5Checks(app)');
    v.throwIfAny();
    Validations.of(scope).addPlugins(...options.plugins);
    RegulatedWorkloads.acknowledge(scope, options.plugins.map((p) => p.name));
  }

  /**
   * Adds only the library's acknowledgements for the named packs (for apps that register the
   * plugins themselves). Pack names outside {@link CompliancePackName.ALL} are ignored.
   */
  public static acknowledge(scope: IConstruct, packNames: readonly string[]): void {
    const packs = packNames.filter((p) => CompliancePackName.ALL.includes(p));
    if (packs.length === 0) return;
    // When the tree is validated: after every aspect (the resources are in their final shape), before
    // the plugins run. (Aspects of an App do not reach into its Stages, so this is not an aspect.)
    const accepted = new AcceptedFindings(packs);
    scope.node.addValidation({
      validate: () => {
        try {
          for (const c of scope.node.findAll()) accepted.visit(c);
        } finally {
          TREE.clear();
        }
        return [];
      },
    });
  }
}

/** A finding the library accepts: the rule, the control it concerns per pack, and when it holds. */
interface AcceptedFinding {
  /** The rule name without the pack prefix, e.g. `IAMNoInlinePolicy`. */
  readonly rule: string;
  /** The control the acknowledgement answers for, per pack name. */
  readonly controls: Readonly<Record<string, string>>;
  /** Why the finding is accepted on this resource, or undefined when it is not. */
  readonly accepts: (resource: CfnResource) => string | undefined;
}

const NIST = CompliancePackName.NIST_800_53_R5;
const HIPAA = CompliancePackName.HIPAA_SECURITY;

/** Construct ID of the singleton Lambda behind every AwsCustomResource of a stack (aws-cdk-lib's fixed UUID). */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

// S3 User Guide, Enabling Amazon S3 server access logging
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html): the
// destination bucket may use default encryption only with SSE-S3; default SSE-KMS is not supported.
// Same guide, Logging requests with server access logging
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html): log records are delivered
// on a best-effort basis.
const ACCESS_LOG_KMS = 'the bucket is a destination of S3 server access logs, and S3 supports only SSE-S3 (AES-256) as default encryption of such a bucket, not SSE-KMS '
  + '(S3 User Guide, enable-server-access-logging.html); it is SSE-S3, TLS-only and private.';
const ACCESS_LOG_REPLICATION = 'the bucket holds only S3 server access logs, which S3 itself delivers on a best-effort basis (S3 User Guide, ServerLogs.html) and which expire with the '
  + 'profile\'s log retention; the workload data they describe is what the platform backs up and replicates. Losing them with the region is an accepted risk.';
// S3 User Guide, Replicating objects within and across Regions
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html): a replication rule copies
// a source bucket's objects to a destination bucket; the DR buckets are such destinations.
const REPLICA_REPLICATION = 'the bucket is itself the cross-Region replica (in the DR Region) of a source bucket that replicates into it with S3 Replication Time Control; '
  + 'replicating the replica again would keep a third copy of the same objects, while the source Region holds the primary copy.';
// Lambda Developer Guide, Using AWS Lambda with CloudFormation
// (https://docs.aws.amazon.com/lambda/latest/dg/services-cloudformation.html): CloudFormation invokes
// the function asynchronously with an event that includes a callback URL, and the stack operation
// fails when no response arrives (CloudFormation User Guide, crpg-ref.html).
const PROVIDER = 'the provider Lambda aws-cdk-lib writes behind every AwsCustomResource of the stack; only CloudFormation invokes it, during deployments of this stack';

const ACCEPTED_FINDINGS: readonly AcceptedFinding[] = [
  {
    rule: 'IAMNoInlinePolicy',
    controls: { [NIST]: 'AC-6 (least privilege)', [HIPAA]: '164.308(a)(4) (information access management)' },
    accepts: (r) => {
      const policy = r.node.scope;
      if (!(r instanceof iam.CfnPolicy) || !policy) return undefined;
      const owner = policy.node.scope;
      const grant = policy instanceof iam.Policy && policy.node.id === 'DefaultPolicy' && owner instanceof iam.Role;
      const custom = policy.node.id === 'CustomResourcePolicy' && owner instanceof cr.AwsCustomResource;
      if (!grant && !custom) return undefined;
      return `the inline policy of ${owner!.node.path} holds the exact-resource statements of its grants (${grant ? 'aws-cdk-lib grant* methods' : 'the AwsCustomResource calls'}) and lives and dies `
        + 'with that one principal; a managed policy could be attached to other principals, which least privilege does not want. Every statement names explicit actions (AwsSolutions-IAM5 is checked separately).';
    },
  },
  {
    rule: 'CloudWatchAlarmAction',
    controls: { [NIST]: 'SI-4(12) (automated organization-generated alerts)', [HIPAA]: '164.312(b) (audit controls)' },
    accepts: (r) => (r instanceof cloudwatch.CfnAlarm ? alarmNotifiesThrough(r) : undefined),
  },
  {
    rule: 'EC2RestrictedCommonPorts',
    controls: { [NIST]: 'SC-7 (boundary protection)', [HIPAA]: '164.312(e)(1) (transmission security)' },
    accepts: (r) => {
      if (!(r instanceof ec2.CfnSecurityGroupIngress) || r.cidrIp !== undefined || r.cidrIpv6 !== undefined || r.sourcePrefixListId !== undefined) return undefined;
      const stack = Stack.of(r);
      const self = r.sourceSecurityGroupId !== undefined && JSON.stringify(stack.resolve(r.groupId)) === JSON.stringify(stack.resolve(r.sourceSecurityGroupId));
      // SageMaker, Give SageMaker training jobs access to resources in your Amazon VPC
      // (https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html): distributed training needs
      // inbound connections between members of the job's security group.
      return self ? 'the rule admits traffic only from members of the same security group (instances of one job talking to each other, as SageMaker distributed training requires); '
        + 'no address outside the group reaches any port.' : undefined;
    },
  },
  {
    rule: 'S3DefaultEncryptionKMS',
    controls: { [NIST]: 'SC-28(1) (cryptographic protection at rest)', [HIPAA]: '164.312(a)(2)(iv) (encryption and decryption)' },
    accepts: (r) => (isAccessLogDestination(r) ? ACCESS_LOG_KMS : undefined),
  },
  {
    rule: 'S3BucketReplicationEnabled',
    controls: { [NIST]: 'CP-9 (system backup)', [HIPAA]: '164.308(a)(7)(ii)(A) (data backup plan)' },
    accepts: (r) => (isAccessLogDestination(r) ? ACCESS_LOG_REPLICATION : (isReplicaBucket(r) ? REPLICA_REPLICATION : undefined)),
  },
  {
    rule: 'CloudWatchLogGroupEncrypted',
    controls: { [NIST]: 'SC-28(1) (cryptographic protection at rest)', [HIPAA]: '164.312(a)(2)(iv) (encryption and decryption)' },
    accepts: (r) => (r instanceof logs.CfnLogGroup && r.node.scope?.node.scope?.node.id === AWS_CUSTOM_RESOURCE_PROVIDER_ID
      ? `the log group of ${PROVIDER}; it records SDK calls and their parameters (names and placeholder values, no workload data), and CloudWatch Logs encrypts all log data at rest `
        + '(CloudWatch Logs User Guide, encrypt-log-data-kms.html).' : undefined),
  },
  {
    rule: 'LambdaDLQ',
    controls: { [NIST]: 'SI-2a (flaw remediation)', [HIPAA]: '164.312(b) (audit controls)' },
    accepts: (r) => (isProviderFunction(r) ? `${PROVIDER}; a failed invocation fails the stack operation, which CloudFormation reports and rolls back, so no event is lost that a dead-letter queue would keep `
      + '(Lambda Developer Guide, services-cloudformation.html).' : undefined),
  },
  {
    rule: 'LambdaConcurrency',
    controls: { [NIST]: 'SC-6 (resource availability)', [HIPAA]: '164.312(b) (audit controls)' },
    accepts: (r) => (isProviderFunction(r) ? `${PROVIDER}, a few invocations per deployment; reserving concurrency for it would only take capacity from the account's other functions.` : undefined),
  },
  {
    rule: 'LambdaInsideVPC',
    controls: { [NIST]: 'SC-7 (boundary protection)', [HIPAA]: '164.312(e)(1) (transmission security)' },
    accepts: (r) => (isProviderFunction(r) ? `${PROVIDER}; it only calls AWS APIs over TLS with the permissions of its own role, holds no data and accepts no inbound network connections.` : undefined),
  },
];

/** The constructs below a scope, memoized while one validation runs (the tree no longer changes then). */
const TREE = new Map<IConstruct, IConstruct[]>();
function below(scope: IConstruct): IConstruct[] {
  let all = TREE.get(scope);
  if (!all) TREE.set(scope, all = scope.node.findAll());
  return all;
}

/** Adds the acknowledgements of {@link ACCEPTED_FINDINGS} to the resources they hold for. */
class AcceptedFindings {
  constructor(private readonly packs: readonly string[]) {}

  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) return;
    for (const finding of ACCEPTED_FINDINGS) {
      const why = finding.accepts(node);
      if (why === undefined) continue;
      const acknowledged: Record<string, string> = {};
      for (const pack of this.packs) acknowledged[`${pack}::${pack}-${finding.rule}`] = `${pack} ${finding.controls[pack]}: accepted because ${why}`;
      // The metadata Validations.acknowledge writes, without the stack trace it captures (seconds per app).
      node.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, acknowledged);
    }
  }
}

/** Whether `r` is the function of the AwsCustomResource provider singleton. */
function isProviderFunction(r: CfnResource): boolean {
  const fn = r.node.scope;
  return r instanceof lambda.CfnFunction && fn instanceof lambda.Function && fn.node.id === AWS_CUSTOM_RESOURCE_PROVIDER_ID;
}

/** Whether `r` is a destination bucket of {@link ReplicationDestinations} (a DR replica). */
function isReplicaBucket(r: CfnResource): boolean {
  const owner = r.node.scope?.node.scope;
  return r instanceof s3.CfnBucket && owner instanceof ReplicationDestinations
    && [...owner.buckets.values()].some((b) => b.node.defaultChild === r);
}

/**
 * Whether `r` is an SSE-S3 bucket that another bucket of its stack sends server access logs to.
 * (Resolved L1 properties keep the case they were written in: camelCase from props, PascalCase from
 * raw CloudFormation, so both are read.)
 */
function isAccessLogDestination(r: CfnResource): boolean {
  if (!(r instanceof s3.CfnBucket)) return false;
  const stack = Stack.of(r);
  const algorithms = JSON.stringify(stack.resolve(r.bucketEncryption) ?? {}).match(/"(?:sseAlgorithm|SSEAlgorithm)":"[^"]*"/g) ?? [];
  if (algorithms.length === 0 || !algorithms.every((a) => a.endsWith('"AES256"'))) return false;
  const ref = JSON.stringify({ Ref: stack.getLogicalId(r) });
  return below(stack).some((c) => {
    if (!(c instanceof s3.CfnBucket) || c === r) return false;
    const logging = stack.resolve(c.loggingConfiguration) as { destinationBucketName?: unknown; DestinationBucketName?: unknown } | undefined;
    return JSON.stringify(logging?.destinationBucketName ?? logging?.DestinationBucketName ?? null) === ref;
  });
}

/**
 * Why an alarm without actions still reaches someone: it feeds a composite alarm of its stack that
 * has actions, or the auto-rollback of a SageMaker endpoint of its stack whose rollback an
 * EventBridge rule of the app forwards. Undefined when it has actions (nothing to accept) or neither.
 */
function alarmNotifiesThrough(alarm: cloudwatch.CfnAlarm): string | undefined {
  const stack = Stack.of(alarm);
  const hasActions = (a: { alarmActions?: string[]; okActions?: string[]; insufficientDataActions?: string[] }) =>
    [a.alarmActions, a.okActions, a.insufficientDataActions].some((list) => (stack.resolve(list) as unknown[] | undefined ?? []).length > 0);
  if (hasActions(alarm)) return undefined;
  const id = stack.getLogicalId(alarm);
  const constructs = below(stack);
  const composite = constructs.find((c): c is cloudwatch.CfnCompositeAlarm => c instanceof cloudwatch.CfnCompositeAlarm
    && stack.resolve(c.actionsEnabled) !== false && hasActions(c) && JSON.stringify(stack.resolve(c.alarmRule)).includes(JSON.stringify([id, 'Arn'])));
  if (composite) return `the alarm feeds composite alarm ${composite.node.path}, which notifies for it (one page per incident instead of one per symptom).`;
  const endpoint = constructs.find((c): c is sagemaker.CfnEndpoint => c instanceof sagemaker.CfnEndpoint
    && rollbackAlarmIds(stack.resolve(c.deploymentConfig)).includes(id));
  if (!endpoint) return undefined;
  const rule = rollbackRule(alarm, stack.stackName);
  return rule ? `the alarm drives the auto-rollback of endpoint ${endpoint.node.path}; a rollback fails the update of stack ${stack.stackName}, which rule ${rule} forwards to the alarm topic.` : undefined;
}

/** Logical IDs of the alarms (by `Ref`) in a resolved endpoint deployment config's auto-rollback configuration. */
function rollbackAlarmIds(config: unknown): string[] {
  const c = (config ?? {}) as Record<string, { alarms?: unknown[]; Alarms?: unknown[] } | undefined>;
  const rollback = c.autoRollbackConfiguration ?? c.AutoRollbackConfiguration;
  return ((rollback?.alarms ?? rollback?.Alarms ?? []) as Array<Record<string, { Ref?: string } | undefined>>)
    .map((a) => (a.alarmName ?? a.AlarmName)?.Ref).filter((x): x is string => x !== undefined);
}

/** The path of an EventBridge rule of the app with a target that matches rolled-back updates of the named stack. */
function rollbackRule(scope: IConstruct, stackName: string): string | undefined {
  const rule = below(scope.node.root).find((c): c is events.CfnRule => {
    if (!(c instanceof events.CfnRule)) return false;
    const s = Stack.of(c);
    const pattern = JSON.stringify(s.resolve(c.eventPattern) ?? {});
    return pattern.includes('UPDATE_ROLLBACK_COMPLETE') && pattern.includes(`stack/${stackName}/`) && (s.resolve(c.targets) as unknown[] | undefined ?? []).length > 0;
  });
  return rule?.node.path;
}
