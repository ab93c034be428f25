/**
 * The operators the workloads need, pinned in one place: the Helm charts that install the CRDs
 * and controllers (cert-manager, KServe, Kueue, Kubeflow Trainer) and GPU support (NVIDIA device
 * plugin, cluster autoscaler). Plain data, like the rest of the spec; `installOperators` (aws-eks-v2
 * `addHelmChart`) installs them, and both renderers order CRD-using objects after them.
 *
 * Versions and chart locations come from the pinned releases themselves:
 * - KServe v0.20.0: `helm install kserve-crd oci://ghcr.io/kserve/charts/kserve-crd --version v0.20.0`
 *   and `kserve-resources` likewise (kserve/kserve v0.20.0, charts/kserve-crd/README.md,
 *   charts/kserve-resources/README.md); its cert-manager dependency `CERT_MANAGER_VERSION=v1.17.0`
 *   (kserve-deps.env). The chart defaults to `deploymentMode: Knative`
 *   (charts/kserve-resources/values.yaml); this layer runs Standard mode, no Knative, no ingress.
 *   Since v0.20.0 the ClusterServingRuntimes are not in `kserve-resources` but in the chart
 *   `kserve-runtime-configs` v0.20.0 (`oci://ghcr.io/kserve/charts/kserve-runtime-configs`,
 *   charts/kserve-runtime-configs/README.md), which creates none unless
 *   `kserve.servingruntime.enabled: true` (its values.yaml); see ./serving-runtimes.ts.
 * - Kueue v0.19.2: `helm install kueue oci://registry.k8s.io/kueue/charts/kueue --version="0.19.2"`
 *   (kubernetes-sigs/kueue v0.19.2, site/content/en/docs/installation/_index.md); its default
 *   integrations include `trainer.kubeflow.org/trainjob` (charts/kueue/values.yaml).
 * - Kubeflow Trainer v2.3.0: `oci://ghcr.io/kubeflow/charts/kubeflow-trainer`, chart version 2.3.0
 *   (kubeflow/trainer v2.3.0, charts/kubeflow-trainer/README.md and Chart.yaml). Its JobSet
 *   subchart is `jobset` 0.12.0 of `oci://registry.k8s.io/jobset/charts` (Chart.yaml
 *   dependencies); the chart's source values.yaml names the image tag `main`
 *   (kubernetes-sigs/jobset v0.12.0, charts/jobset/values.yaml), which only the release packaging
 *   replaces with the tag (hack/helm-chart-package.sh sets `.image.tag = "${GIT_TAG}"` and
 *   `.image.repository` to registry.k8s.io/jobset/jobset): the layer pins `jobset.image.tag`
 *   to `v0.12.0`, so a chart packaged from source (a mirror) cannot run a moving tag.
 * - cert-manager v1.17.0: chart `cert-manager` of https://charts.jetstack.io; CRDs only with
 *   `crds.enabled: true` (cert-manager/cert-manager v1.17.0, deploy/charts/cert-manager/values.yaml).
 * - NVIDIA device plugin v0.20.0: chart `nvidia-device-plugin` 0.20.0 of
 *   https://nvidia.github.io/k8s-device-plugin (NVIDIA/k8s-device-plugin v0.20.0,
 *   deployments/helm/nvidia-device-plugin/Chart.yaml); its default affinity selects nodes labelled
 *   `nvidia.com/gpu.present=true` and it tolerates `nvidia.com/gpu:NoSchedule` (values.yaml), which
 *   are this library's GPU node label and taint.
 * - Cluster autoscaler: chart `cluster-autoscaler` 9.59.0 (appVersion 1.35.0) of
 *   https://kubernetes.github.io/autoscaler (kubernetes/autoscaler tag cluster-autoscaler-chart-9.59.0).
 *   Its image tag is chosen from the cluster's Kubernetes minor ({@link clusterAutoscalerImageTag}):
 *   "Starting from Kubernetes 1.12, versioning scheme was changed to match Kubernetes minor releases
 *   exactly", and the project recommends running the autoscaler "with the Kubernetes control plane
 *   ... version for which it was meant" (kubernetes/autoscaler, cluster-autoscaler/README.md, "Releases").
 */
import { ValidationError } from '../../core/errors';
import { CLUSTER_AUTOSCALER_SERVICE_ACCOUNT } from '../../training/cluster-options';
import { ManifestObject } from './manifest';
import { RUNTIME_FOR_FORMAT, servingRuntimeKeysFor, servingRuntimeValues } from './serving-runtimes';

/** One Helm release the layer installs. */
export interface OperatorChart {
  /** Helm release name, also the construct ID suffix. */
  readonly release: string;
  /** Namespace of the release (created when missing). */
  readonly namespace: string;
  /** Chart repository: an `https://` Helm repository or an `oci://` registry path (the chart's full path for OCI). */
  readonly repository: string;
  /** Chart name (for OCI, the last segment of the repository). */
  readonly chart: string;
  /** Chart version, exactly. */
  readonly version: string;
  /** API groups of the CRDs it installs: objects of these groups wait for this release. */
  readonly apiGroups: readonly string[];
  /** Releases this one needs first (their webhooks or CRDs). */
  readonly after: readonly string[];
  /** Helm values. */
  readonly values: ManifestObject;
}

/** Release names, to refer to one operator. */
export const OPERATOR_RELEASES = {
  certManager: 'cert-manager',
  kserveCrd: 'kserve-crd',
  kserve: 'kserve',
  kserveRuntimes: 'kserve-runtime-configs',
  kueue: 'kueue',
  trainer: 'kubeflow-trainer',
  nvidiaDevicePlugin: 'nvidia-device-plugin',
  clusterAutoscaler: 'cluster-autoscaler',
} as const;

/** The pinned chart versions, in one place. */
export const OPERATOR_VERSIONS = {
  certManager: 'v1.17.0',
  kserve: 'v0.20.0',
  kueue: '0.19.2',
  trainer: '2.3.0',
  /** The JobSet image tag: the `jobset` subchart version the Trainer chart depends on, as its release tag. */
  jobset: 'v0.12.0',
  nvidiaDevicePlugin: '0.20.0',
  clusterAutoscaler: '9.59.0',
} as const;

/**
 * Cluster autoscaler image tags by Kubernetes minor: only releases this library has verified. The
 * autoscaler's minor must equal the cluster's (see {@link clusterAutoscalerImageTag}); v1.35.0 is
 * the appVersion of the pinned chart 9.59.0. Add a minor here when its release is verified, or
 * pass `clusterAutoscalerImageTag`.
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Readonly<Record<string, string>> = {
  '1.35': 'v1.35.0',
};

/** What the operator charts need to know about the cluster. */
export interface OperatorChartOptions {
  /** EKS cluster name: the cluster autoscaler discovers the node groups tagged for it. */
  readonly clusterName: string;
  /** AWS region of the cluster. */
  readonly region: string;
  /**
   * The cluster's Kubernetes version, `1.<minor>` (for example `eks.KubernetesVersion.V1_35.version`):
   * the cluster autoscaler's image must be of the same minor.
   */
  readonly kubernetesVersion: string;
  /**
   * Cluster autoscaler image tag, `v1.<minor>.<patch>` with the cluster's minor.
   * @default CLUSTER_AUTOSCALER_IMAGE_TAGS[kubernetesVersion]
   */
  readonly clusterAutoscalerImageTag?: string;
  /**
   * The model formats the layer's InferenceServices name (`modelFormatsOf(workloads.all)`): only
   * the ClusterServingRuntimes of kserve-runtime-configs that serve them are enabled, the others
   * are created with `disabled: true`, so their images are never pulled.
   * @default every format the layer can serve ({@link RUNTIME_FOR_FORMAT})
   */
  readonly servingModelFormats?: readonly string[];
}

/**
 * The cluster autoscaler image tag for a cluster: the given tag or the verified one of the cluster's
 * minor. Throws a ValidationError when the minors differ or no release of that minor is known.
 */
export function clusterAutoscalerImageTag(options: OperatorChartOptions, path = 'operatorCharts'): string {
  const minor = /^1\.(\d+)$/.exec(options.kubernetesVersion)?.[1];
  const tag = options.clusterAutoscalerImageTag ?? CLUSTER_AUTOSCALER_IMAGE_TAGS[options.kubernetesVersion];
  const tagMinor = tag === undefined ? undefined : /^v1\.(\d+)\.\d+$/.exec(tag)?.[1];
  if (minor === undefined) {
    throw new ValidationError(path, [{ property: 'kubernetesVersion', value: JSON.stringify(options.kubernetesVersion), allowed: 'must be "1.<minor>"' }]);
  }
  if (tag === undefined) {
    throw new ValidationError(path, [{
      property: 'kubernetesVersion', value: JSON.stringify(options.kubernetesVersion),
      allowed: `has no verified cluster autoscaler release (known: ${Object.keys(CLUSTER_AUTOSCALER_IMAGE_TAGS).join(', ')}); pass clusterAutoscalerImageTag "v1.${minor}.<patch>"`,
    }]);
  }
  if (tagMinor !== minor) {
    throw new ValidationError(path, [{
      property: 'clusterAutoscalerImageTag', value: JSON.stringify(tag),
      allowed: `must be "v1.${minor}.<patch>": the cluster autoscaler's minor must match the cluster's Kubernetes ${options.kubernetesVersion}`,
    }]);
  }
  return tag;
}

/**
 * The operator charts in install order (a release comes after every release in its `after`).
 * The cluster autoscaler runs as {@link CLUSTER_AUTOSCALER_SERVICE_ACCOUNT}, the service account
 * the cluster engine's Pod Identity association names, and discovers node groups by the
 * `k8s.io/cluster-autoscaler/<cluster>` tag EKS puts on managed node groups' Auto Scaling groups.
 */
export function operatorCharts(options: OperatorChartOptions): OperatorChart[] {
  const r = OPERATOR_RELEASES;
  const v = OPERATOR_VERSIONS;
  const autoscalerTag = clusterAutoscalerImageTag(options);
  const runtimeKeys = servingRuntimeKeysFor(options.servingModelFormats ?? Object.keys(RUNTIME_FOR_FORMAT));
  return [
    {
      release: r.certManager, namespace: 'cert-manager', repository: 'https://charts.jetstack.io', chart: 'cert-manager', version: v.certManager,
      apiGroups: ['cert-manager.io', 'acme.cert-manager.io'], after: [], values: { crds: { enabled: true } },
    },
    {
      release: r.kserveCrd, namespace: 'kserve', repository: 'oci://ghcr.io/kserve/charts/kserve-crd', chart: 'kserve-crd', version: v.kserve,
      apiGroups: ['serving.kserve.io'], after: [], values: {},
    },
    {
      release: r.kserve, namespace: 'kserve', repository: 'oci://ghcr.io/kserve/charts/kserve-resources', chart: 'kserve-resources', version: v.kserve,
      apiGroups: ['serving.kserve.io'], after: [r.certManager, r.kserveCrd],
      values: { kserve: { controller: { deploymentMode: 'Standard', gateway: { disableIngressCreation: true } } } },
    },
    {
      // ClusterServingRuntimes: after the CRDs and after the controller, whose webhook validates them.
      // InferenceServices wait for it too: KServe picks a runtime when it reconciles one.
      release: r.kserveRuntimes, namespace: 'kserve', repository: 'oci://ghcr.io/kserve/charts/kserve-runtime-configs', chart: 'kserve-runtime-configs',
      version: v.kserve, apiGroups: ['serving.kserve.io'], after: [r.kserveCrd, r.kserve], values: servingRuntimeValues(runtimeKeys) as ManifestObject,
    },
    {
      release: r.kueue, namespace: 'kueue-system', repository: 'oci://registry.k8s.io/kueue/charts/kueue', chart: 'kueue', version: v.kueue,
      apiGroups: ['kueue.x-k8s.io'], after: [r.certManager], values: {},
    },
    {
      release: r.trainer, namespace: 'kubeflow-system', repository: 'oci://ghcr.io/kubeflow/charts/kubeflow-trainer', chart: 'kubeflow-trainer', version: v.trainer,
      apiGroups: ['trainer.kubeflow.org'], after: [], values: { jobset: { image: { tag: v.jobset } } },
    },
    {
      release: r.nvidiaDevicePlugin, namespace: 'kube-system', repository: 'https://nvidia.github.io/k8s-device-plugin', chart: 'nvidia-device-plugin',
      version: v.nvidiaDevicePlugin, apiGroups: [], after: [], values: {},
    },
    {
      release: r.clusterAutoscaler, namespace: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.namespace, repository: 'https://kubernetes.github.io/autoscaler',
      chart: 'cluster-autoscaler', version: v.clusterAutoscaler, apiGroups: [], after: [],
      values: {
        cloudProvider: 'aws',
        awsRegion: options.region,
        autoDiscovery: { clusterName: options.clusterName },
        rbac: { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.name } },
        image: { tag: autoscalerTag },
      },
    },
  ];
}

/** The API group of a manifest's apiVersion (`''` for the core group). */
export function apiGroupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
}

/** The releases whose CRDs a set of manifests uses (release names, install order kept). */
export function operatorsUsedBy(charts: readonly OperatorChart[], manifests: ReadonlyArray<{ apiVersion: string }>): string[] {
  const groups = new Set(manifests.map((m) => apiGroupOf(m.apiVersion)));
  return charts.filter((c) => c.apiGroups.some((g) => groups.has(g))).map((c) => c.release);
}
