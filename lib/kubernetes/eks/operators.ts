import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ValidationError } from '../../core/errors';
import { ManifestObject } from '../spec/manifest';
import { OPERATOR_RELEASES, OperatorChart, OperatorChartOptions, operatorCharts } from '../spec/operators';
import { IEcrPullThroughCache } from './pull-through-cache';

/**
 * Helm values that point a chart's images at a pull-through cache, only for the keys verified in
 * the chart's values.yaml: cluster-autoscaler `image.repository` (kubernetes/autoscaler,
 * charts/cluster-autoscaler/values.yaml) and kubeflow-trainer `image.registry` (kubeflow/trainer,
 * charts/kubeflow-trainer/values.yaml). `images` lists what else the chart runs that no verified key
 * covers; those need `values` of the caller.
 */
const CACHED_IMAGE_VALUES: Readonly<Record<string, (cache: IEcrPullThroughCache) => { values?: ManifestObject; images: string[] }>> = {
  [OPERATOR_RELEASES.clusterAutoscaler]: (cache) => {
    const repository = cache.imageFor('registry.k8s.io/autoscaling/cluster-autoscaler');
    return repository ? { values: { image: { repository } }, images: [] } : { images: ['registry.k8s.io/autoscaling/cluster-autoscaler'] };
  },
  [OPERATOR_RELEASES.trainer]: (cache) => {
    const prefix = cache.prefixes['ghcr.io'];
    return {
      values: prefix ? { image: { registry: `${cache.registry}/${prefix}` } } : undefined,
      images: [...(prefix ? [] : ['ghcr.io/kubeflow/trainer/trainer-controller-manager']), 'the JobSet subchart\'s controller image'],
    };
  },
  [OPERATOR_RELEASES.certManager]: () => ({ images: ['quay.io/jetstack/cert-manager-* (controller, webhook, cainjector, startupapicheck)'] }),
  [OPERATOR_RELEASES.kserveCrd]: () => ({ images: [] }),
  [OPERATOR_RELEASES.kserve]: () => ({ images: ['kserve/kserve-controller and the agent, router and storage-initializer images (Docker Hub)'] }),
  [OPERATOR_RELEASES.kueue]: () => ({ images: ['registry.k8s.io/kueue/kueue'] }),
  [OPERATOR_RELEASES.nvidiaDevicePlugin]: () => ({ images: ['nvcr.io/nvidia/k8s-device-plugin (nvcr.io has no pull-through support: mirror it into ECR)'] }),
};

function deepMerge(a: ManifestObject, b: ManifestObject): ManifestObject {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = prev && v && typeof prev === 'object' && typeof v === 'object' && !Array.isArray(prev) && !Array.isArray(v)
      ? deepMerge(prev as ManifestObject, v as ManifestObject) : v;
  }
  return out as ManifestObject;
}

/** Options of {@link installOperators}. */
export interface InstallOperatorsOptions extends OperatorChartOptions {
  /**
   * Chart repositories to use instead of the upstream ones, by release name, for example an ECR
   * pull-through cache path (`oci://<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/...`): a
   * cluster without internet egress cannot reach ghcr.io, registry.k8s.io or the https chart
   * repositories, and the kubectl provider logs in to private ECR repositories itself.
   * @default the upstream repositories of {@link operatorCharts}
   */
  readonly repositories?: Readonly<Record<string, string>>;
  /**
   * The ECR pull-through cache of a cluster without internet egress. With it, OCI charts on a cached
   * registry are pulled through it, the image keys verified for a chart point at it, and every
   * chart whose images or repository it cannot cover needs `values` (its image keys, in ECR) and,
   * for https chart repositories, a `repositories` entry (the chart mirrored into ECR): synth fails
   * otherwise, naming what is missing, rather than leaving pods in ImagePullBackOff.
   * @default none: charts and images come from their upstream registries (needs internet egress)
   */
  readonly pullThroughCache?: IEcrPullThroughCache;
  /**
   * Helm values by release name, merged over the layer's values (for example the image keys of a
   * chart mirrored into ECR).
   * @default none
   */
  readonly values?: Readonly<Record<string, ManifestObject>>;
  /**
   * How long Helm waits for each release to be ready (CRDs served, webhooks answering).
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
}

/** The installed operators: the charts and the Helm release construct of each. */
export interface InstalledOperators {
  readonly charts: readonly OperatorChart[];
  readonly releases: Readonly<Record<string, eks.HelmChart>>;
}

/**
 * Installs the operator charts ({@link operatorCharts}) on an aws-eks-v2 cluster with
 * `addHelmChart`, each waiting until ready, in dependency order (cert-manager before KServe and
 * Kueue, whose webhooks need certificates; KServe's CRDs before its controller). Pass the result
 * to `addWorkloadManifests` so that every object of a custom resource waits for its chart.
 *
 * @throws ValidationError when the cluster has no kubectl provider, or a repository override names an unknown release
 */
export function installOperators(cluster: eks.ICluster, options: InstallOperatorsOptions): InstalledOperators {
  const charts = operatorCharts(options);
  const known = new Set(charts.map((c) => c.release));
  const problems: Array<{ property: string; value: string; allowed: string }> = [
    ...(cluster.kubectlProvider ? [] : [{
      property: 'cluster.kubectlProvider', value: 'undefined',
      allowed: 'the cluster must be created with kubectlProviderOptions (a kubectlLayer) or imported with a kubectlProvider, so that addHelmChart can install charts',
    }]),
    ...Object.keys(options.repositories ?? {}).filter((r) => !known.has(r)).map((r) => ({
      property: `repositories.${r}`, value: JSON.stringify(options.repositories![r]), allowed: `must name one of the releases ${[...known].join(', ')}`,
    })),
    ...Object.keys(options.values ?? {}).filter((r) => !known.has(r)).map((r) => ({
      property: `values.${r}`, value: JSON.stringify(options.values![r]), allowed: `must name one of the releases ${[...known].join(', ')}`,
    })),
  ];
  const cache = options.pullThroughCache;
  const repositoryOf = (c: OperatorChart): string | undefined => {
    if (options.repositories?.[c.release]) return options.repositories[c.release];
    if (!cache) return c.repository;
    const oci = /^oci:\/\/([^/]+)\/(.+)$/.exec(c.repository);
    const prefix = oci ? cache.prefixes[oci[1]] : undefined;
    return oci && prefix ? `oci://${cache.registry}/${prefix}/${oci[2]}` : undefined;
  };
  const cachedValues: Record<string, ManifestObject> = {};
  if (cache) {
    for (const c of charts) {
      if (repositoryOf(c) === undefined) {
        problems.push({
          property: `repositories.${c.release}`, value: 'undefined',
          allowed: `the chart's repository ${c.repository} is not reachable without internet egress and has no pull-through rule: mirror chart ${c.chart} ${c.version} into ECR and set its oci:// address`,
        });
      }
      const cached = CACHED_IMAGE_VALUES[c.release](cache);
      if (cached.values) cachedValues[c.release] = cached.values;
      if (cached.images.length > 0 && options.values?.[c.release] === undefined) {
        problems.push({
          property: `values.${c.release}`, value: 'undefined',
          allowed: `must point the chart's images at ECR (${cached.images.join('; ')}): no verified chart key does it through the pull-through cache`,
        });
      }
    }
  }
  if (problems.length > 0) throw new ValidationError(cluster.node.path, problems);
  const releases: Record<string, eks.HelmChart> = {};
  for (const c of charts) {
    const chart = cluster.addHelmChart(`Operator-${c.release}`, {
      release: c.release,
      chart: c.chart,
      repository: repositoryOf(c)!,
      version: c.version,
      namespace: c.namespace,
      createNamespace: true,
      values: deepMerge(deepMerge(structuredClone(c.values), cachedValues[c.release] ?? {}), options.values?.[c.release] ?? {}) as Record<string, unknown>,
      wait: true,
      timeout: options.timeout ?? Duration.minutes(10),
    });
    for (const before of c.after) chart.node.addDependency(releases[before]);
    releases[c.release] = chart;
  }
  return { charts, releases };
}
