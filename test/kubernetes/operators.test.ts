import { App as CdkApp, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import {
  OPERATOR_RELEASES, OPERATOR_VERSIONS, addWorkloadManifests, installOperators, kubernetesWorkloads, operatorCharts, operatorsUsedBy,
} from '../../lib/kubernetes';
import { ValidationError } from '../../lib';
import { CLUSTER_AUTOSCALER_IMAGE_TAGS } from '../../lib/kubernetes';
import { CLUSTER_AUTOSCALER_SERVICE_ACCOUNT, CLUSTER_DEFAULTS } from '../../lib/training/cluster-options';
import { twoTeams } from './fixtures';

function cdkCluster(withProvider = true) {
  const stack = new Stack(new CdkApp(), 'Kubernetes', { env: { account: '111111111111', region: 'eu-west-1' } });
  const kubectlProvider = withProvider
    ? eks.KubectlProvider.fromKubectlProviderAttributes(stack, 'Kubectl', { serviceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:kubectl' })
    : undefined;
  return { stack, cluster: eks.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'acme-prod-training', kubectlProvider }) };
}
const options = { clusterName: 'acme-prod-training', region: 'eu-west-1', kubernetesVersion: '1.35' };

describe('operator charts, pinned in one place', () => {
  const charts = operatorCharts(options);

  test('the pinned versions are the releases the vendored schemas come from', () => {
    const version = (release: string) => charts.find((c) => c.release === release)!.version;
    expect(version(OPERATOR_RELEASES.kserve)).toBe('v0.20.0');
    expect(version(OPERATOR_RELEASES.kserveCrd)).toBe('v0.20.0');
    expect(version(OPERATOR_RELEASES.kueue)).toBe('0.19.2');
    expect(version(OPERATOR_RELEASES.trainer)).toBe('2.3.0');
    expect(version(OPERATOR_RELEASES.certManager)).toBe(OPERATOR_VERSIONS.certManager);
  });

  test('every release comes after the releases it needs', () => {
    const seen = new Set<string>();
    for (const c of charts) {
      for (const a of c.after) expect(seen.has(a)).toBe(true);
      seen.add(c.release);
    }
  });

  test('KServe runs in Standard mode without ingress; the autoscaler uses the Pod Identity service account', () => {
    expect(charts.find((c) => c.release === OPERATOR_RELEASES.kserve)!.values).toEqual({ kserve: { controller: { deploymentMode: 'Standard', gateway: { disableIngressCreation: true } } } });
    expect(charts.find((c) => c.release === OPERATOR_RELEASES.clusterAutoscaler)).toMatchObject({
      namespace: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.namespace,
      values: { autoDiscovery: { clusterName: 'acme-prod-training' }, awsRegion: 'eu-west-1', rbac: { serviceAccount: { name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.name } } },
    });
  });

  test('the cluster autoscaler image is of the cluster\'s Kubernetes minor', () => {
    const autoscaler = (o: typeof options & { clusterAutoscalerImageTag?: string }) => operatorCharts(o).find((c) => c.release === OPERATOR_RELEASES.clusterAutoscaler)!;
    expect(autoscaler(options).values).toMatchObject({ image: { tag: CLUSTER_AUTOSCALER_IMAGE_TAGS['1.35'] } });
    expect(CLUSTER_AUTOSCALER_IMAGE_TAGS['1.35']).toBe('v1.35.0');
    expect(autoscaler({ ...options, kubernetesVersion: '1.33', clusterAutoscalerImageTag: 'v1.33.2' }).values).toMatchObject({ image: { tag: 'v1.33.2' } });
  });

  test('the default cluster version has a verified autoscaler release (one source for both)', () => {
    expect(CLUSTER_AUTOSCALER_IMAGE_TAGS[CLUSTER_DEFAULTS.kubernetesVersion.version]).toMatch(new RegExp(`^v${CLUSTER_DEFAULTS.kubernetesVersion.version.replace('.', '\\.')}\\.\\d+$`));
  });

  test('fails when the autoscaler minor differs from the cluster\'s, or no release of that minor is known', () => {
    expect(() => operatorCharts({ ...options, kubernetesVersion: '1.37' })).toThrow(/kubernetesVersion \("1\.37"\): has no verified cluster autoscaler release \(known: 1\.35\)/);
    expect(() => operatorCharts({ ...options, kubernetesVersion: '1.37', clusterAutoscalerImageTag: 'v1.35.0' }))
      .toThrow(/clusterAutoscalerImageTag \("v1\.35\.0"\): must be "v1\.37\.<patch>"/);
    expect(() => installOperators(cdkCluster().cluster, { ...options, kubernetesVersion: '1.36' })).toThrow(ValidationError);
  });

  test('every custom resource group the spec renders is installed by a chart', () => {
    const w = kubernetesWorkloads(twoTeams());
    // The InferenceServices also wait for the ClusterServingRuntimes (kserve-runtime-configs).
    expect(operatorsUsedBy(charts, w.all).sort()).toEqual([OPERATOR_RELEASES.kserveCrd, OPERATOR_RELEASES.kserve, OPERATOR_RELEASES.kserveRuntimes, OPERATOR_RELEASES.kueue, OPERATOR_RELEASES.trainer].sort());
  });
});

describe('installOperators and addWorkloadManifests on an aws-eks-v2 cluster', () => {
  const { stack, cluster } = cdkCluster();
  const operators = installOperators(cluster, options);
  addWorkloadManifests(cluster, kubernetesWorkloads(twoTeams(), stack.node.path), operators);
  const t = Template.fromStack(stack);
  const charts = t.findResources('Custom::AWSCDK-EKS-HelmChart');
  const manifests = t.findResources('Custom::AWSCDK-EKS-KubernetesResource');
  const idOf = (release: string) => Object.keys(charts).find((id) => new RegExp(`Operator${release.replace(/-/g, '')}[0-9A-F]{8}$`).test(id))!;

  test('one Helm release per operator, pinned, waiting until ready', () => {
    expect(Object.keys(charts)).toHaveLength(8);
    t.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Release: 'kserve', Chart: 'kserve-resources', Repository: 'oci://ghcr.io/kserve/charts/kserve-resources', Version: 'v0.20.0', Namespace: 'kserve',
      Wait: true, CreateNamespace: true,
    });
    t.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Release: 'kueue', Repository: 'oci://registry.k8s.io/kueue/charts/kueue', Version: '0.19.2' });
    expect(charts[idOf('kserve')].DependsOn).toEqual(expect.arrayContaining([idOf('cert-manager'), idOf('kserve-crd')]));
  });

  test('each CRD-using manifest set depends on its charts', () => {
    const team = Object.entries(manifests).find(([id]) => id.includes('MlopsTeamvision'))!;
    expect(team[1].DependsOn).toEqual(expect.arrayContaining([idOf('kueue'), idOf('kubeflow-trainer'), idOf('kserve'), idOf('kserve-crd')]));
    const clusterWide = Object.entries(manifests).find(([id]) => id.includes('MlopsClusterObjects'))!;
    expect(clusterWide[1].DependsOn).toEqual(expect.arrayContaining([idOf('kueue'), idOf('kserve')]));
    expect(clusterWide[1].DependsOn).not.toContain(idOf('kubeflow-trainer'));
  });

  test('chart repositories can point at a registry the VPC reaches (an ECR pull-through cache)', () => {
    const other = cdkCluster();
    const ecr = 'oci://111111111111.dkr.ecr.eu-west-1.amazonaws.com/k8s/kueue/charts/kueue';
    installOperators(other.cluster, { ...options, repositories: { kueue: ecr } });
    Template.fromStack(other.stack).hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Release: 'kueue', Repository: ecr });
  });

  test('fails without a kubectl provider, or for an unknown release', () => {
    expect(() => installOperators(cdkCluster(false).cluster, options)).toThrow(/cluster\.kubectlProvider \(undefined\)/);
    expect(() => installOperators(cdkCluster().cluster, { ...options, repositories: { knative: 'oci://x' } })).toThrow(/repositories\.knative \("oci:\/\/x"\): must name one of the releases/);
  });
});
