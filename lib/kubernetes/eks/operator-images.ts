import { Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { ManifestObject } from '../spec/manifest';
import { OPERATOR_RELEASES } from '../spec/operators';
import { KSERVE_SERVING_RUNTIMES } from '../spec/serving-runtimes';
import { IEcrPullThroughCache } from './pull-through-cache';

/**
 * An image repository copied into one of the account's ECR repositories, for an upstream that an
 * ECR pull-through cache cannot serve: nvcr.io (NVIDIA's registry is not an upstream
 * CreatePullThroughCacheRule accepts), or a registry whose rule the account does not have.
 * The ECR repository must hold the same tags as the upstream (copy them with `crane copy`,
 * `skopeo copy` or `docker pull/tag/push`).
 */
export interface ImageMirror {
  /** The upstream repository, without tag or digest, as the chart names it: `nvcr.io/nvidia/k8s-device-plugin`. */
  readonly upstream: string;
  /** The ECR repository holding its tags. */
  readonly repository: ecr.IRepository;
}

/** Copies in ECR of what the operator charts pull and a pull-through cache cannot serve. */
export interface OperatorMirrors {
  /**
   * Images copied into ECR: each replaces its upstream at every chart key that names it.
   * @default none
   */
  readonly images?: ImageMirror[];
  /**
   * Charts copied into ECR (`helm push <chart>.tgz oci://<registry>/<namespace>` creates the
   * repository `<namespace>/<chart>`), by release name ({@link OPERATOR_RELEASES}). A chart from an
   * https repository (cert-manager, the NVIDIA device plugin, the cluster autoscaler) is not
   * reachable from a VPC without internet egress and has no pull-through rule.
   * @default none
   */
  readonly charts?: Readonly<Record<string, ecr.IRepository>>;
}

/** One image a chart runs and the values key that names it. */
export interface ChartImage {
  /** Path of the values key. */
  readonly path: readonly string[];
  /** The upstream repository (no tag) the chart's default names. */
  readonly upstream: string;
  /**
   * How the key names the image: `repository` (a repository, the chart adds the tag), `reference`
   * (a full reference with its tag, kept), or `registry` (the key is `<...>.registry` and its sibling
   * `<...>.repository` holds the path).
   */
  readonly form: 'repository' | 'reference' | 'registry';
  /** The tag of a `reference` key's default. */
  readonly tag?: string;
  /**
   * A values key that, when `true`, turns off what runs this image (a disabled ClusterServingRuntime
   * is never selected, so its image is never pulled and needs no ECR copy).
   * @default always runs
   */
  readonly disabledBy?: readonly string[];
}

const r = OPERATOR_RELEASES;
const repo = (path: string, upstream: string): ChartImage => ({ path: path.split('.'), upstream, form: 'repository' });

/**
 * Every image each pinned chart runs with the values this layer gives it, and the key that names
 * it, read from the charts at their pinned versions:
 * - cert-manager v1.17.0 (deploy/charts/cert-manager/values.yaml): `image`, `webhook.image`,
 *   `cainjector.image`, `acmesolver.image`, `startupapicheck.image`, each `.repository` on quay.io/jetstack;
 * - kserve-resources v0.20.0 (charts/kserve-resources/values.yaml, files/kserve/deployment-patch.yaml,
 *   charts/_common/common-patches/configmap-patch.yaml): `kserve.controller.image`,
 *   `kserve.controller.rbacProxyImage` (a full reference), `kserve.agent.image`, `kserve.router.image`,
 *   `kserve.storage.image`, `kserve.servingruntime.art.image`, `kserve.localmodel.controller.image`,
 *   `kserve.localmodel.defaultJobImage`, `kserve.localmodel.agent.image` (the inferenceservice
 *   ConfigMap names them even with localmodel off); its serving runtimes are in the separate
 *   kserve-runtime-configs chart;
 * - kserve-crd: CRDs only;
 * - kserve-runtime-configs v0.20.0 (charts/kserve-runtime-configs/values.yaml,
 *   files/runtimes/clusterservingruntimes-patch.yaml): `kserve.servingruntime.<runtime>.image`
 *   of each runtime (the tag is `.tag`, else `kserve.version`), run only when its `.disabled`
 *   is not `true`; the huggingface multinode runtime uses `huggingfaceserver.image` too;
 * - kueue 0.19.2 (charts/kueue/values.yaml): `controllerManager.manager.image.repository`
 *   (KueueViz, off by default, is not installed);
 * - kubeflow-trainer 2.3.0 (charts/kubeflow-trainer/values.yaml, templates/_helpers.tpl
 *   `trainer.image` prints `<registry>/<repository>:<tag>`): `image.registry` and `image.repository`;
 *   its JobSet 0.12.0 subchart (Chart.yaml dependencies; kubernetes-sigs/jobset charts/jobset/values.yaml):
 *   `jobset.image.repository` (its tag is pinned by `operatorCharts`). The chart's built-in runtimes and data cache (other images) are off by default;
 * - nvidia-device-plugin 0.20.0 (deployments/helm/nvidia-device-plugin/values.yaml): `image.repository`
 *   (GPU feature discovery and NFD are off by default);
 * - cluster-autoscaler 9.59.0: `image.repository`.
 */
export const OPERATOR_IMAGES: Readonly<Record<string, readonly ChartImage[]>> = {
  [r.certManager]: [
    repo('image.repository', 'quay.io/jetstack/cert-manager-controller'),
    repo('webhook.image.repository', 'quay.io/jetstack/cert-manager-webhook'),
    repo('cainjector.image.repository', 'quay.io/jetstack/cert-manager-cainjector'),
    repo('acmesolver.image.repository', 'quay.io/jetstack/cert-manager-acmesolver'),
    repo('startupapicheck.image.repository', 'quay.io/jetstack/cert-manager-startupapicheck'),
  ],
  [r.kserveCrd]: [],
  [r.kserveRuntimes]: KSERVE_SERVING_RUNTIMES.map((rt) => ({
    path: ['kserve', 'servingruntime', rt.key, 'image'], upstream: rt.image, form: 'repository' as const,
    disabledBy: ['kserve', 'servingruntime', rt.key, 'disabled'],
  })),
  [r.kserve]: [
    repo('kserve.controller.image', 'kserve/kserve-controller'),
    { path: ['kserve', 'controller', 'rbacProxyImage'], upstream: 'quay.io/brancz/kube-rbac-proxy', form: 'reference', tag: ':v0.18.0' },
    repo('kserve.agent.image', 'kserve/agent'),
    repo('kserve.router.image', 'kserve/router'),
    repo('kserve.storage.image', 'kserve/storage-initializer'),
    repo('kserve.servingruntime.art.image', 'kserve/art-explainer'),
    repo('kserve.localmodel.controller.image', 'kserve/kserve-localmodel-controller'),
    repo('kserve.localmodel.defaultJobImage', 'kserve/storage-initializer'),
    repo('kserve.localmodel.agent.image', 'kserve/kserve-localmodelnode-agent'),
  ],
  [r.kueue]: [repo('controllerManager.manager.image.repository', 'registry.k8s.io/kueue/kueue')],
  [r.trainer]: [
    { path: ['image', 'registry'], upstream: 'ghcr.io/kubeflow/trainer/trainer-controller-manager', form: 'registry' },
    repo('jobset.image.repository', 'registry.k8s.io/jobset/jobset'),
  ],
  [r.nvidiaDevicePlugin]: [repo('image.repository', 'nvcr.io/nvidia/k8s-device-plugin')],
  [r.clusterAutoscaler]: [repo('image.repository', 'registry.k8s.io/autoscaling/cluster-autoscaler')],
};

/**
 * The registry host of an ECR repository, from the account and region of its environment (the
 * stack's for a repository created or imported by name): `<account>.dkr.ecr.<region>.<url suffix>`.
 */
export function ecrRegistryOf(repository: ecr.IRepository): string {
  return `${repository.env.account}.dkr.ecr.${repository.env.region}.${Stack.of(repository).urlSuffix}`;
}

/** Where an image is pulled from in a VPC without internet egress: the mirror's repository, else the cache, else nowhere. */
function privateRepository(upstream: string, cache: IEcrPullThroughCache | undefined, mirrors: OperatorMirrors): { registry: string; path: string } | undefined {
  const mirror = mirrors.images?.find((m) => m.upstream === upstream);
  if (mirror) return { registry: ecrRegistryOf(mirror.repository), path: mirror.repository.repositoryName };
  const cached = cache?.imageFor(upstream);
  if (cached === undefined || cache === undefined) return undefined;
  return { registry: cache.registry, path: cached.slice(cache.registry.length + 1) };
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: string): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[path[path.length - 1]] = value;
}

/** True when `values` sets the key at `path`. */
export function hasPath(values: ManifestObject | undefined, path: readonly string[]): boolean {
  let node: unknown = values;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== undefined;
}

function valueAt(values: ManifestObject | undefined, path: readonly string[]): unknown {
  let node: unknown = values;
  for (const key of path) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

/** The images a chart runs with the given values: those of {@link OPERATOR_IMAGES} not turned off by their `disabledBy` key. */
export function activeChartImages(release: string, values: ManifestObject | undefined): ChartImage[] {
  return (OPERATOR_IMAGES[release] ?? []).filter((i) => i.disabledBy === undefined || valueAt(values, i.disabledBy) !== true);
}

/**
 * The values that point a chart's images at ECR (mirrors first, then the cache), and the
 * upstreams neither covers, for the images the chart runs with `chartValues`.
 */
export function privateImageValues(release: string, cache: IEcrPullThroughCache | undefined, mirrors: OperatorMirrors, chartValues?: ManifestObject): { values: ManifestObject; missing: ChartImage[] } {
  const values: Record<string, unknown> = {};
  const missing: ChartImage[] = [];
  for (const image of activeChartImages(release, chartValues)) {
    const target = privateRepository(image.upstream, cache, mirrors);
    if (!target) {
      missing.push(image);
    } else if (image.form === 'registry') {
      setPath(values, image.path, target.registry);
      setPath(values, [...image.path.slice(0, -1), 'repository'], target.path);
    } else {
      setPath(values, image.path, `${target.registry}/${target.path}${image.form === 'reference' ? image.tag ?? '' : ''}`);
    }
  }
  return { values: values as ManifestObject, missing };
}
