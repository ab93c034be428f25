import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ALLOW_DESTROY_CONTEXT, Profiles, ValidationError } from '../../lib';
import { APPROVED_VERSION_PLACEHOLDER, ApprovedVersionParameter } from '../../lib/inference';
import { synthFindings, testStack } from '../helpers/app';
import { only } from './helpers';

/** The SDK calls the custom resource makes, as the AwsCustomResource provider receives them. */
function calls(t: Template): { Create?: Record<string, unknown>; Update?: unknown; Delete?: Record<string, unknown>; Type: string; DeletionPolicy?: string } {
  const r = only(t, 'Custom::ApprovedVersionParameter');
  const parse = (x: unknown) => (x === undefined ? undefined : JSON.parse(typeof x === 'string' ? x : JSON.stringify(x)));
  return { Type: r.Type, DeletionPolicy: r.DeletionPolicy, Create: parse(r.Properties.Create), Update: parse(r.Properties.Update), Delete: parse(r.Properties.Delete) };
}

describe('ApprovedVersionParameter (day 0: the parameter a serving stack reads exists before it deploys)', () => {
  test(`creates the parameter only if absent (PutParameter, Overwrite false, ParameterAlreadyExists ignored) with "${APPROVED_VERSION_PLACEHOLDER}"; no Update call; kept on delete`, () => {
    const stack = testStack({ profile: Profiles.PROD });
    const p = new ApprovedVersionParameter(stack, 'Churn', { model: 'churn' });
    expect(p.parameterName).toBe('/mlops/prod/models/churn/approved-package-arn');
    const t = Template.fromStack(stack);
    // No CloudFormation-owned Value: an AWS::SSM::Parameter would reset the promoted version on every update.
    t.resourceCountIs('AWS::SSM::Parameter', 0);
    const c = calls(t);
    expect(c.Create).toEqual(expect.objectContaining({
      service: 'SSM', action: 'PutParameter', physicalResourceId: { id: '/mlops/prod/models/churn/approved-package-arn' }, ignoreErrorCodesMatching: 'ParameterAlreadyExists',
      parameters: expect.objectContaining({ Name: '/mlops/prod/models/churn/approved-package-arn', Value: 'none', Type: 'String', Overwrite: false }),
    }));
    expect(c.Update).toBeUndefined();
    expect(c.Delete).toBeUndefined();
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((x) => x.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'ssm:PutParameter', Resource: 'arn:aws:ssm:us-east-1:123456789012:parameter/mlops/prod/models/churn/approved-package-arn' }]);
    // The Lambda's own SDK has PutParameter: nothing is downloaded at deploy time.
    expect(JSON.stringify(t.toJSON())).toContain('"InstallLatestAwsSdk":false');
  });

  test('deletes the parameter on delete only when the removal policy resolves to DESTROY (dev and the allow-destroy flag)', () => {
    const stack = testStack({ profile: Profiles.DEV, context: { [ALLOW_DESTROY_CONTEXT]: true } });
    new ApprovedVersionParameter(stack, 'Churn', { model: 'churn' });
    const t = Template.fromStack(stack);
    expect(calls(t).Delete).toEqual(expect.objectContaining({ service: 'SSM', action: 'DeleteParameter', parameters: { Name: '/mlops/dev/models/churn/approved-package-arn' }, ignoreErrorCodesMatching: 'ParameterNotFound' }));
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((x) => x.Properties.PolicyDocument.Statement);
    expect(statements[0].Action).toEqual(['ssm:DeleteParameter', 'ssm:PutParameter']);
    // Dev without the flag keeps it.
    const kept = testStack({ profile: Profiles.DEV });
    new ApprovedVersionParameter(kept, 'Churn', { model: 'churn' });
    expect(calls(Template.fromStack(kept)).Delete).toBeUndefined();
  });

  test('zero unacknowledged cdk-nag findings (the provider Lambda is acknowledged exactly), two parameters in one stack', () => {
    const stack = testStack({ nag: true });
    new ApprovedVersionParameter(stack, 'Churn', { model: 'churn' });
    new ApprovedVersionParameter(stack, 'Fraud', { model: 'fraud', parameterName: '/custom/fraud' });
    expect(synthFindings(stack.node.root as App)).toEqual({ message: '', findings: [] });
  });

  test('fails when the parameter name is not an SSM path', () => {
    expect(() => new ApprovedVersionParameter(testStack(), 'Bad', { model: 'churn', parameterName: 'no-slash' })).toThrow(ValidationError);
    expect(() => new ApprovedVersionParameter(testStack(), 'Bad', { model: 'churn', parameterName: 'no-slash' })).toThrow(/parameterName \("no-slash"\)/);
  });
});
