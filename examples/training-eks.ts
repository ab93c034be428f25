/**
 * A private EKS training cluster for two teams that run their own trainers: a system node group,
 * a spot pool of single-GPU 8-vCPU nodes (A10G or L4) and an on-demand H100 pool that both scale to zero, and one Pod Identity role
 * per team. The vision team reads curated data and writes its defect-detector checkpoints and
 * models; the forecasting team reads curated data and writes features to the analytics zone.
 *
 * The Kubernetes layer (namespaces `vision` and `forecasting`, service accounts `<team>-training`)
 * reads the cluster name, endpoint, CA and role ARNs from SSM under /acme/prod/training/eks/.
 *
 * The cluster's subnets have no NAT, so everything it runs comes from this account's ECR:
 * public images through ECR pull-through cache rules (registry.k8s.io, Quay and ECR Public need no
 * credential; Docker Hub and GitHub Container Registry need a Secrets Manager secret named
 * `ecr-pullthroughcache/docker-hub` and `ecr-pullthroughcache/github` holding `username` and
 * `accessToken`, which you create once per account and region), and, in ECR repositories this
 * stack creates, copies of what no rule can serve: the NVIDIA device plugin image (nvcr.io) and the
 * charts of https repositories (cert-manager, the NVIDIA device plugin, the cluster autoscaler).
 * Copy them before the first deploy, for example with `crane copy` and `helm pull` + `helm push`.
 *
 * By default this `cdk deploy` also installs the operators and applies the Kubernetes layer, through
 * the cluster's kubectl provider (a Lambda function inside the VPC). Its layer (kubectl and helm of
 * Kubernetes 1.35) comes from the optional peer dependency `@aws-cdk/lambda-layer-kubectl-v35`:
 * install it with `npm install @aws-cdk/lambda-layer-kubectl-v35@^2.2.2` (without it, synth warns
 * `mlops:noKubectlProvider` and nothing in this deploy reaches the private API endpoint). Other choices:
 * - a layer version published in the account: `-c kubectlLayerArn=arn:aws:lambda:...` (or `kubectlLayer`);
 * - the Terraform path: `-c kubectlProvider=false` (or `kubectlProvider: false`); the cluster then has
 *   no kubectl provider, and the operators and the Kubernetes layer are applied from inside the VPC
 *   (a runner in `training.deployerSecurityGroup`; bin/kubernetes.ts).
 *
 * Run it with: npx cdk synth --app "npx ts-node --swc examples/training-eks.ts" [-c kubectlLayerArn=arn:aws:lambda:...] [-c kubectlProvider=false]
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  DataLakehouse, LakehouseZone, ModelRegistry, Profiles, TrainingCluster, TrainingEngine, applyPlatform,
} from '../lib';
import {
  EcrPullThroughCache, InstalledOperators, OPERATOR_RELEASES, OperatorMirrors, PullThroughUpstream, WorkloadDeclaration,
  addWorkloadManifests, installOperators, kubernetesWorkloads, modelFormatsOf,
} from '../lib/kubernetes';

/** Options of {@link buildTrainingEksExample}. */
export interface TrainingEksExampleOptions {
  /**
   * The kubectl layer of the cluster's Kubernetes minor (1.35).
   * @default the layer version named by context `kubectlLayerArn`; without it, `KubectlV35Layer` of
   * `@aws-cdk/lambda-layer-kubectl-v35` when that package is installed
   */
  readonly kubectlLayer?: lambda.ILayerVersion;
  /**
   * Whether the cluster gets a kubectl provider that installs the operators and the Kubernetes
   * layer in this deploy; `false` is the Terraform path.
   * @default true, unless context `kubectlProvider` is `false`
   */
  readonly kubectlProvider?: boolean;
}

/** What the example builds. */
export interface TrainingEksExample {
  readonly stack: Stack;
  readonly training: TrainingCluster;
  readonly cache: EcrPullThroughCache;
  readonly mirrors: OperatorMirrors;
  /** The installed operators (when the cluster has a kubectl provider). */
  readonly operators?: InstalledOperators;
}

/** ECR repositories for copies of what no pull-through rule serves: kept on delete, scanned, tags immutable. */
function mirrorRepository(scope: Construct, id: string, repositoryName: string): ecr.Repository {
  return new ecr.Repository(scope, id, {
    repositoryName, imageScanOnPush: true, imageTagMutability: ecr.TagMutability.IMMUTABLE, removalPolicy: RemovalPolicy.RETAIN,
  });
}

export function buildTrainingEksExample(app: App = new App(), options: TrainingEksExampleOptions = {}): Stack {
  return buildTrainingEks(app, options).stack;
}

/** The example, with the pieces a test or a larger app needs. */
export function buildTrainingEks(app: App = new App(), options: TrainingEksExampleOptions = {}): TrainingEksExample {
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

  // Pull-through cache rules are account- and region-wide: this stack owns them for acme's account and region.
  const credential = (id: string, name: string) => secretsmanager.Secret.fromSecretNameV2(stack, id, name);
  const cache = new EcrPullThroughCache(stack, 'ImageCache', {
    upstreams: [
      PullThroughUpstream.KUBERNETES, PullThroughUpstream.QUAY, PullThroughUpstream.ECR_PUBLIC,
      PullThroughUpstream.dockerHub(credential('DockerHubCredential', 'ecr-pullthroughcache/docker-hub')),
      PullThroughUpstream.githubContainerRegistry(credential('GithubCredential', 'ecr-pullthroughcache/github')),
    ],
  });
  const devicePlugin = mirrorRepository(stack, 'DevicePluginMirror', 'acme/mirror/nvidia/k8s-device-plugin');
  const chartMirror = (release: string, chart: string) => mirrorRepository(stack, `ChartMirror-${release}`, `acme/charts/${chart}`);
  const mirrors: OperatorMirrors = {
    images: [{ upstream: 'nvcr.io/nvidia/k8s-device-plugin', repository: devicePlugin }],
    charts: {
      [OPERATOR_RELEASES.certManager]: chartMirror(OPERATOR_RELEASES.certManager, 'cert-manager'),
      [OPERATOR_RELEASES.nvidiaDevicePlugin]: chartMirror(OPERATOR_RELEASES.nvidiaDevicePlugin, 'nvidia-device-plugin'),
      [OPERATOR_RELEASES.clusterAutoscaler]: chartMirror(OPERATOR_RELEASES.clusterAutoscaler, 'cluster-autoscaler'),
    },
  };
  const layerArn = app.node.tryGetContext('kubectlLayerArn') as string | undefined;
  const kubectlLayer = options.kubectlLayer ?? (layerArn ? lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', layerArn) : undefined);
  const kubectlProvider = options.kubectlProvider ?? String(app.node.tryGetContext('kubectlProvider')) !== 'false';

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
      pullThroughCache: cache,
      kubectlProvider,
      kubectlLayer: kubectlProvider ? kubectlLayer : undefined,
    },
  });
  // The kubelet pulls the device plugin's copy with the node role's AmazonEC2ContainerRegistryPullOnly
  // (ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on every repository of the account).

  // The vision team registers the versions it trains (always pending manual approval).
  registry.grantRegister(training.teamRoles!.vision, 'defect-detector');

  const cluster = training.eksCluster!;
  // Without a kubectl provider (the Terraform path, or the layer package not installed, which synth
  // warns about), a runner in training.deployerSecurityGroup installs the operators and applies the
  // Kubernetes layer (bin/kubernetes.ts) from inside the VPC.
  if (!cluster.kubectlProvider) return { stack, training, cache, mirrors };
  const declaration: WorkloadDeclaration = {
    project: 'acme',
    environment: 'prod',
    // The CIDR TrainingCluster gives the VPC it creates (a literal: network policies are computed from it).
    vpcCidr: '10.80.0.0/16',
    artifactBucket: registry.artifactBucket.bucketName,
    // The training image (Docker Hub) and KServe's storage initializer come through the cache.
    imageRegistry: cache.registry,
    pullThroughPrefixes: { ...cache.prefixes },
    teams: [
      { name: 'vision', quota: { cpu: '64', memory: '512Gi', gpu: 8 }, containerLimits: { maxGpuPerContainer: 4 }, developersGroup: 'vision-developers' },
      { name: 'forecasting', quota: { cpu: '16', memory: '64Gi' }, developersGroup: 'forecasting-developers' },
    ],
    models: [
      { name: 'defect-detector', team: 'vision', modelFormat: 'pytorch', artifact: 'v3/', minReplicas: 1, maxReplicas: 2, resources: { cpu: '4', memory: '16Gi', gpu: 1 } },
    ],
  };
  const workloads = kubernetesWorkloads(declaration, stack.node.path);
  const operators = installOperators(cluster, {
    clusterName: cluster.clusterName, region: stack.region, kubernetesVersion: eks.KubernetesVersion.V1_35.version,
    pullThroughCache: cache, mirrors,
    // Only the ClusterServingRuntimes the InferenceServices use (pytorch: kserve-torchserve).
    servingModelFormats: modelFormatsOf(workloads.all),
  });
  addWorkloadManifests(cluster, workloads, operators);
  return { stack, training, cache, mirrors, operators };
}

// Run directly (as `cdk synth --app` does), the App synthesizes itself when the process exits.
if (require.main === module) buildTrainingEksExample();
