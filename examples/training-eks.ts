/**
 * A private EKS training cluster for two teams that run their own trainers: a system node group,
 * a spot pool of single-GPU 8-vCPU nodes (A10G or L4) and an on-demand H100 pool that both scale to zero, and one Pod Identity role
 * per team. The vision team reads curated data and writes its defect-detector checkpoints and
 * models; the forecasting team reads curated data and writes features to the analytics zone.
 *
 * The Kubernetes layer (namespaces `vision` and `forecasting`, service accounts `<team>-training`)
 * reads the cluster name, endpoint, CA and role ARNs from SSM under /acme/prod/training/eks/.
 *
 * Run it with: npx cdk synth --app "npx ts-node --swc examples/training-eks.ts"
 */
import { Annotations, App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  DataLakehouse, LakehouseZone, ModelRegistry, Profiles, TrainingCluster, TrainingEngine, applyPlatform,
} from '../lib';

export function buildTrainingEksExample(app: App = new App()): Stack {
  applyPlatform(app, { project: 'acme', profile: Profiles.PROD, owner: 'ml-platform', costCentre: 'cc-1234' });
  const stack = new Stack(app, 'acme-prod-training-eks');

  const lakehouse = new DataLakehouse(stack, 'Lakehouse');
  const registry = new ModelRegistry(stack, 'Registry', { models: [{ name: 'defect-detector', description: 'Visual defect detection (ViT)' }] });

  // The role the Kubernetes layer deploys with (from inside the VPC: the API endpoint is private).
  // Created here: an EKS access entry needs an existing principal, and a role imported by ARN may not exist.
  const kubernetesDeployer = new iam.Role(stack, 'KubernetesDeployer', {
    assumedBy: new iam.AccountRootPrincipal(),
    description: 'Applies the Kubernetes layer to the acme prod training cluster',
  });

  const training = new TrainingCluster(stack, 'Training', {
    lakehouse,
    registry,
    model: 'defect-detector',
    engine: TrainingEngine.CLUSTER,
    cluster: {
      gpuNodeGroups: [
        // Equal capacity (8 vCPUs, 32 GiB, 1 GPU) in one pool: the cluster autoscaler sizes a pool by one of its types.
        { name: 'a10g', instanceTypes: [new ec2.InstanceType('g5.2xlarge'), new ec2.InstanceType('g6.2xlarge')], maxSize: 6, capacityType: eks.CapacityType.SPOT },
        { name: 'h100', instanceTypes: [new ec2.InstanceType('p5.48xlarge')], maxSize: 1, diskSize: 1000 },
      ],
      teams: [
        { name: 'vision', readZones: [LakehouseZone.CURATED], artifactPrefixes: [registry.artifactPrefix('defect-detector')] },
        { name: 'forecasting', readZones: [LakehouseZone.CURATED], writeZones: [LakehouseZone.ANALYTICS] },
      ],
      admins: [kubernetesDeployer],
    },
  });

  // The Kubernetes layer is applied with Terraform from inside the VPC (bin/kubernetes.ts), by a
  // runner in training.deployerSecurityGroup: no kubectl provider here, chosen explicitly.
  Annotations.of(training).acknowledgeWarning('mlops:noKubectlProvider',
    'The Kubernetes layer is applied by its cdktf stack from a runner in the deployer security group.');

  // The vision team registers the versions it trains (always pending manual approval).
  registry.grantRegister(training.teamRoles!.vision, 'defect-detector');
  return stack;
}

// Run directly (as `cdk synth --app` does), the App synthesizes itself when the process exits.
if (require.main === module) buildTrainingEksExample();
