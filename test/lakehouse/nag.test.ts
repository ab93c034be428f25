import { App } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DataLakehouse, LakehouseZone } from '../../lib';
import { testStack } from '../helpers/app';

/** Synthesizes with cdk-nag AwsSolutions; the validation report is thrown when anything is unacknowledged. */
function synthWithNag(app: App): void {
  app.synth();
}

describe('cdk-nag AwsSolutions', () => {
  test('the default lakehouse has zero unacknowledged findings', () => {
    const stack = testStack({ nag: true });
    new DataLakehouse(stack, 'Lake');
    expect(() => synthWithNag(stack.node.root as App)).not.toThrow();
  });

  test('grants to roles carry exact acknowledgements, so consumers stay clean too', () => {
    const stack = testStack({ nag: true });
    const lake = new DataLakehouse(stack, 'Lake');
    const role = new iam.Role(stack, 'Job', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    lake.grantWrite(role, LakehouseZone.RAW);
    lake.grantRead(role, LakehouseZone.CURATED);
    expect(() => synthWithNag(stack.node.root as App)).not.toThrow();
  });


  test('the check is live: an unacknowledged wildcard is reported', () => {
    const stack = testStack({ nag: true });
    new DataLakehouse(stack, 'Lake');
    const role = new iam.Role(stack, 'Sloppy', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    expect(() => synthWithNag(stack.node.root as App)).toThrow(/AwsSolutions-IAM5/);
  });
});
