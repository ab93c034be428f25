import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IEcrPullThroughCache } from '../core/pull-through';
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

/** What one instance type offers to pods: vCPUs, memory in GiB and NVIDIA GPUs. */
export interface GpuInstanceCapacity {
  readonly vcpus: number;
  readonly memoryGiB: number;
  readonly gpus: number;
}

/**
 * vCPUs, memory (GiB) and GPUs of every type in {@link GPU_INSTANCE_SIZES}, as the AWS Batch User
 * Guide ("Run GPU jobs", its table of GPU instance types) and the Amazon EC2 "Accelerated computing
 * instance specifications" list them (p5.4xlarge: the Amazon EC2 P5 instances page). Used to keep
 * every node group homogeneous: the cluster autoscaler computes a group's node from one of its
 * instance types, so "the instance types should have the same amount of RAM and number of CPU
 * cores" (kubernetes/autoscaler, cluster-autoscaler/cloudprovider/aws/README.md, "Using Mixed
 * Instances Policies and Spot Instances"); GPUs too, for pods that request them.
 */
export const GPU_INSTANCE_CAPACITY: Readonly<Record<string, GpuInstanceCapacity>> = {
  'g4dn.xlarge': { vcpus: 4, memoryGiB: 16, gpus: 1 },
  'g4dn.2xlarge': { vcpus: 8, memoryGiB: 32, gpus: 1 },
  'g4dn.4xlarge': { vcpus: 16, memoryGiB: 64, gpus: 1 },
  'g4dn.8xlarge': { vcpus: 32, memoryGiB: 128, gpus: 1 },
  'g4dn.12xlarge': { vcpus: 48, memoryGiB: 192, gpus: 4 },
  'g4dn.16xlarge': { vcpus: 64, memoryGiB: 256, gpus: 1 },
  'g4dn.metal': { vcpus: 96, memoryGiB: 384, gpus: 8 },
  'g5.xlarge': { vcpus: 4, memoryGiB: 16, gpus: 1 },
  'g5.2xlarge': { vcpus: 8, memoryGiB: 32, gpus: 1 },
  'g5.4xlarge': { vcpus: 16, memoryGiB: 64, gpus: 1 },
  'g5.8xlarge': { vcpus: 32, memoryGiB: 128, gpus: 1 },
  'g5.12xlarge': { vcpus: 48, memoryGiB: 192, gpus: 4 },
  'g5.16xlarge': { vcpus: 64, memoryGiB: 256, gpus: 1 },
  'g5.24xlarge': { vcpus: 96, memoryGiB: 384, gpus: 4 },
  'g5.48xlarge': { vcpus: 192, memoryGiB: 768, gpus: 8 },
  'g6.xlarge': { vcpus: 4, memoryGiB: 16, gpus: 1 },
  'g6.2xlarge': { vcpus: 8, memoryGiB: 32, gpus: 1 },
  'g6.4xlarge': { vcpus: 16, memoryGiB: 64, gpus: 1 },
  'g6.8xlarge': { vcpus: 32, memoryGiB: 128, gpus: 1 },
  'g6.12xlarge': { vcpus: 48, memoryGiB: 192, gpus: 4 },
  'g6.16xlarge': { vcpus: 64, memoryGiB: 256, gpus: 1 },
  'g6.24xlarge': { vcpus: 96, memoryGiB: 384, gpus: 4 },
  'g6.48xlarge': { vcpus: 192, memoryGiB: 768, gpus: 8 },
  'g6e.xlarge': { vcpus: 4, memoryGiB: 32, gpus: 1 },
  'g6e.2xlarge': { vcpus: 8, memoryGiB: 64, gpus: 1 },
  'g6e.4xlarge': { vcpus: 16, memoryGiB: 128, gpus: 1 },
  'g6e.8xlarge': { vcpus: 32, memoryGiB: 256, gpus: 1 },
  'g6e.12xlarge': { vcpus: 48, memoryGiB: 384, gpus: 4 },
  'g6e.16xlarge': { vcpus: 64, memoryGiB: 512, gpus: 1 },
  'g6e.24xlarge': { vcpus: 96, memoryGiB: 768, gpus: 4 },
  'g6e.48xlarge': { vcpus: 192, memoryGiB: 1536, gpus: 8 },
  'p3.2xlarge': { vcpus: 8, memoryGiB: 61, gpus: 1 },
  'p3.8xlarge': { vcpus: 32, memoryGiB: 244, gpus: 4 },
  'p3.16xlarge': { vcpus: 64, memoryGiB: 488, gpus: 8 },
  'p4d.24xlarge': { vcpus: 96, memoryGiB: 1152, gpus: 8 },
  'p5.4xlarge': { vcpus: 16, memoryGiB: 256, gpus: 1 },
  'p5.48xlarge': { vcpus: 192, memoryGiB: 2048, gpus: 8 },
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
  /**
   * Instance types, at least one, each listed in {@link GPU_INSTANCE_SIZES}, all with the same
   * vCPUs, memory and GPUs ({@link GPU_INSTANCE_CAPACITY}): the cluster autoscaler sizes a group by
   * one of its types, so a larger type in the same pool never triggers a scale-up for the pods
   * only it could hold. Put different sizes in different pools.
   */
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
   * Whether the cluster gets a kubectl provider: a Lambda function in the cluster's private subnets
   * and its deployer security group (which the control plane admits on 443) that runs kubectl and
   * helm, so that the operators (`installOperators`) and the Kubernetes layer
   * (`addWorkloadManifests`) are applied in the same `cdk deploy`. `false` chooses the Terraform
   * path: the Kubernetes layer's cdktf stack applies the manifests from a runner inside the VPC
   * (attach `deployerSecurityGroup`), and synth does not warn. `false` with a `kubectlLayer` fails
   * validation.
   * @default true
   */
  readonly kubectlProvider?: boolean;
  /**
   * The kubectl Lambda layer (kubectl and helm of the cluster's Kubernetes minor) of the kubectl
   * provider. An explicit layer always wins, for example a layer version published in the account
   * (`lambda.LayerVersion.fromLayerVersionArn`).
   * @default for Kubernetes 1.35, `KubectlV35Layer` of the optional peer dependency
   * `@aws-cdk/lambda-layer-kubectl-v35` (a prebuilt zip shipped in the package: no Docker, no
   * network at synth) when it is installed; otherwise no kubectl provider and a synth warning
   * (`mlops:noKubectlProvider`) naming the package to install (`npm install
   * @aws-cdk/lambda-layer-kubectl-v35@^2.2.2`, or `-v<minor>` for another Kubernetes minor)
   */
  readonly kubectlLayer?: lambda.ILayerVersion;
  /**
   * The ECR pull-through cache (`EcrPullThroughCache` of the Kubernetes layer, or its `fromRules`)
   * the cluster pulls public images and OCI charts through: its subnets have no NAT, so nodes pull
   * only from ECR. The node role (the kubelet pulls images) and the kubectl provider's role (Helm
   * pulls OCI charts) get its `grantPullThrough`: the first pull of an upstream image through a rule
   * imports it and creates its repository, which needs `ecr:BatchImportUpstreamImage` and
   * `ecr:CreateRepository` "in addition to the Amazon ECR API permissions needed to authenticate to
   * a private registry and to push and pull images" (Amazon ECR User Guide, "IAM permissions
   * required to sync an upstream registry with an Amazon ECR private registry",
   * https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html).
   * Pass the same cache to `installOperators`.
   * @default none: nodes pull only images already in the account's ECR repositories
   */
  readonly pullThroughCache?: IEcrPullThroughCache;
  /**
   * EKS deletion protection: the cluster cannot be deleted (by CloudFormation either) until it is turned off.
   * @default the profile's deletionProtection (on in staging and prod)
   */
  readonly deletionProtection?: boolean;
  /**
   * Kubernetes version, 1.30 or newer. The operators' cluster autoscaler must be of the same minor
   * (`CLUSTER_AUTOSCALER_IMAGE_TAGS` of the Kubernetes layer lists the verified ones).
   * @default eks.KubernetesVersion.V1_35
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
   * for example the role the Kubernetes layer deploys with. Each must exist when the stack
   * deploys: "An access entry includes the ARN of one, and only one, existing IAM principal"
   * (Amazon EKS User Guide, "Create access entries"). Create the role in the app (an `iam.Role`)
   * where you can; a role imported by ARN or name cannot be checked offline, so synth warns
   * (`mlops:importedClusterAdmin`) naming it.
   * @default none besides the CloudFormation role that creates the cluster
   */
  readonly admins?: iam.IRole[];
}

/** The documented defaults, in one place. */
export const CLUSTER_DEFAULTS = {
  clusterNameSuffix: 'training',
  kubectlProvider: true,
  // The newest minor with a verified cluster autoscaler release (CLUSTER_AUTOSCALER_IMAGE_TAGS).
  kubernetesVersion: eks.KubernetesVersion.V1_35,
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
  /** `<prefix>/cluster-security-group-id`: the security group EKS created for the cluster (control plane, nodes and pods). */
  readonly clusterSecurityGroupId: string;
  /**
   * `<prefix>/deployer-security-group-id`: the security group that what applies the Kubernetes
   * layer from inside the VPC (a Terraform runner, a CodeBuild project) attaches to reach the
   * private API endpoint on 443.
   */
  readonly deployerSecurityGroupId: string;
  /**
   * `<prefix>/image-registry`: the private ECR registry host (`<account>.dkr.ecr.<region>.<url suffix>`)
   * of the cluster's pull-through cache, published only when the cluster has one
   * (`pullThroughCache`); the Kubernetes layer's cdktf stack rewrites every image to it.
   */
  readonly imageRegistry: string;
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
    clusterSecurityGroupId: `${prefix}/cluster-security-group-id`,
    deployerSecurityGroupId: `${prefix}/deployer-security-group-id`,
    imageRegistry: `${prefix}/image-registry`,
    teamRoleArn: (team: string) => `${prefix}/teams/${team}/role-arn`,
  };
}
