import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { nagResourceName } from '../../core/nag';

/** One kind of wildcard that CDK Pipelines writes into its roles' policies, and why it is acceptable. */
interface KnownWildcard {
  readonly kind: 'Action' | 'Resource';
  readonly pattern: RegExp;
  readonly reason: string;
}

/**
 * The wildcards of the roles CDK Pipelines generates (pipeline, source, synth, self-mutation and
 * asset publishing). Anything not listed here stays a cdk-nag finding, so a new wildcard in a
 * future aws-cdk-lib fails the nag tests instead of being waved through.
 */
const KNOWN: readonly KnownWildcard[] = [
  { kind: 'Action', pattern: /^s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*$/,
    reason: 'aws-cdk-lib bucket grant (read or read/write) on the pipeline\'s own artifact bucket only: the pipeline stages hand artifacts to each other through it.' },
  { kind: 'Resource', pattern: /^<[A-Za-z0-9]*Artifacts[A-Za-z0-9]*\.Arn>\/\*$/,
    reason: 'Pipeline artifacts are objects under keys CodePipeline generates per execution, in the pipeline\'s own artifact bucket.' },
  { kind: 'Action', pattern: /^kms:(GenerateDataKey|ReEncrypt)\*$/,
    reason: 'aws-cdk-lib key grant on the artifact bucket\'s customer-managed key only (encrypting and re-encrypting artifacts).' },
  { kind: 'Resource', pattern: /^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:\/aws\/codebuild\/(<[A-Za-z0-9]+>|\*)(:\*)?$/,
    reason: 'CodeBuild writes one log stream per build into the log group of its project (/aws/codebuild/<project>).' },
  { kind: 'Resource', pattern: /^arn:aws[a-z-]*:codebuild:[a-z0-9-]+:\d{12}:report-group\/(<[A-Za-z0-9]+>-)?\*$/,
    reason: 'CodeBuild test reports go to report groups named after the project.' },
  { kind: 'Resource', pattern: /^arn:\*:iam::\d{12}:role\/\*$/,
    reason: 'Self-mutation runs cdk deploy of the pipeline stack: it may assume only the CDK bootstrap roles (deploy, file and image publishing), selected by their aws-cdk:bootstrap-role tag in the statement\'s condition.' },
  { kind: 'Resource', pattern: /^\*$/,
    reason: 'cloudformation:DescribeStacks and s3:ListBucket (self-mutation reads the bootstrap stack and bucket, whose names it learns at run time) and codebuild:StartBuild/BatchGetBuilds/StopBuild of the shared asset-publishing role, whose projects are generated per asset after the role.' },
];

/** Actions that may run on `Resource: *` in the pipeline's policies (the `*` acknowledgement above covers only these). */
const STAR_ACTIONS = new Set(['cloudformation:DescribeStacks', 's3:ListBucket', 'codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild']);

/** The key actions aws-cdk-lib grants the pipeline role on an artifact bucket's key (read/write). */
export const ARTIFACT_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];

const NARROWED_STAR_REASON = 'The pipeline role\'s key grant on its cross-region replication keys (referenced by alias from another region, so by `*`); '
  + 'an explicit deny in the same policy refuses them on every key but the artifact key that lacks the replication aliases (kms:ResourceAliases).';

/** The replication buckets of aws-cdk-lib's cross-region support stacks, and the policies whose KMS `*` an explicit deny narrows. */
export interface CrossRegionArtifacts {
  readonly replicationBuckets: readonly s3.IBucket[];
  readonly narrowedPolicies: ReadonlySet<iam.CfnPolicy>;
}

/** A pipeline whose stages all deploy in its own region. */
export const NO_CROSS_REGION: CrossRegionArtifacts = { replicationBuckets: [], narrowedPolicies: new Set() };

/**
 * Acknowledges, each by its exact cdk-nag finding ID and on the policy that has it, the
 * AwsSolutions-IAM5 wildcards of the roles CDK Pipelines generates below `pipeline`. The IDs are
 * computed when the tree is validated (after every action has added its statements).
 */
export function acknowledgePipelineFindings(pipeline: IConstruct, crossRegion: CrossRegionArtifacts = NO_CROSS_REGION): void {
  // `arn:aws:s3:::<name>/*` of each replication bucket, resolved once, when the tree is validated.
  let replicationObjects: Set<string> | undefined;
  const replicationObjectsOnce = () => replicationObjects ??= new Set(crossRegion.replicationBuckets.map((b) => `arn:aws:s3:::${Stack.of(pipeline).resolve(b.bucketName)}/*`));
  for (const policy of pipeline.node.findAll().filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy)) {
    const starActions = crossRegion.narrowedPolicies.has(policy) ? new Set([...STAR_ACTIONS, ...ARTIFACT_KEY_ACTIONS]) : STAR_ACTIONS;
    const acknowledged: Record<string, string> = {};
    policy.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, acknowledged);
    policy.node.addValidation({
      validate: () => {
        const document = Stack.of(policy).resolve(policy.policyDocument) as { Statement?: Array<{ Action?: unknown; Resource?: unknown }> } | undefined;
        const statements = (document?.Statement ?? []).map((st) => ({
          actions: ([] as unknown[]).concat(st.Action ?? []).map(String),
          resources: ([] as unknown[]).concat(st.Resource ?? []).map((r) => nagResourceName(policy, r as string)),
        }));
        // cdk-nag names a `*` resource the same for every statement: acknowledged only when no statement puts other actions on it.
        const starOk = statements.every((st) => !st.resources.includes('*') || st.actions.every((a) => starActions.has(a)));
        const kmsOnStar = statements.some((st) => st.resources.includes('*') && st.actions.some((a) => a.startsWith('kms:')));
        const replication = replicationObjectsOnce();
        for (const st of statements) {
          for (const action of st.actions) acknowledge(acknowledged, 'Action', action);
          for (const resource of st.resources) {
            if (replication.has(resource)) {
              acknowledged[`AwsSolutions::AwsSolutions-IAM5[Resource::${resource}]`] = 'Pipeline artifacts are objects under keys CodePipeline generates per execution, in the pipeline\'s cross-region replication bucket.';
            } else if (resource !== '*' || starOk) {
              acknowledge(acknowledged, 'Resource', resource);
            }
          }
        }
        const star = 'AwsSolutions::AwsSolutions-IAM5[Resource::*]';
        if (kmsOnStar && acknowledged[star] !== undefined) acknowledged[star] = `${acknowledged[star]} ${NARROWED_STAR_REASON}`;
        return [];
      },
    });
  }
}

function acknowledge(into: Record<string, string>, kind: 'Action' | 'Resource', value: string): void {
  if (!value.includes('*')) return;
  const known = KNOWN.find((k) => k.kind === kind && k.pattern.test(value));
  if (known) into[`AwsSolutions::AwsSolutions-IAM5[${kind}::${value}]`] = known.reason;
}
