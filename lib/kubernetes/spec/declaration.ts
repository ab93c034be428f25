/**
 * The small declaration the workload spec is produced from: teams, their quotas and limits,
 * and the models they serve. Plain data with no tokens, so that it can be validated and rendered
 * identically by the cdktf and the CDK renderer.
 */

/** CPU, memory and GPU amounts, as Kubernetes quantities (`cpu: '500m'`, `memory: '16Gi'`). */
export interface ResourceAmounts {
  /** CPU cores, a quantity such as `500m` or `8`. */
  readonly cpu: string;
  /** Memory, a quantity such as `512Mi` or `64Gi`. */
  readonly memory: string;
  /**
   * `nvidia.com/gpu` devices, a whole number.
   * @default 0
   */
  readonly gpu?: number;
}

/** A team's namespace quota: what all its pods together may request and be limited to. */
export interface TeamQuota extends ResourceAmounts {
  /**
   * Maximum number of pods in the namespace.
   * @default 100
   */
  readonly pods?: number;
}

/**
 * Per-container defaults and maxima of a team's namespace (its LimitRange). Containers that
 * declare no resources get the defaults, so every pod counts against the quota.
 */
export interface TeamContainerLimits {
  /**
   * Default limits of a container that declares none.
   * @default { cpu: '1', memory: '2Gi' }
   */
  readonly defaultLimits?: ResourceAmounts;
  /**
   * Default requests of a container that declares none; each at most the default limit.
   * @default { cpu: '250m', memory: '512Mi' }
   */
  readonly defaultRequests?: ResourceAmounts;
  /**
   * Most `nvidia.com/gpu` one container may use; at most the team's GPU quota.
   * @default the team's GPU quota
   */
  readonly maxGpuPerContainer?: number;
}

/** A team: a namespace, a quota, a training service account bound to its Pod Identity role. */
export interface TeamWorkloadOptions {
  /**
   * Team name: the same name as in TrainingCluster's `teams` (the namespace and the
   * `<name>-training` service account are derived from it, as the Pod Identity association expects).
   * A DNS-1123 label, at most 63 characters, not `default` and not starting with `kube-`.
   */
  readonly name: string;
  /** The namespace's resource quota. */
  readonly quota: TeamQuota;
  /**
   * Per-container defaults and maxima.
   * @default see TeamContainerLimits
   */
  readonly containerLimits?: TeamContainerLimits;
  /**
   * Kubernetes group (as mapped by an EKS access entry's `kubernetesGroups`) whose members get the
   * team's Role in its namespace, in addition to the training service account.
   * @default none: only the training service account is bound
   */
  readonly developersGroup?: string;
}

/**
 * A model served with KServe in its team's namespace. The predictor runs as the team's
 * `<team>-training` service account, so the team's Pod Identity role must read the model's
 * prefix: give the team `artifactPrefixes: [registry.artifactPrefix(model)]` in TrainingCluster.
 */
export interface ServingModelOptions {
  /** Model name: a DNS-1123 label, unique across the environment; also the registry model name. */
  readonly name: string;
  /** The team (declared in `teams`) whose namespace serves it. */
  readonly team: string;
  /** KServe model format, for example `sklearn`, `xgboost`, `pytorch`, `huggingface`. */
  readonly modelFormat: string;
  /**
   * Key under the model's registry prefix (`models/<name>/`) of the artifact to serve, for
   * example `v3/`; the storage URI becomes `s3://<artifactBucket>/models/<name>/<artifact>`.
   */
  readonly artifact: string;
  /**
   * Fewest replicas; at least 1 (scale-to-zero needs Knative, which raw deployment mode has not).
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Most replicas, at least minReplicas.
   * @default 3
   */
  readonly maxReplicas?: number;
  /**
   * Namespaces whose pods may call the model (on the predictor's port 8080). Team namespaces deny
   * ingress from elsewhere by default.
   * @default none: only pods of the team's own namespace
   */
  readonly clientNamespaces?: string[];
  /**
   * Resources of the predictor container, requested and limited alike (guaranteed QoS).
   * @default { cpu: '1', memory: '2Gi', gpu: 0 }
   */
  readonly resources?: ResourceAmounts;
}

/** The Kubeflow Trainer runtime offered to every team. */
export interface TrainingRuntimeOptions {
  /**
   * Container image of the PyTorch training runtime.
   * @default pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime
   */
  readonly image?: string;
  /**
   * Nodes per training job unless the TrainJob says otherwise.
   * @default 1
   */
  readonly numNodes?: number;
}

/** Everything the Kubernetes layer creates in one environment's training cluster. */
export interface WorkloadDeclaration {
  /** Project name, as given to applyPlatform; prefixes cluster-scoped names and labels every object. */
  readonly project: string;
  /** Environment name: dev, staging or prod. */
  readonly environment: string;
  /**
   * The cluster VPC's CIDR block: pods may reach HTTPS (443) there, which covers the VPC's
   * interface endpoints (STS, EKS Auth, ECR, Logs) and the cluster's private API endpoint.
   */
  readonly vpcCidr: string;
  /**
   * The public CIDR blocks pods may reach on HTTPS besides the VPC, for example the region's S3
   * ranges from ip-ranges.json. The S3 gateway endpoint routes to public S3 addresses through a
   * managed prefix list, which a NetworkPolicy cannot name and which is not one CIDR; when this is
   * absent, pods may reach HTTPS on any public IPv4 address (0.0.0.0/0 except private,
   * link-local, CGNAT and loopback ranges), which in a VPC without NAT or internet gateway (as
   * TrainingCluster creates it) reaches only the gateway endpoints. List the ranges to pin them
   * (you then keep them current as AWS publishes changes).
   * @default any public IPv4 address
   */
  readonly httpsEgressCidrs?: string[];
  /**
   * Name of the model registry's artifact bucket, where served models are read from. Required to
   * serve models with manifests built directly (for `addWorkloadManifests`).
   * @default `KubernetesStack` reads it from the registry's SSM parameter `/<project>/<env>/registry/artifact-bucket`
   */
  readonly artifactBucket?: string;
  /**
   * The private ECR registry (`<account>.dkr.ecr.<region>.amazonaws.com`) whose pull-through
   * cache rules mirror the public registries: every image the spec renders (the training image,
   * KServe's storage initializer) is rewritten to it, and an image from a registry without a
   * pull-through prefix fails validation. Set it for a cluster without internet egress (as
   * TrainingCluster creates it), which can pull only from ECR.
   * @default none: images are pulled from their upstream registries (needs internet egress)
   */
  readonly imageRegistry?: string;
  /**
   * Upstream registry host -> repository prefix of its pull-through cache rule in `imageRegistry`.
   * @default DEFAULT_PULL_THROUGH_PREFIXES (docker.io: docker-hub, ghcr.io: github, registry.k8s.io: kubernetes, quay.io: quay, public.ecr.aws: ecr-public)
   */
  readonly pullThroughPrefixes?: Record<string, string>;
  /** Teams, at least one. */
  readonly teams: TeamWorkloadOptions[];
  /**
   * Models to serve.
   * @default none
   */
  readonly models?: ServingModelOptions[];
  /**
   * The Kubeflow Trainer runtime.
   * @default see TrainingRuntimeOptions
   */
  readonly training?: TrainingRuntimeOptions;
}

/** The documented defaults, in one place; the spec reads every default from here. */
export const WORKLOAD_DEFAULTS = {
  pods: 100,
  defaultLimits: { cpu: '1', memory: '2Gi' },
  defaultRequests: { cpu: '250m', memory: '512Mi' },
  minReplicas: 1,
  maxReplicas: 3,
  servingResources: { cpu: '1', memory: '2Gi', gpu: 0 },
  trainingImage: 'pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime',
  numNodes: 1,
  /** UID/GID the pod templates run as (any non-root ID works with the restricted standard). */
  runAsUser: 1000,
  /** PriorityClass values: serving above training, so serving preempts training and never the other way round. */
  servingPriority: 100000,
  trainingPriority: 1000,
} as const;
