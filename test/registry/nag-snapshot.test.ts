import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ALLOW_DESTROY_CONTEXT, EnvironmentProfile, Profiles } from '../../lib';
import { ModelRegistry } from '../../lib/registry';
import { logicalIdsOf, normalizedTemplate, testStack } from '../helpers/app';
import { MODELS } from './helpers';

const STATEFUL_TYPES = ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::ECR::Repository', 'AWS::SageMaker::ModelPackageGroup', 'AWS::SageMaker::MlflowTrackingServer'];

/** A registry with every option and a consumer of every grant. */
function fullRegistry(nag: boolean, profile?: EnvironmentProfile, context: Record<string, unknown> = {}) {
  const stack = testStack({ nag, profile, context });
  const registry = new ModelRegistry(stack, 'Registry', {
    models: MODELS,
    crossAccountReaders: ['arn:aws:iam::111111111111:role/mlops-prod-serve-churn'],
    mlflow: { enabled: true, automaticModelRegistration: true },
  });
  const role = new iam.Role(stack, 'Consumer', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  registry.grantRegister(role, 'churn');
  registry.grantRead(role);
  registry.grantPull(role);
  registry.grantPush(role);
  registry.grantApprove(role, 'fraud-score');
  registry.grantTracking(role);
  registry.onApproved('Promote', { model: 'churn' });
  return { stack, registry };
}

describe('ModelRegistry cdk-nag AwsSolutions', () => {
  test('every option and every grant: zero unacknowledged findings', () => {
    const { stack } = fullRegistry(true);
    expect(() => (stack.node.root as App).synth()).not.toThrow();
  });

  test('the check is live: an unacknowledged wildcard is reported', () => {
    const { stack } = fullRegistry(true);
    const role = new iam.Role(stack, 'Sloppy', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['sagemaker:DescribeModelPackage'], resources: ['*'] }));
    expect(() => (stack.node.root as App).synth()).toThrow(/AwsSolutions-IAM5/);
  });
});

describe('ModelRegistry stateful resources', () => {
  const template = (profile: EnvironmentProfile, context: Record<string, unknown> = {}) => Template.fromStack(fullRegistry(false, profile, context).stack);
  // The allow-destroy flag is set everywhere: only the dev profile may honour it.
  const templates = {
    staging: template(Profiles.STAGING, { [ALLOW_DESTROY_CONTEXT]: true }),
    prod: template(Profiles.PROD, { [ALLOW_DESTROY_CONTEXT]: true }),
  };

  test('logical IDs of stateful resources are pinned (changing them replaces data: a breaking change)', () => {
    expect(STATEFUL_TYPES.flatMap((type) => logicalIdsOf(templates.prod, type))).toEqual([
      'EventDeadLettersKey62B0E3BA',
      'RegistryKey1053ED4C',
      'RegistryAccessLogBucketA175D8BB', 'RegistryArtifactBucketE7127E99',
      'RegistryInferenceRepository99D60B47', 'RegistryTrainingRepository94BF42BE',
      'RegistryModelPackageGroupschurn41A4D483', 'RegistryModelPackageGroupsfraudscore665892FF',
      'RegistryMlflow07C1356F',
    ]);
  });

  test.each(['staging', 'prod'] as const)('in %s everything stateful retains on delete and on replacement, even with the allow-destroy flag', (env) => {
    for (const type of STATEFUL_TYPES) {
      const resources = Object.values(templates[env].findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) {
        expect(r.DeletionPolicy).toBe('Retain');
        expect(r.UpdateReplacePolicy).toBe('Retain');
      }
    }
  });

  test('dev deletes only with the allow-destroy flag', () => {
    const kept = template(Profiles.DEV);
    const deleted = template(Profiles.DEV, { [ALLOW_DESTROY_CONTEXT]: 'true' });
    for (const type of STATEFUL_TYPES) {
      for (const r of Object.values(kept.findResources(type))) expect(r.DeletionPolicy).toBe('Retain');
      for (const r of Object.values(deleted.findResources(type))) {
        expect(r.DeletionPolicy).toBe('Delete');
        expect(r.UpdateReplacePolicy).toBe('Delete');
      }
    }
  });
});

describe('ModelRegistry snapshot', () => {
  test('defaults (prod profile), normalized', () => {
    const stack = testStack();
    new ModelRegistry(stack, 'Registry', { models: [{ name: 'churn' }] });
    expect(normalizedTemplate(stack)).toMatchSnapshot();
  });
});
