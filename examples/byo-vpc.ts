/**
 * The platform in a VPC the network team owns: training jobs, Model Monitor and endpoints run in
 * its private subnets (which must reach S3 through a gateway endpoint and SageMaker, ECR, logs,
 * monitoring, STS and KMS through interface endpoints). The VPC is imported from its IDs, without
 * lookups, so synth stays offline.
 *
 * Run it with: npx cdk synth --app "npx ts-node --swc examples/byo-vpc.ts"
 */
import { App } from 'aws-cdk-lib';
import { PlatformStage, Profiles } from '../lib';
import { DEFINITION } from './multi-environment';

export function buildByoVpcExample(app: App = new App()): PlatformStage {
  return new PlatformStage(app, 'prod', {
    definition: { ...DEFINITION, project: 'corp' },
    environment: {
      name: 'prod', profile: Profiles.PROD, account: '444455556666', region: 'eu-central-1', owner: 'corp-ml', costCentre: 'cc-ml',
      network: {
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        vpcCidrBlock: '10.20.0.0/16',
        availabilityZones: ['eu-central-1a', 'eu-central-1b'],
        subnetIds: ['subnet-0aa11bb22cc33dd44', 'subnet-0ee55ff66aa77bb88'],
        routeTableIds: ['rtb-0123456789abcdef0', 'rtb-0fedcba9876543210'],
      },
      alarmEmails: ['ml-oncall@corp.example'],
    },
  });
}

if (require.main === module) buildByoVpcExample();
