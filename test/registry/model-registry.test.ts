import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Profiles, ValidationError } from '../../lib';
import { ModelRegistry, REGISTRATION_APPROVAL_STATUS, TrackingServerSize } from '../../lib/registry';
import { testStack } from '../helpers/app';
import { MODELS, buildRegistry, conditionHolds, logicalId, roleActions, roleStatements } from './helpers';

const ACCOUNT = '123456789012';
const groupArn = (name: string) => `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model-package-group/${name}`;
const packagesArn = (name: string) => `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model-package/${name}/*`;
const role = (scope: ConstructorParameters<typeof iam.Role>[0], id: string) =>
  new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });

// One default registry with every consumer-side addition (grants, rules), and one with every
// option, each synthesized once: the assertions below read these two templates.
const base = buildRegistry();
const topic = new sns.Topic(base.stack, 'Topic');
const promoteAll = base.registry.onApproved('PromoteAll');
const promoteChurn = base.registry.onApproved('PromoteChurn', {
  model: 'churn', description: 'Promote churn', target: new targets.SnsTopic(topic),
  eventPattern: { detail: { ModelPackageArn: [{ prefix: 'arn:' }] } },
});
base.registry.grantRegister(role(base.stack, 'Trainer'), 'churn');
base.registry.grantRegister(role(base.stack, 'AllTrainer'));
base.registry.grantRead(role(base.stack, 'Reader'), 'fraud-score');
base.registry.grantPull(role(base.stack, 'Puller'));
base.registry.grantPush(role(base.stack, 'Builder'));
base.registry.grantApprove(role(base.stack, 'Approver'), 'churn');

const READER_ACCOUNTS = ['111111111111', '222222222222'];
// Exact roles of the reader accounts (a model's endpoint role in each, and one account's CloudFormation execution role).
const READERS = ['arn:aws:iam::111111111111:role/mlops-staging-serve-churn', 'arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-us-east-1', 'arn:aws:iam::222222222222:role/mlops-prod-serve-churn'];
const fullStack = testStack();
const sharedLogs = new s3.Bucket(fullStack, 'SharedLogs', { encryption: s3.BucketEncryption.S3_MANAGED });
const full = new ModelRegistry(fullStack, 'Registry', {
  models: MODELS,
  crossAccountReaders: READERS,
  imageRetention: 3,
  accessLogBucket: sharedLogs,
  mlflow: { enabled: true, size: TrackingServerSize.MEDIUM, mlflowVersion: '2.16.2', weeklyMaintenanceWindowStart: 'Sun:03:30' },
});
full.grantTracking(role(fullStack, 'Scientist'));
const fullTemplate = Template.fromStack(fullStack);

describe('ModelRegistry model package groups', () => {
  const { stack, template, registry } = base;

  test('one group per declared model, named <project>-<env>-<model>, described, retained', () => {
    template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 2);
    template.hasResource('AWS::SageMaker::ModelPackageGroup', {
      Properties: { ModelPackageGroupName: 'mlops-prod-churn', ModelPackageGroupDescription: 'Versions of model churn, registered by Test/Registry' },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', {
      ModelPackageGroupName: 'mlops-prod-fraud-score', ModelPackageGroupDescription: 'Card fraud score',
    });
  });

  test('without cross-account readers the groups have no resource policy', () => {
    for (const g of Object.values(template.findResources('AWS::SageMaker::ModelPackageGroup'))) {
      expect(g.Properties.ModelPackageGroupPolicy).toBeUndefined();
    }
  });

  test('exposes names, ARNs and artifact prefixes of declared models', () => {
    expect(registry.models).toEqual(['churn', 'fraud-score']);
    expect(registry.hasModel('churn')).toBe(true);
    expect(registry.hasModel('nope')).toBe(false);
    expect(registry.modelPackageGroupName('fraud-score')).toBe('mlops-prod-fraud-score');
    expect(stack.resolve(registry.modelPackageGroupArn('churn'))).toBe(groupArn('mlops-prod-churn'));
    expect(registry.artifactPrefix('churn')).toBe('models/churn/');
  });

  test('fails when a method names a model that is not declared', () => {
    for (const call of [
      () => registry.modelPackageGroupName('nope'), () => registry.modelPackageGroupArn('nope'), () => registry.artifactPrefix('nope'),
      () => registry.grantRead(new iam.AccountRootPrincipal(), 'nope'), () => registry.onApproved('Nope', { model: 'nope' }),
    ]) {
      expect(call).toThrow(ValidationError);
      expect(call).toThrow(/model \("nope"\): is not a model of this registry; declared: churn, fraud-score/);
    }
  });
});

describe('ModelRegistry artifact bucket', () => {
  const { template, registry } = base;
  const bucketId = logicalId(template, 'AWS::S3::Bucket', 'RegistryArtifactBucket');
  const keyId = logicalId(template, 'AWS::KMS::Key', 'RegistryKey');
  const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === bucketId)!;
  const statements = policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;

  test('one customer-managed key with rotation (besides the stack\'s dead-letter key of its rules, issue 16)', () => {
    const keys = Object.keys(template.findResources('AWS::KMS::Key'));
    expect(keys).toHaveLength(2);
    expect(keys.filter((id) => id !== keyId)).toEqual([expect.stringMatching(/^EventDeadLettersKey/)]);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('encrypted with the registry key (bucket key on), versioned, private, owner-enforced, noncurrent versions expire', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: { Rules: [Match.objectLike({
        NoncurrentVersionExpiration: { NoncurrentDays: Profiles.PROD.noncurrentVersionRetention.toDays() },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      })] },
    });
    expect(registry.artifactBucket.node.defaultChild).toBeDefined();
  });

  test('TLS only: denies insecure transport and TLS below 1.2', () => {
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
    ]));
  });

  describe('denies uploads not encrypted with the registry key, but not uploads that rely on the default', () => {
    const denies = statements.filter((s) => s.Effect === 'Deny' && s.Action === 's3:PutObject');
    const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };
    const SSE = 's3:x-amz-server-side-encryption';
    const KEY = 's3:x-amz-server-side-encryption-aws-kms-key-id';
    const denied = (context: Record<string, unknown>) =>
      denies.filter((s) => conditionHolds(s.Condition as Record<string, Record<string, unknown>>, context)).map((s) => s.Sid);

    test('three deny statements on PutObject, each guarded by a Null condition on the header it inspects', () => {
      expect(denies.map((s) => s.Sid)).toEqual(['DenyUnexpectedEncryption', 'DenyOtherKmsKey', 'DenyKmsWithoutKey']);
      for (const s of denies) expect(Object.keys(s.Condition as object)).toContain('Null');
    });

    test.each([
      ['no encryption headers (the bucket default applies)', {}],
      ['aws:kms with the registry key ARN', { [SSE]: 'aws:kms', [KEY]: keyArn }],
    ])('allows %s', (_, context) => {
      expect(denied(context)).toEqual([]);
    });

    test.each([
      ['SSE-S3 (AES256)', { [SSE]: 'AES256' }, ['DenyUnexpectedEncryption', 'DenyKmsWithoutKey']],
      ['DSSE-KMS', { [SSE]: 'aws:kms:dsse', [KEY]: keyArn }, ['DenyUnexpectedEncryption']],
      ['another KMS key', { [SSE]: 'aws:kms', [KEY]: 'arn:aws:kms:us-east-1:123456789012:key/other' }, ['DenyOtherKmsKey']],
      ['the registry key by alias instead of ARN', { [SSE]: 'aws:kms', [KEY]: 'alias/registry' }, ['DenyOtherKmsKey']],
      ['aws:kms without a key (S3 would use the AWS managed key)', { [SSE]: 'aws:kms' }, ['DenyKmsWithoutKey']],
    ])('denies %s', (_, context, sids) => {
      expect(denied(context)).toEqual(sids);
    });
  });

  test('server access logs go to an SSE-S3 log bucket of its own under model-registry/, allowed by bucket policy', () => {
    const logId = logicalId(template, 'AWS::S3::Bucket', 'RegistryAccessLogBucket');
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: logId }, LogFilePrefix: 'model-registry/' },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: Profiles.PROD.accessLogRetention.toDays() })] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject',
        Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId, 'Arn'] } }, StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      })]) },
    });
  });

  test('a given access-log bucket is used instead of a new one', () => {
    fullTemplate.resourceCountIs('AWS::S3::Bucket', 2);
    expect(full.accessLogBucket).toBe(sharedLogs);
    const logsId = logicalId(fullTemplate, 'AWS::S3::Bucket', 'SharedLogs');
    fullTemplate.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'model-registry/' } });
    fullTemplate.hasResourceProperties('AWS::S3::BucketPolicy', { Bucket: { Ref: logsId }, PolicyDocument: { Statement: Match.arrayWith([
      Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' } })]) } });
  });
});

describe('ModelRegistry ECR repositories', () => {
  const { template } = base;

  test('training and inference repositories: scan on push, immutable tags, KMS with the registry key, retained', () => {
    const keyId = logicalId(template, 'AWS::KMS::Key', 'RegistryKey');
    for (const name of ['mlops-prod-training', 'mlops-prod-inference']) {
      template.hasResource('AWS::ECR::Repository', {
        Properties: Match.objectLike({
          RepositoryName: name,
          ImageScanningConfiguration: { ScanOnPush: true },
          ImageTagMutability: 'IMMUTABLE',
          EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [keyId, 'Arn'] } },
          EmptyOnDelete: false,
        }),
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
    template.resourceCountIs('AWS::ECR::Repository', 2);
  });

  test.each([[undefined, 20], [3, 3]])('imageRetention %p keeps the last %p images', (imageRetention, count) => {
    const t = imageRetention === undefined ? template : fullTemplate;
    for (const repo of Object.values(t.findResources('AWS::ECR::Repository'))) {
      const policy = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText);
      expect(policy.rules).toEqual([expect.objectContaining({
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: count },
        action: { type: 'expire' },
      })]);
    }
  });
});

describe('ModelRegistry approval gate', () => {
  const { stack, template, registry } = base;
  const pattern = (groups: string[], status: string) => ({
    'source': ['aws.sagemaker'],
    'detail-type': ['SageMaker Model Package State Change'],
    'detail': { ModelPackageGroupName: groups, ModelApprovalStatus: [status] },
  });

  test('the registry owns one rule on approvals and one on rejections of its groups', () => {
    const all = ['mlops-prod-churn', 'mlops-prod-fraud-score'];
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: pattern(all, 'Approved'), Description: Match.stringLikeRegexp('approved') });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: pattern(all, 'Rejected'), Description: Match.stringLikeRegexp('rejected') });
    expect(registry.approvalRule).not.toBe(registry.rejectionRule);
  });

  test('onApproved adds rules for consumers: all models, or one model with a target and extra pattern fields', () => {
    expect(stack.resolve(promoteAll.ruleName)).toEqual({ Ref: logicalId(template, 'AWS::Events::Rule', 'RegistryPromoteAll') });
    template.hasResourceProperties('AWS::Events::Rule', {
      Description: 'Promote churn',
      EventPattern: {
        'source': ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Package State Change'],
        'detail': { ModelPackageArn: [{ prefix: 'arn:' }], ModelPackageGroupName: ['mlops-prod-churn'], ModelApprovalStatus: ['Approved'] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: logicalId(template, 'AWS::SNS::Topic', 'Topic') } })],
    });
    expect(promoteChurn).toBeInstanceOf(events.Rule);
    template.resourceCountIs('AWS::Events::Rule', 4);
  });

  test('a consumer cannot widen the status or groups through eventPattern', () => {
    const rule = registry.onApproved('Sneaky', { eventPattern: { detail: { ModelApprovalStatus: ['Rejected'], ModelPackageGroupName: ['other'] } } });
    const p = stack.resolve((rule.node.defaultChild as events.CfnRule).eventPattern);
    expect(p.detail).toEqual({ ModelPackageGroupName: ['mlops-prod-churn', 'mlops-prod-fraud-score'], ModelApprovalStatus: ['Approved'] });
  });

  test('metricApprovals and metricRejections count the registry rules (AWS/Events TriggeredRules, Sum over 5 minutes)', () => {
    for (const [metric, rule] of [[registry.metricApprovals(), registry.approvalRule], [registry.metricRejections(), registry.rejectionRule]] as const) {
      expect(metric.namespace).toBe('AWS/Events');
      expect(metric.metricName).toBe('TriggeredRules');
      expect(metric.statistic).toBe('Sum');
      expect(metric.period.toMinutes()).toBe(5);
      expect(stack.resolve(metric.dimensions)).toEqual({ RuleName: stack.resolve(rule.ruleName) });
    }
    expect(registry.metricApprovals({ period: registry.metricApprovals().period.plus(registry.metricApprovals().period) }).period.toMinutes()).toBe(10);
  });
});

describe('ModelRegistry grants', () => {
  const { template } = base;
  const bucketId = logicalId(template, 'AWS::S3::Bucket', 'RegistryArtifactBucket');
  const keyArn = { 'Fn::GetAtt': [logicalId(template, 'AWS::KMS::Key', 'RegistryKey'), 'Arn'] };
  const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${prefix}*`]] });

  test('grantRegister: CreateModelPackage only as PendingManualApproval, on the model group and its versions', () => {
    expect(REGISTRATION_APPROVAL_STATUS).toBe('PendingManualApproval');
    expect(roleStatements(template, 'Trainer')).toContainEqual({
      Effect: 'Allow',
      Action: 'sagemaker:CreateModelPackage',
      Resource: [groupArn('mlops-prod-churn'), packagesArn('mlops-prod-churn')],
      Condition: { StringEquals: { 'sagemaker:ModelApprovalStatus': REGISTRATION_APPROVAL_STATUS } },
    });
    const create = roleStatements(template, 'Trainer').filter((s) => ([] as string[]).concat(s.Action as string).includes('sagemaker:CreateModelPackage'));
    expect(create).toHaveLength(1);
    // Nothing that could approve: the gate stays with grantApprove.
    expect(roleActions(template, 'Trainer')).not.toContain('sagemaker:UpdateModelPackage');
  });

  test('the registration condition lets only PendingManualApproval requests through', () => {
    const condition = { StringEquals: { 'sagemaker:ModelApprovalStatus': REGISTRATION_APPROVAL_STATUS } };
    expect(conditionHolds(condition, { 'sagemaker:ModelApprovalStatus': 'PendingManualApproval' })).toBe(true);
    expect(conditionHolds(condition, { 'sagemaker:ModelApprovalStatus': 'Approved' })).toBe(false);
    expect(conditionHolds(condition, {})).toBe(false);
  });

  test('grantRegister: describe/list, write to the model artifact prefix only (no delete), and the key', () => {
    const statements = roleStatements(template, 'Trainer');
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['sagemaker:AddTags', 'sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup', 'sagemaker:ListModelPackages'],
      Resource: [groupArn('mlops-prod-churn'), packagesArn('mlops-prod-churn')],
    }));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['s3:PutObject', 's3:GetObject', 's3:ListBucket']),
      Resource: [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, objects('models/churn/')],
    }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: keyArn }));
    expect(roleActions(template, 'Trainer')).not.toContain('s3:DeleteObject');
  });

  test('grantRegister without a model covers every group and the whole models/ prefix', () => {
    const statements = roleStatements(template, 'AllTrainer');
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 'sagemaker:CreateModelPackage',
      Resource: [groupArn('mlops-prod-churn'), groupArn('mlops-prod-fraud-score'), packagesArn('mlops-prod-churn'), packagesArn('mlops-prod-fraud-score')],
    }));
    expect(JSON.stringify(statements)).toContain(JSON.stringify(objects('models/')));
  });

  test('grantRead: describe/list packages, read the artifact prefix, decrypt; nothing that writes', () => {
    const statements = roleStatements(template, 'Reader');
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup', 'sagemaker:ListModelPackages'],
      Resource: [groupArn('mlops-prod-fraud-score'), packagesArn('mlops-prod-fraud-score')],
    }));
    expect(statements).toContainEqual(expect.objectContaining({ Resource: [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, objects('models/fraud-score/')] }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: keyArn }));
    const actions = roleActions(template, 'Reader');
    for (const write of ['s3:PutObject', 'kms:Encrypt', 'kms:GenerateDataKey', 'sagemaker:CreateModelPackage', 'sagemaker:UpdateModelPackage']) {
      expect(actions).not.toContain(write);
    }
  });

  test('grantPull: pull from both repositories, registry login on *, no push', () => {
    const repos = ['RegistryInferenceRepository', 'RegistryTrainingRepository'].map((p) => ({ 'Fn::GetAtt': [logicalId(template, 'AWS::ECR::Repository', p), 'Arn'] }));
    const statements = roleStatements(template, 'Puller');
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: repos });
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' });
    expect(roleActions(template, 'Puller')).not.toContain('ecr:PutImage');
  });

  test('grantPush and grantApprove', () => {
    expect(roleActions(template, 'Builder')).toEqual(expect.arrayContaining(['ecr:PutImage', 'ecr:CompleteLayerUpload', 'ecr:GetAuthorizationToken']));
    expect(roleStatements(template, 'Approver')).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['sagemaker:UpdateModelPackage']),
      Resource: [groupArn('mlops-prod-churn'), packagesArn('mlops-prod-churn')],
    }));
  });

  test('no grant uses a wildcard action', () => {
    for (const prefix of ['Trainer', 'AllTrainer', 'Reader', 'Puller', 'Builder', 'Approver']) {
      for (const a of roleActions(template, prefix)) expect(a).not.toMatch(/\*/);
    }
  });
});

describe('ModelRegistry cross-account read', () => {
  const template = fullTemplate;
  // The reader roles' accounts are the principals, admitted only for the exact role ARNs (ArnEquals aws:PrincipalArn).
  const roots = READER_ACCOUNTS.map((a) => `arn:aws:iam::${a}:root`);
  const exact = { ArnEquals: { 'aws:PrincipalArn': READERS } };
  const bucketId = logicalId(template, 'AWS::S3::Bucket', 'RegistryArtifactBucket');

  test('each group policy lets the reader roles (and nothing else of their accounts) describe and list that group and its versions only', () => {
    template.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', {
      ModelPackageGroupName: 'mlops-prod-churn',
      ModelPackageGroupPolicy: { Version: '2012-10-17', Statement: [{
        Sid: 'CrossAccountRead', Effect: 'Allow', Principal: { AWS: roots }, Condition: exact,
        Action: ['sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup', 'sagemaker:ListModelPackages'],
        Resource: [groupArn('mlops-prod-churn'), packagesArn('mlops-prod-churn')],
      }] },
    });
  });

  test('the bucket lets them read the models/ prefix, the key lets them decrypt through S3 only', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: { Statement: Match.arrayWith([
        Match.objectLike({ Sid: 'CrossAccountReadArtifacts', Principal: { AWS: roots }, Condition: exact, Action: ['s3:GetObject', 's3:GetObjectVersion'],
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/models/*']] } }),
        Match.objectLike({ Sid: 'CrossAccountListArtifacts', Principal: { AWS: roots }, Condition: exact }),
      ]) },
    });
    template.hasResourceProperties('AWS::KMS::Key', { KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
      Sid: 'CrossAccountDecryptArtifacts', Principal: { AWS: roots }, Action: ['kms:Decrypt', 'kms:DescribeKey'],
      Condition: { ...exact, StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
    })]) } });
  });

  test('they may pull inference images, not training images', () => {
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'mlops-prod-inference',
      RepositoryPolicyText: { Statement: [Match.objectLike({ Sid: 'CrossAccountPull', Principal: { AWS: roots }, Condition: exact,
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] })] },
    });
    const training = Object.values(template.findResources('AWS::ECR::Repository')).find((r) => r.Properties.RepositoryName === 'mlops-prod-training')!;
    expect(training.Properties.RepositoryPolicyText).toBeUndefined();
  });
});

describe('ModelRegistry MLflow tracking server', () => {
  test('off by default; grantTracking then fails clearly', () => {
    const { template, registry } = base;
    template.resourceCountIs('AWS::SageMaker::MlflowTrackingServer', 0);
    expect(registry.trackingServerArn).toBeUndefined();
    expect(() => registry.grantTracking(new iam.AccountRootPrincipal())).toThrow(/grantTracking \("called"\): needs the MLflow tracking server/);
  });

  const template = fullTemplate;
  const registry = full;
  const stack = fullStack;
  const bucketId = logicalId(template, 'AWS::S3::Bucket', 'RegistryArtifactBucket');
  const serverId = logicalId(template, 'AWS::SageMaker::MlflowTrackingServer', 'RegistryMlflow');

  test('the server stores artifacts under mlflow/ in the artifact bucket, is sized, named, retained and does not auto-register', () => {
    template.hasResource('AWS::SageMaker::MlflowTrackingServer', {
      Properties: Match.objectLike({
        TrackingServerName: 'mlops-prod-mlflow',
        ArtifactStoreUri: { 'Fn::Join': ['', ['s3://', { Ref: bucketId }, '/mlflow/']] },
        TrackingServerSize: 'Medium',
        MlflowVersion: '2.16.2',
        WeeklyMaintenanceWindowStart: 'Sun:03:30',
        AutomaticModelRegistration: false,
        RoleArn: { 'Fn::GetAtt': [logicalId(template, 'AWS::IAM::Role', 'RegistryMlflowRole'), 'Arn'] },
      }),
      DeletionPolicy: 'Retain',
      DependsOn: [logicalId(template, 'AWS::IAM::Policy', 'RegistryMlflowRoleDefaultPolicy')],
    });
    expect(stack.resolve(registry.trackingArtifactStoreUri)).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: bucketId }, '/mlflow/']] });
  });

  test('its role is assumed by SageMaker and may use only the mlflow/ prefix and the key', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })] },
    });
    const statements = roleStatements(template, 'RegistryMlflowRole');
    expect(statements).toContainEqual(expect.objectContaining({
      Resource: [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/mlflow/*']] }],
    }));
    expect(roleActions(template, 'RegistryMlflowRole')).not.toContain('sagemaker:CreateModelPackage');
  });

  test('grantTracking: tracking-server actions on this server, mlflow/ objects and the key', () => {
    const statements = roleStatements(template, 'Scientist');
    expect(statements).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['sagemaker-mlflow:LogMetric', 'sagemaker-mlflow:CreateRun', 'sagemaker:CreatePresignedMlflowTrackingServerUrl']),
      Resource: { 'Fn::GetAtt': [serverId, 'TrackingServerArn'] },
    }));
    expect(JSON.stringify(statements)).toContain('/mlflow/*');
  });

  test('automatic model registration is gated like any registration', () => {
    const auto = buildRegistry({ mlflow: { enabled: true, automaticModelRegistration: true } }).template;
    auto.hasResourceProperties('AWS::SageMaker::MlflowTrackingServer', { AutomaticModelRegistration: true, TrackingServerSize: 'Small' });
    expect(roleStatements(auto, 'RegistryMlflowRole')).toContainEqual(expect.objectContaining({
      Action: 'sagemaker:CreateModelPackage',
      Condition: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'PendingManualApproval' } },
    }));
  });
});
