import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PROMOTION_ACCOUNT, buildRegistryExample } from '../../examples/registry';
import { testApp } from '../helpers/app';

// CloudFormation schema validation of this example runs in test/app.test.ts with every other
// validated synth (the validation engine costs seconds to start, once per test file).

describe('examples/registry.ts', () => {
  test('synthesizes with zero unacknowledged cdk-nag findings', () => {
    const app: App = testApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = buildRegistryExample(app);
    expect(() => app.synth()).not.toThrow();
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 2);
    t.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', { ModelPackageGroupName: 'acme-staging-churn', ModelPackageGroupDescription: 'Monthly churn propensity' });
    t.resourceCountIs('AWS::SageMaker::MlflowTrackingServer', 1);
    t.resourceCountIs('AWS::ECR::Repository', 2);
    t.resourceCountIs('AWS::Events::Rule', 3);
    const inference = Object.values(t.findResources('AWS::ECR::Repository')).find((r) => r.Properties.RepositoryName === 'acme-staging-inference')!;
    expect(JSON.stringify(inference.Properties.RepositoryPolicyText)).toContain(`:iam::${PROMOTION_ACCOUNT}:root`);
  });
});
