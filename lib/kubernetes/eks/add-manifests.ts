import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ValidationError } from '../../core/errors';
import { KubernetesManifest } from '../spec/manifest';
import { OPERATOR_RELEASES, operatorsUsedBy } from '../spec/operators';
import { modelFormatsOf, runtimesServing } from '../spec/serving-runtimes';
import { KubernetesWorkloads } from '../spec/workloads';
import { InstalledOperators } from './operators';

/** One `addManifest` call: its construct and the manifests it applies, in order. */
export interface AppliedManifests {
  readonly resource: eks.KubernetesManifest;
  readonly manifests: readonly KubernetesManifest[];
}

/**
 * Applies the same manifests the cdktf renderer creates, on the CDK side, with `addManifest` of
 * an aws-eks-v2 cluster: one `Custom::AWSCDK-EKS-KubernetesResource` for the cluster-scoped
 * objects and one per team (its namespace first), which depends on the first. Nothing is
 * rewritten: each manifest goes to kubectl as the spec produced it, except for the prune label
 * (`aws.cdk.eks/prune-<address>`) that aws-eks-v2 adds so that it can delete objects removed
 * from a later version. Copies are handed over, because aws-eks-v2 adds that label in place.
 *
 * The cluster needs a kubectl provider: aws-eks-v2 creates one only when the cluster is given
 * `kubectlProviderOptions` with a `kubectlLayer` (for example from
 * `@aws-cdk/lambda-layer-kubectl-v33`, a prebuilt zip: no Docker at synth). For a cluster with a
 * private endpoint, give the provider `privateSubnets` and `securityGroups` that reach it.
 *
 * With `operators` (from {@link installOperators}), each `addManifest` call depends on the Helm
 * releases whose CRDs its manifests use (KServe, Kueue, Kubeflow Trainer), so no custom resource
 * is applied before its CRD and webhooks exist, and every InferenceService's `modelFormat` must
 * have an enabled ClusterServingRuntime among them (otherwise KServe finds no runtime for it).
 *
 * @throws ValidationError when the cluster has no kubectl provider, or an InferenceService's model format has no runtime installed
 */
export function addWorkloadManifests(cluster: eks.ICluster, workloads: KubernetesWorkloads, operators?: InstalledOperators): AppliedManifests[] {
  if (!cluster.kubectlProvider) {
    throw new ValidationError(cluster.node.path, [{
      property: 'cluster.kubectlProvider',
      value: 'undefined',
      allowed: 'the cluster must be created with kubectlProviderOptions (a kubectlLayer) or imported with a kubectlProvider, so that addManifest can apply manifests',
    }]);
  }
  const runtimes = operators?.charts.find((c) => c.release === OPERATOR_RELEASES.kserveRuntimes);
  const unserved = operators ? modelFormatsOf(workloads.all).filter((f) => runtimesServing(f, runtimes?.values).length === 0) : [];
  if (unserved.length > 0) {
    throw new ValidationError(cluster.node.path, unserved.map((f) => ({
      property: 'operators (kserve-runtime-configs)', value: JSON.stringify(f),
      allowed: 'an InferenceService names this modelFormat but no enabled ClusterServingRuntime serves it: pass it in installOperators servingModelFormats (modelFormatsOf(workloads.all))',
    })));
  }
  const out: AppliedManifests[] = [];
  const copy = (list: readonly KubernetesManifest[]) => list.map((m) => structuredClone(m) as Record<string, unknown>);
  const afterOperators = (resource: eks.KubernetesManifest, manifests: readonly KubernetesManifest[]) => {
    if (!operators) return;
    for (const release of operatorsUsedBy(operators.charts, manifests)) resource.node.addDependency(operators.releases[release]);
  };
  const clusterWide = cluster.addManifest('MlopsClusterObjects', ...copy(workloads.cluster));
  afterOperators(clusterWide, workloads.cluster);
  out.push({ resource: clusterWide, manifests: workloads.cluster });
  for (const [team, manifests] of Object.entries(workloads.teams)) {
    const resource = cluster.addManifest(`MlopsTeam-${team}`, ...copy(manifests));
    resource.node.addDependency(clusterWide);
    afterOperators(resource, manifests);
    out.push({ resource, manifests });
  }
  return out;
}
