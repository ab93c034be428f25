import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ValidationError } from '../../core/errors';
import { OperatorChart, OperatorChartOptions, operatorCharts } from '../spec/operators';

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
  const problems = [
    ...(cluster.kubectlProvider ? [] : [{
      property: 'cluster.kubectlProvider', value: 'undefined',
      allowed: 'the cluster must be created with kubectlProviderOptions (a kubectlLayer) or imported with a kubectlProvider, so that addHelmChart can install charts',
    }]),
    ...Object.keys(options.repositories ?? {}).filter((r) => !known.has(r)).map((r) => ({
      property: `repositories.${r}`, value: JSON.stringify(options.repositories![r]), allowed: `must name one of the releases ${[...known].join(', ')}`,
    })),
  ];
  if (problems.length > 0) throw new ValidationError(cluster.node.path, problems);
  const releases: Record<string, eks.HelmChart> = {};
  for (const c of charts) {
    const chart = cluster.addHelmChart(`Operator-${c.release}`, {
      release: c.release,
      chart: c.chart,
      repository: options.repositories?.[c.release] ?? c.repository,
      version: c.version,
      namespace: c.namespace,
      createNamespace: true,
      values: structuredClone(c.values) as Record<string, unknown>,
      wait: true,
      timeout: options.timeout ?? Duration.minutes(10),
    });
    for (const before of c.after) chart.node.addDependency(releases[before]);
    releases[c.release] = chart;
  }
  return { charts, releases };
}
