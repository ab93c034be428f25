import { GPU_NODE_LABEL, GPU_NODE_TAINT, teamNamespace, teamServiceAccount } from '../../training/cluster-options';
import { REGISTRY_DEFAULTS } from '../../registry/model-registry-props';
import { ServingModelOptions, WORKLOAD_DEFAULTS, WorkloadDeclaration } from './declaration';
import { commonLabels } from './labels';
import { KubernetesManifest, ManifestValue } from './manifest';
import { priorityClassNames } from './cluster';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './pod-security';
import { renderedImage } from './team';
import { KSERVE_STORAGE_INITIALIZER_IMAGE } from './images';
import { canonicalQuantity } from './quantity';
import { PREDICTOR_ROLLOUT, STORAGE_INITIALIZER_RESOURCES } from './serving-budget';

/** KServe annotation that selects the deployment mode. */
export const KSERVE_DEPLOYMENT_MODE_ANNOTATION = 'serving.kserve.io/deploymentMode';

/**
 * The deployment mode: a Deployment, Service and HPA, no Knative. KServe v0.20.0 names it
 * `Standard`; `RawDeployment` is its deprecated alias (kserve/kserve v0.20.0,
 * pkg/constants/constants.go: `LegacyRawDeployment DeploymentModeType = "RawDeployment" //
 * deprecated: use Standard`).
 */
export const KSERVE_DEPLOYMENT_MODE = 'Standard';

/** The KServe API version of ClusterStorageContainer (the only one KServe v0.20.0 serves). */
export const KSERVE_STORAGE_CONTAINER_API_VERSION = 'serving.kserve.io/v1alpha1';

/** Name of the spec's ClusterStorageContainer, prefixed with the project (cluster-scoped). */
export function storageContainerName(decl: WorkloadDeclaration): string {
  return `${decl.project}-s3-restricted`;
}

/**
 * The storage initializer every predictor uses to download its `s3://` model: a
 * ClusterStorageContainer (serving.kserve.io/v1alpha1) that predictors select by name with
 * `spec.predictor.storageContainerName`. Without it, KServe injects its `storage-initializer`
 * init container with no security context (kserve/kserve v0.20.0, pkg/utils/storage.go
 * `CreateInitContainerWithConfig`), which the namespaces' `restricted` Pod Security admission
 * rejects: no pod is ever created. KServe merges this container into the injected one with a
 * strategic merge patch (pkg/webhook/admission/pod/storage_initializer_injector.go,
 * `MergeContainerWithPatch`), so the restricted security context and explicit resources land on
 * it; the image stays the one KServe's configuration names unless the declaration has an
 * `imageRegistry` (it runs as UID 1000: python/storage-initializer.Dockerfile `USER 1000`).
 */
export function storageInitializerContainer(decl: WorkloadDeclaration): KubernetesManifest {
  return {
    apiVersion: KSERVE_STORAGE_CONTAINER_API_VERSION, kind: 'ClusterStorageContainer',
    metadata: { name: storageContainerName(decl), labels: commonLabels(decl) },
    spec: {
      container: {
        name: 'storage-initializer',
        // Only with an ECR registry: otherwise KServe's configured image stays.
        ...(decl.imageRegistry !== undefined ? { image: renderedImage(decl, KSERVE_STORAGE_INITIALIZER_IMAGE) } : {}),
        securityContext: { ...restrictedContainerSecurityContext(), runAsUser: WORKLOAD_DEFAULTS.runAsUser },
        resources: {
          requests: { ...STORAGE_INITIALIZER_RESOURCES.requests },
          limits: { ...STORAGE_INITIALIZER_RESOURCES.limits },
        },
      },
      supportedUriFormats: [{ prefix: 's3://' }],
      workloadType: 'initContainer',
    },
  };
}

/** Where a model's artifact lives: `s3://<artifactBucket>/models/<model>/<artifact>` (the registry's layout). */
export function modelStorageUri(decl: WorkloadDeclaration, m: ServingModelOptions): string {
  return `s3://${decl.artifactBucket!}/${REGISTRY_DEFAULTS.modelsPrefix}${m.name}/${m.artifact}`;
}

/**
 * A KServe InferenceService (serving.kserve.io/v1beta1) in Standard deployment mode: a Deployment,
 * Service and HPA, no Knative or Istio. The predictor runs as the team's service account (whose
 * Pod Identity role reads the artifact bucket), at serving priority, with requests equal to
 * limits and the restricted security context, downloads its model with the spec's restricted
 * storage initializer, and rolls out one surge pod at a time ({@link PREDICTOR_ROLLOUT}, which the
 * team quota reserves); GPU models tolerate the GPU taint and select GPU nodes.
 */
export function inferenceService(decl: WorkloadDeclaration, m: ServingModelOptions): KubernetesManifest {
  const r = m.resources ?? WORKLOAD_DEFAULTS.servingResources;
  const gpu = r.gpu ?? 0;
  const amounts: Record<string, string> = { cpu: canonicalQuantity(r.cpu), memory: canonicalQuantity(r.memory), ...(gpu > 0 ? { 'nvidia.com/gpu': String(gpu) } : {}) };
  const gpuPlacement: Record<string, ManifestValue> = gpu > 0 ? {
    nodeSelector: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value },
    tolerations: [{ key: GPU_NODE_TAINT.key, operator: 'Equal', value: GPU_NODE_TAINT.value, effect: GPU_NODE_TAINT.effect }],
  } : {};
  return {
    apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService',
    metadata: {
      name: m.name, namespace: teamNamespace(m.team), labels: commonLabels(decl, m.team),
      annotations: { [KSERVE_DEPLOYMENT_MODE_ANNOTATION]: KSERVE_DEPLOYMENT_MODE },
    },
    spec: {
      predictor: {
        minReplicas: m.minReplicas ?? WORKLOAD_DEFAULTS.minReplicas,
        maxReplicas: m.maxReplicas ?? WORKLOAD_DEFAULTS.maxReplicas,
        scaleMetric: 'cpu',
        scaleTarget: 70,
        deploymentStrategy: { type: 'RollingUpdate', rollingUpdate: { ...PREDICTOR_ROLLOUT } },
        storageContainerName: storageContainerName(decl),
        serviceAccountName: teamServiceAccount(m.team),
        priorityClassName: priorityClassNames(decl).serving,
        securityContext: restrictedPodSecurityContext(),
        ...gpuPlacement,
        model: {
          modelFormat: { name: m.modelFormat },
          storageUri: modelStorageUri(decl, m),
          resources: { requests: amounts, limits: amounts },
          securityContext: restrictedContainerSecurityContext(),
        },
      },
    },
  };
}

/** The port KServe's model servers listen on in the predictor pod. */
export const PREDICTOR_PORT = 8080;

/** Labels KServe puts on an InferenceService's predictor pods. */
export function predictorPodLabels(model: string): Record<string, string> {
  return { 'serving.kserve.io/inferenceservice': model, 'component': 'predictor' };
}

/**
 * Lets the declared client namespaces reach the model's predictor pods on {@link PREDICTOR_PORT};
 * undefined when the model declares none (the team's default-deny policy then keeps it in-namespace).
 */
export function modelClientPolicy(decl: WorkloadDeclaration, m: ServingModelOptions): KubernetesManifest | undefined {
  if (!m.clientNamespaces || m.clientNamespaces.length === 0) return undefined;
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
    metadata: { name: `allow-${m.name}-clients`, namespace: teamNamespace(m.team), labels: commonLabels(decl, m.team) },
    spec: {
      podSelector: { matchLabels: predictorPodLabels(m.name) },
      policyTypes: ['Ingress'],
      ingress: [{
        from: m.clientNamespaces.map((ns) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } })),
        ports: [{ protocol: 'TCP', port: PREDICTOR_PORT }],
      }],
    },
  };
}

/** Keeps all but one predictor pod up during voluntary disruptions (node drains), and never blocks a drain. */
export function modelDisruptionBudget(decl: WorkloadDeclaration, m: ServingModelOptions): KubernetesManifest {
  return {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
    metadata: { name: `${m.name}-predictor`, namespace: teamNamespace(m.team), labels: commonLabels(decl, m.team) },
    spec: {
      maxUnavailable: 1,
      selector: { matchLabels: predictorPodLabels(m.name) },
    },
  };
}
