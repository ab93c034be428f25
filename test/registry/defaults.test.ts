import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { Profiles } from '../../lib';
import { ModelRegistry, REGISTRY_DEFAULTS, TrackingServerSize } from '../../lib/registry';
import { testStack } from '../helpers/app';
import { documentedDefaults } from '../helpers/docs';

const PROPS_FILE = 'lib/registry/model-registry-props.ts';
const DOCS = documentedDefaults(PROPS_FILE);
const SOURCE = fs.readFileSync(path.join(__dirname, '..', '..', PROPS_FILE), 'utf8');

describe('ModelRegistry documented defaults are the ones used', () => {
  test('the docs state the values in REGISTRY_DEFAULTS', () => {
    expect(DOCS.get('ModelRegistryProps.imageRetention')).toBe(String(REGISTRY_DEFAULTS.imageRetention));
    expect(DOCS.get('MlflowOptions.size')).toBe(`TrackingServerSize.${REGISTRY_DEFAULTS.mlflowSize.name.toUpperCase()}`);
    expect(REGISTRY_DEFAULTS.mlflowSize).toBe(TrackingServerSize.SMALL);
    expect(DOCS.get('MlflowOptions.automaticModelRegistration')).toBe(String(REGISTRY_DEFAULTS.automaticModelRegistration));
    expect(DOCS.get('ModelDeclaration.description')).toBe('`Versions of model <name>, registered by <construct path>`');
    expect(DOCS.get('ModelRegistryProps.crossAccountReaders')).toBe('no cross-account access');
    expect(DOCS.get('ModelRegistryProps.mlflow')).toBe('no tracking server');
    expect(DOCS.get('ModelRegistryProps.accessLogBucket')).toBe('a new SSE-S3 bucket of the registry\'s own');
    // The prefixes the docs promise are the ones the code uses.
    expect(SOURCE).toContain(`(under \`${REGISTRY_DEFAULTS.accessLogPrefix}\`)`);
    expect(SOURCE).toContain(`artifact store under \`${REGISTRY_DEFAULTS.mlflowPrefix}\``);
    expect(SOURCE).toContain(`artifact prefix \`${REGISTRY_DEFAULTS.modelsPrefix}<name>/\``);
  });

  test('a registry with only required props synthesizes exactly those defaults', () => {
    const stack = testStack({ profile: Profiles.STAGING });
    const registry = new ModelRegistry(stack, 'Registry', { models: [{ name: 'churn' }] });
    const mlflowStack = testStack({ profile: Profiles.STAGING });
    new ModelRegistry(mlflowStack, 'Registry', { models: [{ name: 'churn' }], mlflow: { enabled: true } });
    const t = Template.fromStack(stack);

    for (const repo of Object.values(t.findResources('AWS::ECR::Repository'))) {
      expect(JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules[0].selection.countNumber).toBe(REGISTRY_DEFAULTS.imageRetention);
    }
    t.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', {
      ModelPackageGroupName: 'mlops-staging-churn',
      ModelPackageGroupDescription: 'Versions of model churn, registered by Test/Registry',
    });
    for (const g of Object.values(t.findResources('AWS::SageMaker::ModelPackageGroup'))) expect(g.Properties.ModelPackageGroupPolicy).toBeUndefined();
    t.resourceCountIs('AWS::SageMaker::MlflowTrackingServer', 0);
    t.resourceCountIs('AWS::S3::Bucket', 2);
    t.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { LogFilePrefix: REGISTRY_DEFAULTS.accessLogPrefix } });
    t.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [{
      Id: 'ExpireNoncurrentVersions', Status: 'Enabled',
      NoncurrentVersionExpiration: { NoncurrentDays: Profiles.STAGING.noncurrentVersionRetention.toDays() },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: REGISTRY_DEFAULTS.abortIncompleteMultipartUploadAfter.toDays() },
    }] } });
    expect(registry.artifactPrefix('churn')).toBe(`${REGISTRY_DEFAULTS.modelsPrefix}churn/`);
    expect(registry.removalPolicy).toBe(Profiles.STAGING.removalPolicy);

    const server = Object.values(Template.fromStack(mlflowStack).findResources('AWS::SageMaker::MlflowTrackingServer'))[0].Properties;
    expect(server.TrackingServerSize).toBe(REGISTRY_DEFAULTS.mlflowSize.name);
    expect(server.AutomaticModelRegistration).toBe(REGISTRY_DEFAULTS.automaticModelRegistration);
    expect(server.MlflowVersion).toBeUndefined();
    expect(server.WeeklyMaintenanceWindowStart).toBeUndefined();
    expect(JSON.stringify(server.ArtifactStoreUri)).toContain(`/${REGISTRY_DEFAULTS.mlflowPrefix}`);
  });
});
