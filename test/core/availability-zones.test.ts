import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { InferenceEndpoint, ModelSource, Profiles, TrainingCluster, ValidationError, applyPlatform, availabilityZonesContext } from '../../lib';
import { managedOptions, trainingInputs } from '../training/helpers-training';

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:1.0.0';
const ZONES = ['eu-west-1a', 'eu-west-1b'];

/** A stack pinned to an account and region, as a team that pins its environments has (with the zones in context when `known`). */
function pinnedStack(known = false): { app: App; stack: Stack } {
  const app = new App({ context: { 'aws:cdk:disable-creation-stack-traces': true, ...(known ? availabilityZonesContext('111111111111', 'eu-west-1', ZONES) : {}) } });
  applyPlatform(app, { project: 'acme', profile: Profiles.PROD, owner: 'o', costCentre: 'c' });
  return { app, stack: new Stack(app, 'Pinned', { env: { account: '111111111111', region: 'eu-west-1' } }) };
}

/** Whether synth asked for an availability-zone lookup (which needs credentials). */
function lookedUpZones(app: App): boolean {
  return app.synth().manifest.missing?.some((m) => m.provider === 'availability-zones') ?? false;
}

describe('default VPCs of stacks pinned to an account and region need no lookup when the zones are named (issue 15)', () => {
  test('without zones, a pinned endpoint\'s VPC needs a lookup (the defect)', () => {
    const { app, stack } = pinnedStack();
    new InferenceEndpoint(stack, 'Endpoint', { model: ModelSource.fromImage(IMAGE) });
    expect(lookedUpZones(app)).toBe(true);
  });

  test('an endpoint with availabilityZones (and the zones in context) synthesizes offline, in those zones', () => {
    const { app, stack } = pinnedStack(true);
    new InferenceEndpoint(stack, 'Endpoint', { model: ModelSource.fromImage(IMAGE), availabilityZones: ZONES });
    expect(lookedUpZones(app)).toBe(false);
    const zones = Object.values(Template.fromStack(stack).findResources('AWS::EC2::Subnet')).map((s) => s.Properties.AvailabilityZone);
    expect(zones.sort()).toEqual(ZONES);
  });

  test('a training cluster with availabilityZones (and the zones in context) synthesizes offline, in those zones', () => {
    const { app, stack } = pinnedStack(true);
    const { lakehouse, registry } = trainingInputs(stack);
    new TrainingCluster(stack, 'Training', { lakehouse, registry, model: 'churn', managed: managedOptions(), availabilityZones: ZONES });
    expect(lookedUpZones(app)).toBe(false);
    const zones = Object.values(Template.fromStack(stack).findResources('AWS::EC2::Subnet')).map((x) => x.Properties.AvailabilityZone);
    expect(zones.sort()).toEqual(ZONES);
  });

  test('fails when a zone is malformed or repeated, or zones are given with a vpc', () => {
    const { stack } = pinnedStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ZONES, isolatedSubnetIds: ['s-1', 's-2'] });
    expect(() => new InferenceEndpoint(stack, 'A', { model: ModelSource.fromImage(IMAGE), availabilityZones: ['eu-west-1a', 'eu-west-1a', 'Ireland'] }))
      .toThrow(/availabilityZones\[2\] \("Ireland"\): must be an availability zone name[\s\S]*availabilityZones \(\["eu-west-1a","eu-west-1a","Ireland"\]\): must not repeat a zone/);
    expect(() => new InferenceEndpoint(stack, 'B', { model: ModelSource.fromImage(IMAGE), vpc, availabilityZones: ZONES })).toThrow(ValidationError);
    const { lakehouse, registry } = trainingInputs(stack);
    expect(() => new TrainingCluster(stack, 'T', { lakehouse, registry, model: 'churn', managed: managedOptions(), vpc, availabilityZones: ZONES }))
      .toThrow(/availabilityZones[^\n]*must not be set with vpc/);
  });
});
