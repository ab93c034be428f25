import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildLakehouseExample } from '../examples/lakehouse';
import { testApp } from './helpers/app';

describe('examples', () => {
  test('examples/lakehouse.ts synthesizes the lakehouse it describes', () => {
    const app: App = testApp();
    const stack = buildLakehouseExample(app);
    expect(() => app.synth()).not.toThrow();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::S3::Bucket', { ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } } } });
    t.resourceCountIs('AWS::Glue::Table', 2);
    t.resourceCountIs('AWS::LakeFormation::PrincipalPermissions', 5);
    t.hasResourceProperties('AWS::Athena::WorkGroup', { Name: 'acme-staging-retail' });
  });
});
