import { Duration, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ValidationError } from '../../core/errors';
import { ManifestObject } from '../spec/manifest';
import { OperatorChart, OperatorChartOptions, operatorCharts } from '../spec/operators';
import { OperatorMirrors, ecrRegistryOf, hasPath, privateImageValues } from './operator-images';
import { IEcrPullThroughCache } from './pull-through-cache';

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
   * The ECR pull-through cache of a cluster without internet egress. With it (or with `mirrors`),
   * every image key of every chart ({@link OPERATOR_IMAGES}) points at the account's ECR: a
   * mirror's repository, else the cache's; OCI charts on a cached registry are pulled through it.
   * An image or chart that neither covers, and that `values` or `repositories` do not set, fails
   * synth, naming it, rather than leaving pods in ImagePullBackOff.
   * @default none: charts and images come from their upstream registries (needs internet egress)
   */
  readonly pullThroughCache?: IEcrPullThroughCache;
  /**
   * Copies in ECR of the images and charts the cache cannot serve: the NVIDIA device plugin
   * (nvcr.io), the charts of https repositories, and the images of registries the cache has no
   * rule for. TrainingCluster's node role pulls from the account's repositories with
   * AmazonEC2ContainerRegistryPullOnly, and the kubectl provider's role reads them with
   * AmazonEC2ContainerRegistryReadOnly (added by aws-eks-v2): "ecr:GetAuthorizationToken",
   * "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" on "*" (AWS Managed Policy Reference,
   * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEC2ContainerRegistryReadOnly.html).
   * A repository of another account also needs a repository policy for them.
   * @default none
   */
  readonly mirrors?: OperatorMirrors;
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
  /** The charts, with the values they are installed with (`values` merged over the layer's; image keys aside). */
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
  const mirrors = options.mirrors ?? {};
  const isPrivate = cache !== undefined || options.mirrors !== undefined;
  problems.push(...Object.keys(mirrors.charts ?? {}).filter((rel) => !known.has(rel)).map((rel) => ({
    property: `mirrors.charts.${rel}`, value: mirrors.charts![rel].node.path, allowed: `must name one of the releases ${[...known].join(', ')}`,
  })));
  // `helm push <chart>.tgz oci://<registry>/<namespace>` pushes to the repository `<namespace>/<chart>`: a copy elsewhere is never found.
  for (const c of charts) {
    const mirror = mirrors.charts?.[c.release];
    const name = mirror ? (mirror.node.defaultChild as ecr.CfnRepository | undefined)?.repositoryName ?? mirror.repositoryName : undefined;
    if (name !== undefined && !Token.isUnresolved(name) && name !== c.chart && !name.endsWith(`/${c.chart}`)) {
      problems.push({ property: `mirrors.charts.${c.release}`, value: JSON.stringify(name), allowed: `the repository's name must end with "/${c.chart}" (helm push names it <namespace>/<chart>)` });
    }
  }
  const repositoryOf = (c: OperatorChart): string | undefined => {
    if (options.repositories?.[c.release]) return options.repositories[c.release];
    const mirror = mirrors.charts?.[c.release];
    if (mirror) return `oci://${ecrRegistryOf(mirror)}/${mirror.repositoryName}`;
    if (!isPrivate) return c.repository;
    const oci = /^oci:\/\/([^/]+)\/(.+)$/.exec(c.repository);
    const prefix = oci && cache ? cache.prefixes[oci[1]] : undefined;
    return oci && prefix ? `oci://${cache!.registry}/${prefix}/${oci[2]}` : undefined;
  };
  const privateValues: Record<string, ManifestObject> = {};
  if (isPrivate) {
    for (const c of charts) {
      if (repositoryOf(c) === undefined) {
        problems.push({
          property: `mirrors.charts.${c.release}`, value: 'undefined',
          allowed: `the chart's repository ${c.repository} is not reachable without internet egress and has no pull-through rule: push chart ${c.chart} ${c.version} to an ECR repository ending in /${c.chart} and give it here (or set repositories.${c.release})`,
        });
      }
      const { values, missing } = privateImageValues(c.release, cache, mirrors, deepMerge(c.values, options.values?.[c.release] ?? {}));
      privateValues[c.release] = values;
      const uncovered = missing.filter((i) => !hasPath(options.values?.[c.release], i.path));
      if (uncovered.length > 0) {
        problems.push({
          property: `mirrors.images (${c.release})`, value: 'undefined',
          allowed: `must give an ECR copy of ${uncovered.map((i) => i.upstream).join(', ')} (chart key ${uncovered.map((i) => i.path.join('.')).join(', ')}): the pull-through cache has no rule for its registry${uncovered.some((i) => i.upstream.startsWith('nvcr.io/')) ? ' (nvcr.io cannot have one)' : ''}`,
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
      values: deepMerge(deepMerge(structuredClone(c.values), privateValues[c.release] ?? {}), options.values?.[c.release] ?? {}) as Record<string, unknown>,
      wait: true,
      timeout: options.timeout ?? Duration.minutes(10),
    });
    for (const before of c.after) chart.node.addDependency(releases[before]);
    releases[c.release] = chart;
  }
  // The charts as installed (the layer's values with the caller's merged over them; image keys aside).
  return { charts: charts.map((c) => ({ ...c, values: deepMerge(c.values, options.values?.[c.release] ?? {}) })), releases };
}
