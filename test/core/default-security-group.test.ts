import { CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagRuleCompliance, rules } from 'cdk-nag';
import { SAGEMAKER_INTERFACE_ENDPOINTS, createIsolatedVpc, createKey } from '../../lib';
import { testStack } from '../helpers/app';

// Guards issue 16, "The VPC's default security group is closed": createIsolatedVpc set
// restrictDefaultSecurityGroup: false, leaving the default group's inbound-from-itself and
// outbound-to-everywhere rules in every VPC the library creates. That every VPC of the default app
// (all environments) is closed is tested in test/platform/default-app.test.ts, on its shared build.

function isolatedVpc(stack: Stack): ec2.Vpc {
  const key = createKey(stack, 'Key', { description: 'flow logs', removalPolicy: RemovalPolicy.RETAIN });
  return createIsolatedVpc(stack, { purpose: 'test', cidr: '10.10.0.0/16', maxAzs: 2, endpoints: SAGEMAKER_INTERFACE_ENDPOINTS, key, removalPolicy: RemovalPolicy.RETAIN }).vpc;
}

describe('createIsolatedVpc closes the default security group', () => {
  test('with the custom resource that revokes its rules, pointed at this VPC\'s default group', () => {
    const stack = testStack();
    const vpc = isolatedVpc(stack);
    const t = Template.fromStack(stack);
    const vpcId = stack.getLogicalId(vpc.node.defaultChild as CfnResource);
    t.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
    t.hasResourceProperties('Custom::VpcRestrictDefaultSG', { DefaultSecurityGroupId: { 'Fn::GetAtt': [vpcId, 'DefaultSecurityGroup'] } });
  });

  test('the handler may change exactly the rules of that one group (no wildcard resource, no other action)', () => {
    const stack = testStack();
    const vpc = isolatedVpc(stack);
    const vpcId = stack.getLogicalId(vpc.node.defaultChild as CfnResource);
    const roles = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))
      .filter((r) => JSON.stringify(r).includes('ec2:RevokeSecurityGroupIngress'));
    expect(roles).toHaveLength(1);
    expect(roles[0].Properties.Policies).toEqual([{
      PolicyName: 'Inline',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
          Resource: [{ 'Fn::Join': ['', ['arn:aws:ec2:us-east-1:123456789012:security-group/', { 'Fn::GetAtt': [vpcId, 'DefaultSecurityGroup'] }]] }],
        }],
      },
    }]);
  });

  test('cdk-nag\'s VPCDefaultSecurityGroupClosed (NIST 800-53 R5, HIPAA Security) finds it compliant', () => {
    const stack = testStack();
    const vpc = isolatedVpc(stack);
    expect(rules.vpc.VPCDefaultSecurityGroupClosed(vpc.node.defaultChild as CfnResource)).toBe(NagRuleCompliance.COMPLIANT);
  });
});
