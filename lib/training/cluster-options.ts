import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LakehouseZone } from '../lakehouse/zone';

/**
 * GPU instance types a GPU node group accepts: family -> sizes. Every family here runs the
 * Amazon Linux 2023 NVIDIA AMI on x86_64; anything else fails validation with this list.
 */
export const GPU_INSTANCE_SIZES: Readonly<Record<string, readonly string[]>> = {
  g4dn: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', 'metal'],
  g5: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge'],
  g6: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge'],
  g6e: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge'],
  p3: ['2xlarge', '8xlarge', '16xlarge'],
  p4d: ['24xlarge'],
  p5: ['4xlarge', '48xlarge'],
};

/**
 * Instance families the system node group accepts: current x86_64 general-purpose, compute- and
 * memory-optimized families (no burstable types: add-ons need steady CPU).
 */
export const SYSTEM_INSTANCE_FAMILIES: readonly string[] = [
  'm5', 'm5a', 'm6i', 'm6a', 'm7i', 'm7a', 'c5', 'c6i', 'c6a', 'c7i', 'c7a', 'r5', 'r6i', 'r6a', 'r7i', 'r7a',
];

/** Sizes the system node group accepts (all exist in every system family). */
export const SYSTEM_INSTANCE_SIZES: readonly string[] = ['large', 'xlarge', '2xlarge', '4xlarge'];

/** Capacity types a node group accepts. */
export const NODE_CAPACITY_TYPES: readonly eks.CapacityType[] = [eks.CapacityType.ON_DEMAND, eks.CapacityType.SPOT];

/**
 * The node group that runs cluster add-ons (CoreDNS, the Pod Identity agent's peers, controllers).
 * It never scales to zero.
 */
export interface SystemNodeGroupOptions {
  /**
   * Instance type: a family of {@link SYSTEM_INSTANCE_FAMILIES} in a size of {@link SYSTEM_INSTANCE_SIZES}.
   * @default m7i.large
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Minimum number of nodes, at least 1.
   * @default 2
   */
  readonly minSize?: number;
  /**
   * Maximum number of nodes, up to 450.
   * @default 3
   */
  readonly maxSize?: number;
  /**
   * Number of nodes at deployment, between minSize and maxSize.
   * @default minSize
   */
  readonly desiredSize?: number;
  /**
   * Root volume size in GiB (gp3, encrypted with the cluster key), 20 to 16384.
   * @default 50
   */
  readonly diskSize?: number;
}

/**
 * A GPU node group that scales to zero. Its nodes carry the taint `nvidia.com/gpu=true:NoSchedule`
 * (only pods that tolerate it run there) and the labels `mlops/node-pool: <name>` and
 * `nvidia.com/gpu.present: "true"`, and run the Amazon Linux 2023 NVIDIA AMI.
 */
export interface GpuNodeGroupOptions {
  /** Pool name: a DNS label (lowercase letters, digits, '-'), unique in the cluster, not `system`. */
  readonly name: string;
  /** Instance types, at least one, each listed in {@link GPU_INSTANCE_SIZES}. */
  readonly instanceTypes: ec2.InstanceType[];
  /** Maximum number of nodes, 1 to 450. */
  readonly maxSize: number;
  /**
   * Minimum number of nodes.
   * @default 0
   */
  readonly minSize?: number;
  /**
   * Number of nodes at deployment, between minSize and maxSize.
   * @default minSize
   */
  readonly desiredSize?: number;
  /**
   * Root volume size in GiB (gp3, encrypted with the cluster key), 20 to 16384. Container images
   * for GPU training are large.
   * @default 200
   */
  readonly diskSize?: number;
  /**
   * On-demand or spot capacity.
   * @default eks.CapacityType.ON_DEMAND
   */
  readonly capacityType?: eks.CapacityType;
}

/**
 * A team that runs training pods. The team gets one IAM role, bound with EKS Pod Identity to the
 * service account `<name>-training` in namespace `<name>` (see {@link teamNamespace} and
 * {@link teamServiceAccount}); the Kubernetes layer creates both.
 */
export interface TeamOptions {
  /** Team name: a DNS-1123 label (lowercase letters, digits, '-', at most 63), not a `kube-` or `default` namespace. */
  readonly name: string;
  /**
   * Lakehouse zones the team reads.
   * @default none
   */
  readonly readZones?: LakehouseZone[];
  /**
   * Lakehouse zones the team reads and writes.
   * @default none
   */
  readonly writeZones?: LakehouseZone[];
  /**
   * Key prefixes of the artifact bucket the team reads and writes (for example the registry's
   * `artifactPrefix(model)` of the models it trains), each ending with `/`.
   * @default [`teams/<name>/`]
   */
  readonly artifactPrefixes?: string[];
}

/** Options of the cluster engine: an EKS cluster with a system node group, GPU node groups that scale to zero, and Pod Identity roles per team. */
export interface ClusterEngineOptions {
  /**
   * Cluster name: letters, digits, '-' and '_', starting with a letter or digit, at most 100.
   * Fixed, so that the control-plane log group (`/aws/eks/<name>/cluster`) can be created
   * beforehand with the cluster key and the profile's retention. A change that replaces the
   * cluster (name, subnets, version downgrade) needs a new name.
   * @default `<project>-<env>-training`
   */
  readonly clusterName?: string;
  /**
   * A kubectl Lambda layer (for example `new KubectlV33Layer(this, 'Kubectl')` from
   * `@aws-cdk/lambda-layer-kubectl-v33`, a prebuilt zip, no Docker). With it, the cluster gets a
   * kubectl provider in its private subnets, so the Kubernetes layer's manifests can be applied in
   * the same `cdk deploy` (`addWorkloadManifests(training.eksCluster, ...)`).
   * @default no kubectl provider: the Kubernetes layer's cdktf stack applies the manifests
   */
  readonly kubectlLayer?: lambda.ILayerVersion;
  /**
   * EKS deletion protection: the cluster cannot be deleted (by CloudFormation either) until it is turned off.
   * @default the profile's deletionProtection (on in staging and prod)
   */
  readonly deletionProtection?: boolean;
  /**
   * Kubernetes version, 1.30 or newer.
   * @default eks.KubernetesVersion.V1_37
   */
  readonly kubernetesVersion?: eks.KubernetesVersion;
  /**
   * The system node group.
   * @default see SystemNodeGroupOptions
   */
  readonly systemNodes?: SystemNodeGroupOptions;
  /**
   * GPU node groups; `[]` for none.
   * @default one group `gpu` of g5.xlarge, 0 to 2 nodes
   */
  readonly gpuNodeGroups?: GpuNodeGroupOptions[];
  /**
   * Teams that run training pods, each with its own Pod Identity role.
   * @default none
   */
  readonly teams?: TeamOptions[];
  /**
   * IAM roles given cluster-admin access (EKS access entries with AmazonEKSClusterAdminPolicy),
   * for example the role the Kubernetes layer deploys with.
   * @default none besides the CloudFormation role that creates the cluster
   */
  readonly admins?: iam.IRole[];
}

/** The documented defaults, in one place. */
export const CLUSTER_DEFAULTS = {
  clusterNameSuffix: 'training',
  kubernetesVersion: eks.KubernetesVersion.V1_37,
  minKubernetesMinor: 30,
  systemInstanceType: 'm7i.large',
  systemMinSize: 2,
  systemMaxSize: 3,
  systemDiskSize: 50,
  gpuMinSize: 0,
  gpuDiskSize: 200,
  gpuCapacityType: eks.CapacityType.ON_DEMAND,
  gpuNodeGroup: { name: 'gpu', instanceType: 'g5.xlarge', maxSize: 2 },
  maxNodesPerGroup: 450,
  teamArtifactPrefix: 'teams/<name>/',
  serviceAccountSuffix: '-training',
} as const;

/** Node label naming a node's pool (`system` or a GPU node group's name); training pods select GPU pools with it. */
export const NODE_POOL_LABEL = 'mlops/node-pool';

/** Label every GPU node carries. */
export const GPU_NODE_LABEL = { key: 'nvidia.com/gpu.present', value: 'true' } as const;

/** Taint every GPU node carries, in Kubernetes form; training pods (and the NVIDIA device plugin) tolerate it. */
export const GPU_NODE_TAINT = { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' } as const;

/**
 * The service account the cluster autoscaler (installed by the Kubernetes layer) must run as: its
 * Pod Identity role may resize only this cluster's node groups, which is what scales GPU pools to
 * and from zero.
 */
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'cluster-autoscaler' } as const;

/** The GPU node groups used when `gpuNodeGroups` is not given. */
export function defaultGpuNodeGroups(): GpuNodeGroupOptions[] {
  const g = CLUSTER_DEFAULTS.gpuNodeGroup;
  return [{ name: g.name, instanceTypes: [new ec2.InstanceType(g.instanceType)], maxSize: g.maxSize }];
}

/** The Kubernetes namespace a team's pods run in: the team name. */
export function teamNamespace(team: string): string {
  return team;
}

/** The service account bound to a team's Pod Identity role: `<team>-training`. */
export function teamServiceAccount(team: string): string {
  return `${team}${CLUSTER_DEFAULTS.serviceAccountSuffix}`;
}

/** The artifact-bucket prefix a team gets when it declares none: `teams/<team>/`. */
export function defaultTeamArtifactPrefix(team: string): string {
  return CLUSTER_DEFAULTS.teamArtifactPrefix.replace('<name>', team);
}

/**
 * Names of the SSM String parameters the cluster engine publishes for the Kubernetes layer, under
 * `/<project>/<env>/training/eks/`. Values cross from CDK to the Kubernetes (cdktf) layer only
 * through these parameters.
 */
export interface ClusterParameterNames {
  /** The common prefix, `/<project>/<env>/training/eks`. */
  readonly prefix: string;
  /** `<prefix>/cluster-name`: the EKS cluster name. */
  readonly clusterName: string;
  /** `<prefix>/cluster-arn`: the EKS cluster ARN. */
  readonly clusterArn: string;
  /** `<prefix>/endpoint`: the private API server URL. */
  readonly endpoint: string;
  /** `<prefix>/certificate-authority`: the cluster CA certificate, base64-encoded. */
  readonly certificateAuthority: string;
  /** `<prefix>/teams/<team>/role-arn`: the ARN of a team's Pod Identity role. */
  teamRoleArn(team: string): string;
}

/**
 * The SSM parameter names for a project and environment, for example
 * `/mlops/prod/training/eks/endpoint`. One EKS training cluster per project and environment.
 */
export function clusterParameterNames(project: string, environment: string): ClusterParameterNames {
  const prefix = `/${project}/${environment}/training/eks`;
  return {
    prefix,
    clusterName: `${prefix}/cluster-name`,
    clusterArn: `${prefix}/cluster-arn`,
    endpoint: `${prefix}/endpoint`,
    certificateAuthority: `${prefix}/certificate-authority`,
    teamRoleArn: (team: string) => `${prefix}/teams/${team}/role-arn`,
  };
}
