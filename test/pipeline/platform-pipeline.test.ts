import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as fc from 'fast-check';
import {
  PlatformPipeline, PlatformPipelineProps, EnvironmentName, PlatformEnvironment, PlatformSource, Profiles, ValidationError,
} from '../../lib';
import { DEFINITION } from '../../bin/main';
import { SKIP_BUNDLING, synthFindings, testApp } from '../helpers/app';

const TOOLING = '444444444444';
const REGION = 'eu-west-1';
const CONNECTION = `arn:aws:codeconnections:${REGION}:${TOOLING}:connection/1a2b3c4d-5678-90ab-cdef-1234567890ab`;
const ACCOUNTS: Record<EnvironmentName, string> = { dev: '111111111111', staging: '222222222222', prod: '333333333333' };

function env(name: EnvironmentName, account: string, promotesTo: EnvironmentName[]): PlatformEnvironment {
  const profile = { dev: Profiles.DEV, staging: Profiles.STAGING, prod: Profiles.PROD }[name];
  return { name, profile, account, region: REGION, owner: 'ml-platform', costCentre: `cc-${name}`, promotesTo: promotesTo.map((environment) => ({ environment })) };
}

/** Three accounts, each environment promoting to itself (cross-account promotion is not involved). */
const THREE_ACCOUNTS = { dev: env('dev', ACCOUNTS.dev, ['dev']), staging: env('staging', ACCOUNTS.staging, ['staging']), prod: env('prod', ACCOUNTS.prod, ['prod']) };
/** One account: dev owns the account-wide settings, prod releases to staging and then to itself. */
const ONE_ACCOUNT = { dev: env('dev', ACCOUNTS.dev, ['dev']), staging: env('staging', ACCOUNTS.dev, []), prod: env('prod', ACCOUNTS.dev, ['staging', 'prod']) };

interface Built { readonly app: App; readonly tooling: Stack; readonly pipeline: PlatformPipeline }

function build(props: Partial<PlatformPipelineProps> = {}, options: { nag?: boolean; toolingEnv?: { account?: string; region?: string } } = {}): Built {
  const app = testApp(SKIP_BUNDLING);
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const tooling = new Stack(app, 'Tooling', { env: options.toolingEnv ?? { account: TOOLING, region: REGION } });
  const pipeline = new PlatformPipeline(tooling, 'Delivery', {
    definition: DEFINITION, environments: THREE_ACCOUNTS, source: PlatformSource.connection('acme/ml-platform', 'main', CONNECTION), ...props,
  });
  return { app, tooling, pipeline };
}

interface Action { readonly Name: string; readonly RunOrder: number; readonly ActionTypeId: { Provider: string }; readonly RoleArn?: unknown; readonly Configuration?: Record<string, unknown> }
interface PipelineStage { readonly Name: string; readonly Actions: Action[] }

function pipelineStages(t: Template): PipelineStage[] {
  const [pipeline] = Object.values(t.findResources('AWS::CodePipeline::Pipeline'));
  return pipeline.Properties.Stages as PipelineStage[];
}

/** Position (pipeline stage index, run order) of the first and last CloudFormation action that deploys one of `env`'s stacks. */
function deploySpan(stages: PipelineStage[], match: (action: Action) => boolean): { first: [number, number]; last: [number, number] } {
  const at: Array<[number, number]> = [];
  stages.forEach((s, i) => s.Actions.filter((a) => a.ActionTypeId.Provider === 'CloudFormation' && match(a)).forEach((a) => at.push([i, a.RunOrder])));
  if (at.length === 0) throw new Error('no deploy actions');
  const cmp = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];
  at.sort(cmp);
  return { first: at[0], last: at[at.length - 1] };
}
const before = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
// In a wave of several stages, CDK Pipelines prefixes action names with the stage name (`prod.mlops-foundation.Prepare`).
/** Actions of an environment's own stacks (`mlops-<env>-*`). */
const stacksOf = (name: EnvironmentName) => (a: Action) => a.Name.includes(`mlops-${name}-`);
/** The foundation stack of an account (`mlops-foundation`, deployed with the deploy role of that account). */
const foundationIn = (account: string) => (a: Action) => a.Name.includes('mlops-foundation.') && JSON.stringify(a.RoleArn).includes(`::${account}:role/`);

describe('PlatformPipeline, three accounts (each environment promotes to itself)', () => {
  let built: Built;
  let t: Template;
  let findings: { message: string; findings: string[] };
  beforeAll(() => {
    built = build({}, { nag: true });
    findings = synthFindings(built.app);
    t = Template.fromStack(built.tooling);
  });

  test('cdk-nag AwsSolutions: zero unacknowledged findings over the tooling stack and every deployed stage', () => {
    expect(findings.findings).toEqual([]);
    expect(findings.message).toBe('');
  });

  test('the acknowledgements are exact: another wildcard on a pipeline role is still reported', () => {
    const other = build({}, { nag: true });
    other.pipeline.pipeline.synthProject.addToRolePolicy(new iam.PolicyStatement({ actions: ['sagemaker:Describe*'], resources: ['*'] }));
    const result = synthFindings(other.app);
    expect(result.findings.join('\n')).toMatch(/AwsSolutions-IAM5\[Action::sagemaker:Describe\*\]/);
    expect(result.findings.join('\n')).toMatch(/AwsSolutions-IAM5\[Resource::\*\]/);
  });

  test('without another region: no support stack, no deny on the pipeline role (nothing to narrow)', () => {
    expect(Object.keys(built.pipeline.pipeline.pipeline.crossRegionSupport)).toEqual([]);
    expect(JSON.stringify(t.findResources('AWS::IAM::Policy'))).not.toMatch(/OnlyArtifactKeys|"Deny"/);
  });

  test('the synth step runs the README commands (npm ci, npm test, cdk synth) on Node.js 20 and outputs cdk.out', () => {
    const synth = Object.values(t.findResources('AWS::CodeBuild::Project')).map((p) => JSON.parse(p.Properties.Source.BuildSpec as string))
      .find((spec) => spec.artifacts?.['base-directory'] === 'cdk.out');
    expect(synth.phases.build.commands).toEqual(['npm ci', 'npm test', 'npx cdk synth']);
    expect(synth.phases.install['runtime-versions']).toEqual({ nodejs: '20' });
  });

  test('source: the CodeConnections repository and branch', () => {
    const source = pipelineStages(t)[0].Actions[0];
    expect(source.ActionTypeId.Provider).toBe('CodeStarSourceConnection');
    expect(source.Configuration).toMatchObject({ ConnectionArn: CONNECTION, FullRepositoryId: 'acme/ml-platform', BranchName: 'main' });
  });

  test('no Docker: every CodeBuild project runs unprivileged', () => {
    for (const p of Object.values(t.findResources('AWS::CodeBuild::Project'))) expect(p.Properties.Environment.PrivilegedMode).toBe(false);
  });

  test('the pipeline goes source, build, self-update, assets, then dev, staging, prod one at a time', () => {
    expect(pipelineStages(t).map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'dev', 'staging', 'prod']);
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', { Name: 'mlops-delivery' });
    expect(built.pipeline.stageOrder).toEqual([['dev'], ['staging'], ['prod']]);
  });

  test('a manual approval sits before every deploy action of prod, and only before prod', () => {
    const stages = pipelineStages(t);
    const approvals = stages.flatMap((s, i) => s.Actions.filter((a) => a.ActionTypeId.Provider === 'Manual').map((a) => [i, a.RunOrder] as [number, number]));
    expect(approvals).toHaveLength(1);
    expect(stages[approvals[0][0]].Name).toBe('prod');
    expect(before(approvals[0], deploySpan(stages, foundationIn(ACCOUNTS.prod)).first)).toBe(true);
    expect(before(approvals[0], deploySpan(stages, stacksOf('prod')).first)).toBe(true);
  });

  test.each(['dev', 'staging', 'prod'] as const)('%s deploys through its own CDK bootstrap roles (deploy role, CloudFormation execution role)', (name) => {
    const account = ACCOUNTS[name];
    const actions = pipelineStages(t).flatMap((s) => s.Actions).filter((a) => a.ActionTypeId.Provider === 'CloudFormation' && stacksOf(name)(a));
    expect(actions.length).toBeGreaterThan(0);
    for (const a of actions) {
      expect(JSON.stringify(a.RoleArn)).toContain(`:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-${REGION}`);
      if (a.Configuration?.ActionMode === 'CHANGE_SET_REPLACE') {
        expect(JSON.stringify(a.Configuration.RoleArn)).toContain(`:iam::${account}:role/cdk-hnb659fds-cfn-exec-role-${account}-${REGION}`);
      }
    }
  });

  test('cross-account keys: the artifact key lets each target\'s deploy role decrypt the templates', () => {
    const [key] = Object.values(t.findResources('AWS::KMS::Key'));
    const policy = JSON.stringify(key.Properties.KeyPolicy);
    for (const account of Object.values(ACCOUNTS)) expect(policy).toContain(`cdk-hnb659fds-deploy-role-${account}-${REGION}`);
    expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  test('the artifact bucket: the key above, TLS only, server access logs', () => {
    const buckets = t.findResources('AWS::S3::Bucket', { Properties: { LoggingConfiguration: Match.anyValue() } });
    const [artifacts] = Object.values(buckets);
    expect(artifacts.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', { ArtifactStore: { Location: { Ref: Object.keys(buckets)[0] }, EncryptionKey: Match.objectLike({ Type: 'KMS' }) } });
    t.hasResourceProperties('AWS::S3::BucketPolicy', { Bucket: { Ref: Object.keys(buckets)[0] }, PolicyDocument: { Statement: Match.arrayWith([
      Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]) } });
  });
});

describe('PlatformPipeline, prod with a DR region (a cross-region support stack)', () => {
  const DR = 'us-west-2';
  const withDr = { ...THREE_ACCOUNTS, prod: { ...THREE_ACCOUNTS.prod, drRegion: DR } };
  let built: Built;
  let findings: { message: string; findings: string[] };
  let t: Template;
  let support: Template;
  beforeAll(() => {
    built = build({ environments: withDr }, { nag: true });
    findings = synthFindings(built.app);
    t = Template.fromStack(built.tooling);
    support = Template.fromStack(built.pipeline.pipeline.pipeline.crossRegionSupport[DR].stack);
  });
  interface Statement { readonly Sid?: string; readonly Effect: string; readonly Action?: string | string[]; readonly Resource?: unknown }
  const list = (v: unknown): unknown[] => ([] as unknown[]).concat(v ?? []);
  const roleStatements = () => {
    const [policy] = Object.entries(t.findResources('AWS::IAM::Policy')).filter(([id]) => /PipelineRoleDefaultPolicy/.test(id)).map(([, p]) => p);
    return policy.Properties.PolicyDocument.Statement as Statement[];
  };

  test('cdk-nag AwsSolutions: zero unacknowledged findings, the support stack included', () => {
    // The map lists the pipeline's own region too (its artifact bucket); only the DR region has a support stack.
    expect(Object.keys(built.pipeline.pipeline.pipeline.crossRegionSupport).sort()).toEqual([REGION, DR].sort());
    expect(built.pipeline.pipeline.pipeline.crossRegionSupport[REGION].replicationBucket).toBe(built.pipeline.artifactBucket);
    // The own region's entry is the artifact bucket, already logged: it is not logged a second time.
    const logged = Object.entries(t.findResources('AWS::S3::Bucket', { Properties: { LoggingConfiguration: Match.anyValue() } }));
    expect(logged.map(([id, b]) => [id.replace(/[0-9A-F]{8}$/, ''), b.Properties.LoggingConfiguration.LogFilePrefix])).toEqual([['DeliveryArtifacts', 'artifacts/']]);
    expect(Object.keys(t.findResources('AWS::S3::Bucket')).filter((id) => /ReplicationAccessLogs/.test(id))).toEqual([]);
    expect(findings.findings).toEqual([]);
  });

  test('the replication bucket logs its access to a log bucket of its own stack, which admits only that bucket\'s logging', () => {
    const buckets = support.findResources('AWS::S3::Bucket');
    const [replicationId, replication] = Object.entries(buckets).find(([id]) => /ReplicationBucket/.test(id) && !/AccessLogs/.test(id))!;
    const [logsId] = Object.keys(buckets).filter((id) => /ReplicationAccessLogs/.test(id));
    expect(replication.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'replication/' });
    support.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject',
        Condition: Match.objectLike({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [replicationId, 'Arn'] } } }),
      })]) },
    });
  });

  test('the pipeline role\'s key grant on `*` is narrowed by an explicit deny to the artifact key and the replication key\'s alias', () => {
    const statements = roleStatements();
    const kmsOnStar = statements.filter((st) => st.Effect === 'Allow' && list(st.Resource).includes('*') && list(st.Action).some((a) => String(a).startsWith('kms:')));
    expect(kmsOnStar).toHaveLength(1);
    const [alias] = Object.values(support.findResources('AWS::KMS::Alias')).map((a) => a.Properties.AliasName as string);
    const [keyId] = Object.keys(t.findResources('AWS::KMS::Key')).filter((id) => /ArtifactKey/.test(id));
    const deny = statements.filter((st) => st.Effect === 'Deny');
    expect(deny).toEqual([{
      Sid: 'OnlyArtifactKeys', Effect: 'Deny',
      Action: list(kmsOnStar[0].Action).map(String).sort(),
      NotResource: { 'Fn::GetAtt': [keyId, 'Arn'] },
      Condition: { 'ForAllValues:StringNotEquals': { 'kms:ResourceAliases': [alias] } },
    }]);
    expect(alias).toMatch(/^alias\//);
  });
});

describe('PlatformPipeline, one account: prod releases to staging', () => {
  let built: Built;
  let stages: PipelineStage[];
  beforeAll(() => {
    built = build({ environments: ONE_ACCOUNT });
    stages = pipelineStages(Template.fromStack(built.tooling));
  });

  test('dev (the account-settings owner) first, prod (the release) before staging (which serves it)', () => {
    expect(built.pipeline.stageOrder).toEqual([['dev'], ['prod'], ['staging']]);
    expect(stages.slice(4).map((s) => s.Name)).toEqual(['dev', 'prod', 'staging']);
  });

  test('each environment deploys after every environment it reads at deploy time', () => {
    // staging: dev's foundation (catalog key) and prod's registry; prod: dev's foundation.
    const foundation = deploySpan(stages, foundationIn(ACCOUNTS.dev));
    expect(before(foundation.last, deploySpan(stages, stacksOf('prod')).first)).toBe(true);
    expect(before(foundation.last, deploySpan(stages, stacksOf('staging')).first)).toBe(true);
    expect(before(deploySpan(stages, stacksOf('prod')).last, deploySpan(stages, stacksOf('staging')).first)).toBe(true);
    // Only the owner deploys the foundation stack of the account.
    expect(stages.filter((s) => s.Actions.some((a) => a.Name.includes('mlops-foundation.'))).map((s) => s.Name)).toEqual(['dev']);
  });

  test('the approval still sits before prod', () => {
    const prod = stages.find((s) => s.Name === 'prod')!;
    const approval = prod.Actions.find((a) => a.ActionTypeId.Provider === 'Manual')!;
    expect(Math.min(...prod.Actions.filter((a) => a !== approval).map((a) => a.RunOrder))).toBeGreaterThan(approval.RunOrder);
  });
});

describe('PlatformPipeline, parallel waves', () => {
  test('independent environments share one wave; the approval gates only prod\'s actions', () => {
    const built = build({ parallel: true });
    const stages = pipelineStages(Template.fromStack(built.tooling));
    expect(built.pipeline.stageOrder).toEqual([['dev', 'staging', 'prod']]);
    expect(stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'dev-staging-prod']);
    const wave = stages[4];
    const approval = wave.Actions.find((a) => a.ActionTypeId.Provider === 'Manual')!;
    expect(deploySpan([wave], (a) => stacksOf('dev')(a) || foundationIn(ACCOUNTS.dev)(a)).first[1]).toBe(approval.RunOrder);
    expect(deploySpan([wave], foundationIn(ACCOUNTS.prod)).first[1]).toBeGreaterThan(approval.RunOrder);
  });

  test('dependent environments stay in separate waves', () => {
    expect(build({ parallel: true, environments: ONE_ACCOUNT }).pipeline.stageOrder).toEqual([['dev'], ['prod'], ['staging']]);
  });
});

describe('PlatformPipeline options', () => {
  test('a CodeCommit source, custom commands, approvals before staging and prod', () => {
    const app = testApp(SKIP_BUNDLING);
    const tooling = new Stack(app, 'Tooling', { env: { account: TOOLING, region: REGION } });
    const repository = new codecommit.Repository(tooling, 'Repo', { repositoryName: 'ml-platform' });
    new PlatformPipeline(tooling, 'Delivery', {
      definition: DEFINITION, environments: THREE_ACCOUNTS, source: PlatformSource.codeCommit(repository, 'release'),
      synthCommands: ['npm ci', 'npx cdk synth -c env=all'], approvalBefore: ['staging', 'prod'], pipelineName: 'ml-release',
    });
    const t = Template.fromStack(tooling);
    const stages = pipelineStages(t);
    expect(stages[0].Actions[0].ActionTypeId.Provider).toBe('CodeCommit');
    expect(stages[0].Actions[0].Configuration).toMatchObject({ BranchName: 'release' });
    expect(stages.filter((s) => s.Actions.some((a) => a.ActionTypeId.Provider === 'Manual')).map((s) => s.Name)).toEqual(['staging', 'prod']);
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', { Name: 'ml-release' });
    t.hasResourceProperties('AWS::CodeBuild::Project', { Source: { BuildSpec: Match.stringLikeRegexp('npx cdk synth -c env=all') } });
  });
});

describe('PlatformPipeline validation', () => {
  const fails = (props: Partial<PlatformPipelineProps>, pattern: RegExp, toolingEnv?: { account?: string; region?: string }) => {
    let error: unknown;
    try {
      build(props, { toolingEnv });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(pattern);
  };

  test('fails when the tooling stack has no explicit account', () => {
    fails({}, /env\.account of the tooling stack Tooling \("unresolved \(environment-agnostic\)"\): must be an explicit account ID/, {});
  });

  test('fails when the connection source has a bad repository, branch or connection ARN (all reported at once)', () => {
    fails({ source: PlatformSource.connection('ml-platform', 'my branch', 'arn:aws:iam::444444444444:role/x') },
      /source\.repository \("ml-platform"\)[\s\S]*source\.branch \("my branch"\)[\s\S]*source\.connectionArn \("arn:aws:iam::444444444444:role\/x"\)/);
  });

  test('fails when the source is a plain value', () => {
    fails({ source: 'acme/ml-platform' as unknown as PlatformSource }, /source \("acme\/ml-platform"\): must be a PlatformSource/);
  });

  test('fails when no environment is configured', () => {
    fails({ environments: {} }, /environments \(\{\}\): must configure at least one of dev, staging, prod/);
  });

  test('fails when an environment has no account or region', () => {
    fails({ environments: { ...THREE_ACCOUNTS, staging: { ...THREE_ACCOUNTS.staging, account: undefined, region: undefined } } },
      /environments\.staging\.account \(undefined\): must be set[\s\S]*environments\.staging\.region \(undefined\): must be set/);
  });

  test('fails when an environment is in another region than the tooling stack', () => {
    fails({ environments: { ...THREE_ACCOUNTS, prod: { ...THREE_ACCOUNTS.prod, region: 'us-east-1' } } },
      /environments\.prod\.region \("us-east-1"\): must be the tooling stack's region \(eu-west-1\): cross-region deployment is not supported/);
  });

  test('fails when an approval names an environment that is not configured', () => {
    fails({ environments: { dev: THREE_ACCOUNTS.dev }, approvalBefore: ['prod'] }, /approvalBefore \("prod"\): must name configured environments: dev/);
  });

  test('fails when the synth commands do not run cdk synth', () => {
    fails({ synthCommands: ['npm ci', 'npm test'] }, /synthCommands \(\["npm ci","npm test"\]\): must run cdk synth/);
    fails({ synthCommands: [] }, /synthCommands \(\[\]\): must list at least one command/);
  });

  test('fails when the pipeline name is not a CodePipeline name', () => {
    fails({ pipelineName: 'ml release!' }, /pipelineName \("ml release!"\): must be 1-100 letters/);
  });

  test('fails when two environments read each other (no deployment order exists)', () => {
    const cycle = { dev: env('dev', ACCOUNTS.dev, ['dev']), staging: env('staging', ACCOUNTS.dev, ['prod']), prod: env('prod', ACCOUNTS.dev, ['staging']) };
    fails({ environments: cycle }, /environments\.\*\.promotesTo \("staging reads prod; prod reads staging"\): each environment must be deployable after/);
  });

  test('random bad sources, accounts and synth commands always give a ValidationError naming the property, never a crash or a pipeline', () => {
    const word = fc.string({ minLength: 1, maxLength: 12 });
    const cases = fc.oneof(
      word.filter((r) => !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+$/.test(r)).map((r) => ({ props: { source: PlatformSource.connection(r, 'main', CONNECTION) }, property: /^source\.repository$/ })),
      word.filter((b) => /[\s~^:?*[\\]|\.\./.test(b)).map((b) => ({ props: { source: PlatformSource.connection('a/b', b, CONNECTION) }, property: /^source\.branch$/ })),
      word.map((a) => ({ props: { source: PlatformSource.connection('a/b', 'main', `arn:aws:s3:::${a}`) }, property: /^source\.connectionArn$/ })),
      fc.constantFrom<EnvironmentName>('dev', 'staging', 'prod').map((n) => ({
        props: { environments: { ...THREE_ACCOUNTS, [n]: { ...THREE_ACCOUNTS[n], account: undefined } } }, property: new RegExp(`^environments\\.${n}\\.account$`),
      })),
      fc.array(word.filter((c) => !/cdk\s+synth/.test(c)), { maxLength: 3 }).map((c) => ({ props: { synthCommands: c }, property: /^synthCommands/ })),
    );
    let n = 0;
    fc.assert(fc.property(cases, ({ props, property }) => {
      const app = testApp();
      const tooling = new Stack(app, `Case${n++}`, { env: { account: TOOLING, region: REGION } });
      let error: unknown;
      try {
        new PlatformPipeline(tooling, 'Delivery', { definition: DEFINITION, environments: THREE_ACCOUNTS, source: PlatformSource.connection('acme/ml-platform', 'main', CONNECTION), ...props });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).problems.some((p) => property.test(p.property))).toBe(true);
      expect((error as ValidationError).constructPath).toMatch(/^Case\d+\/Delivery$/);
    }), { numRuns: 100 });
  });
});
