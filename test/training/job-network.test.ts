import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Profiles, TrainingCluster, TrainingEngine } from '../../lib';
import { TRAINING_DEFAULTS, TrainingClusterProps } from '../../lib/training/training-cluster-props';
import { SKIP_BUNDLING, testStack } from '../helpers/app';
import { managedOptions, trainingInputs } from './helpers-training';

/** The resolved state machine definition of a cluster, as text. */
function definitionOf(t: TrainingCluster): string {
  return JSON.stringify(Stack.of(t).resolve((t.stateMachine!.node.defaultChild as { definitionString?: unknown }).definitionString));
}

function cluster(extra: Partial<TrainingClusterProps> = {}): TrainingCluster {
  const stack = testStack({ profile: Profiles.DEV, context: SKIP_BUNDLING });
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  return new TrainingCluster(stack, 'Training', { ...trainingInputs(stack), model: 'churn', vpc, managed: managedOptions(), ...extra });
}

// Issue 18: a profile that runs SageMaker on its managed network ('managed', dev) needs no interface endpoint.
describe('TrainingCluster jobNetwork', () => {
  test('defaults to the VPC: every job (Prepare, Baseline, Train, Evaluate) has a VpcConfig and network isolation', () => {
    expect(TRAINING_DEFAULTS.jobNetwork).toBe('vpc');
    const d = definitionOf(cluster());
    expect(d.match(/VpcConfig/g)).toHaveLength(4);
    expect(d.match(/EnableNetworkIsolation\\":true/g)).toHaveLength(4);
  });

  test('\'managed\': no job has a VpcConfig, every job keeps network isolation (SageMaker moves data and logs on the server side)', () => {
    const d = definitionOf(cluster({ jobNetwork: 'managed' }));
    expect(d).not.toMatch(/VpcConfig/);
    expect(d.match(/EnableNetworkIsolation\\":true/g)).toHaveLength(4);
  });

  test('fails when jobNetwork is neither vpc nor managed', () => {
    expect(() => cluster({ jobNetwork: 'public' as never })).toThrow(/jobNetwork.*public.*must be 'vpc' or 'managed'/s);
  });

  test('fails when jobNetwork is managed with the cluster engine (its nodes run in the VPC)', () => {
    expect(() => cluster({ engine: TrainingEngine.CLUSTER, managed: undefined, cluster: {}, jobNetwork: 'managed' }))
      .toThrow(/jobNetwork.*managed.*only 'vpc' applies to the cluster engine/s);
  });
});
